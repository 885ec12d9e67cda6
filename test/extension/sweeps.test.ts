// Issue 12, items 3 and 4 in the extension: the queue runs an experiment's variants through the
// trainer manager (each a run whose job carries the variant), the status bar counts "Sweep n of 4",
// Stop Sweep leaves the rest for Continue Sweep, a queue a reload left `running` carries on with a
// notification offering Stop, and the experiment panel shows the variants, the best, and writes
// the best values into the model file as one edit. The trainer child is a stand-in that writes
// real run folders; the queue, the experiment store and the run catalog are the real ones.
import { runsUi, setWorkspaceFolders } from './runsFake';
import { EventEmitter, FakeDocument, Position, state, Uri } from './fakeVscode';
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import type { ExperimentPageData } from '../../src/channels/experiment';
import type { TrainerEvent } from '../../src/channels/trainer';
import type { HostToWebview, WebviewToHost } from '../../src/channels/webview';
import { Ctx } from '../../src/extension/ctx';
import { ExperimentPanel, metricCurve } from '../../src/extension/experimentPanel';
import { register as registerSweeps } from '../../src/extension/sweeps';
import { RunCatalog } from '../../src/extension/runCatalog';
import { SweepController, sweepProgressText, type SweepTrainer } from '../../src/extension/sweepRunner';
import type { TrainingRequest } from '../../src/extension/trainerManager';
import { analyzeModel } from '../../src/model';
import { experimentsDirFor, listExperiments, readExperimentSync, writeExperiment, type ExperimentFile } from '../../src/runs/experiments';
import type { RunRecord } from '../../src/runs/format';
import { runsDirFor } from '../../src/runs/store';
import { createExperiment } from '../../src/runs/sweepQueue';
import { plantRun, sampleRecord } from '../trainer/runFolders';

const fake = require('vscode') as { window: Record<string, unknown>; workspace: Record<string, unknown>; Uri: Record<string, unknown> };

const MODEL = `{
  "name": "cnn",
  "inputShape": [20, 20, 1],
  "layers": [
    { "type": "Conv2D", "filters": 8, "kernelSize": 3, "activation": "relu" },
    { "type": "Flatten" },
    { "type": "Dense", "units": 4, "activation": "softmax" }
  ],
  "training": { "dataset": "shapes", "epochs": 1, "learningRate": 0.001 }
}
`;

/** What the stand-in trainer's run reaches: a deterministic function of the values (lr 0.004 and 16 filters best). */
function valAccuracyOf(values: Record<string, unknown>): number {
  return 0.5 + Number(values.learningRate) * 50 + Number(values['conv2d.filters']) / 100;
}

interface StandInTrainer extends SweepTrainer {
  requests: TrainingRequest[];
  /** Variants whose run waits for a stop instead of completing. */
  hold: Set<number>;
}

/** Starts a "run" per request: a real run folder, a `started` event, then a completed (or, once stopped, stopped) run.json. */
function standInTrainer(runsDir: string): StandInTrainer {
  const trainer: StandInTrainer = {
    requests: [],
    hold: new Set(),
    start: async (request) => {
      trainer.requests.push(request);
      const experiment = request.experiment;
      assert.ok(experiment, 'each variant is a run whose job carries the variant');
      const runId = `20261201-2030${String(trainer.requests.length).padStart(2, '0')}-000-cnn-v${experiment.variant}`;
      const emitter = new EventEmitter<TrainerEvent>();
      let finish: (record: RunRecord) => void = () => undefined;
      const done = new Promise<RunRecord>((resolve) => (finish = resolve));
      const base = { modelFile: 'cnn.model.json', experiment, startedAt: new Date().toISOString(), epochsPlanned: 1 };
      const end = (status: 'completed' | 'stopped'): void => {
        const record = sampleRecord(runId, { ...base, status, epochsCompleted: status === 'completed' ? 1 : 0, ...(status === 'completed' ? { bestMetrics: { epoch: 0, val_acc: valAccuracyOf(experiment.values) } } : {}) });
        plantRun(runsDir, runId, record);
        writeFileSync(path.join(runsDir, runId, 'metrics.jsonl'), status === 'completed' ? `${JSON.stringify({ kind: 'epoch', epoch: 0, logs: { val_acc: valAccuracyOf(experiment.values) }, time: Date.parse(base.startedAt) })}\n` : '');
        finish(record);
      };
      const session = {
        runId: undefined as string | undefined,
        onEvent: emitter.event,
        done,
        stop: async () => end('stopped'),
      };
      setTimeout(() => {
        plantRun(runsDir, runId, sampleRecord(runId, { ...base, status: 'stopped', epochsCompleted: 0 }));
        session.runId = runId;
        emitter.fire({ type: 'started', runId } as TrainerEvent);
        if (!trainer.hold.has(experiment.variant)) setTimeout(() => end('completed'), 5);
      }, 5);
      return session as never;
    },
  };
  return trainer;
}

interface StatusItem {
  text: string;
  shown: boolean;
  texts: string[];
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > 10_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('sweeps in the extension (issue 12.3, 12.4)', () => {
  let ctx: Ctx;
  let ws: string;
  let runsDir: string;
  let statusItem: StatusItem;
  const saved: Record<string, unknown> = {};

  before(() => {
    saved.createStatusBarItem = fake.window.createStatusBarItem;
    fake.window.createStatusBarItem = () => {
      const item = {
        texts: [] as string[],
        shown: false,
        name: '',
        command: '',
        tooltip: '',
        set text(value: string) {
          item.texts.push(value);
        },
        get text(): string {
          return item.texts.at(-1) ?? '';
        },
        show: () => (item.shown = true),
        hide: () => (item.shown = false),
        dispose: () => undefined,
      };
      statusItem = item;
      return item;
    };
    if (!fake.Uri.joinPath) fake.Uri.joinPath = (base: Uri, ...parts: string[]) => Uri.file(path.posix.join(base.path, ...parts));
  });

  after(() => {
    fake.window.createStatusBarItem = saved.createStatusBarItem;
  });

  beforeEach(() => {
    state.reset();
    runsUi.reset();
    ws = path.join(mkdtempSync(path.join(tmpdir(), 'cnnlab-sweeps-')), 'ws');
    runsDir = runsDirFor(ws);
    mkdirSync(runsDir, { recursive: true });
    writeFileSync(path.join(ws, 'cnn.model.json'), MODEL);
    setWorkspaceFolders([ws]);
    ctx = new Ctx({ extensionUri: Uri.file('/ext') } as unknown as vscode.ExtensionContext);
  });

  afterEach(() => {
    ctx.dispose();
    setWorkspaceFolders([]);
  });

  function newExperiment(): { experimentDir: string; experiment: ExperimentFile } {
    const { ir } = analyzeModel(MODEL, path.join(ws, 'cnn.model.json'));
    assert.ok(ir);
    const spec = { method: 'grid' as const, parameters: { learningRate: [0.001, 0.004], 'conv2d.filters': [8, 16] }, metric: { name: 'val_acc', goal: 'max' as const } };
    return createExperiment({ experimentsDir: experimentsDirFor(runsDir), modelFile: path.join(ws, 'cnn.model.json'), baseDir: ws, ir, spec });
  }

  const folder = (): vscode.WorkspaceFolder => (fake.workspace.workspaceFolders as vscode.WorkspaceFolder[])[0];

  it('trains every variant as a run with its values, counts "Sweep n of 4" in the status bar and names the best at the end', async () => {
    const trainer = standInTrainer(runsDir);
    const sweeps = ctx.own(new SweepController(ctx, trainer));
    const { experimentDir, experiment } = newExperiment();
    const final = await sweeps.run(folder(), experimentDir, experiment.id);
    assert.equal(final?.state, 'done');
    assert.deepEqual(final?.variants.map((variant) => variant.status), ['completed', 'completed', 'completed', 'completed']);
    assert.deepEqual(
      trainer.requests.map((request) => [request.modelFile, request.workspaceFolder, request.experiment?.variant, request.experiment?.values]),
      [0, 1, 2, 3].map((index) => [path.join(ws, 'cnn.model.json'), ws, index, experiment.variants[index].values]),
    );
    assert.deepEqual(statusItem.texts.filter((text, index, all) => all.indexOf(text) === index), ['$(beaker~spin) Sweep 1 of 4', '$(beaker~spin) Sweep 2 of 4', '$(beaker~spin) Sweep 3 of 4', '$(beaker~spin) Sweep 4 of 4']);
    assert.equal(statusItem.shown, false, 'hidden once the queue ended');
    assert.equal(sweeps.stateOf(experiment.id), 'done');
    await until(() => runsUi.infos.length > 0, 'the toast at the end');
    assert.deepEqual(runsUi.infos, [`CNN Lab: ${experiment.name} done: 4 of 4 variants completed; best lr=0.004 · conv2d.filters=16 — val_acc 0.860.`]);
  });

  it('Stop Sweep stops the running variant and leaves the rest pending; Continue Sweep trains them', async () => {
    const trainer = standInTrainer(runsDir);
    trainer.hold.add(1);
    const sweeps = ctx.own(new SweepController(ctx, trainer));
    const { experimentDir, experiment } = newExperiment();
    const running = sweeps.run(folder(), experimentDir, experiment.id);
    await until(() => readExperimentSync(experimentDir).variants[1].runId !== undefined, 'variant 2 to start');
    assert.equal(sweeps.isRunning(experiment.id), true);
    assert.equal(sweeps.stateOf(experiment.id), 'running');
    assert.equal(sweeps.stop(experiment.id), true);
    const stopped = await running;
    assert.equal(stopped?.state, 'stopped');
    assert.deepEqual(stopped?.variants.map((variant) => variant.status), ['completed', 'pending', 'pending', 'pending']);
    trainer.hold.clear();
    const continued = await sweeps.run(folder(), experimentDir, experiment.id);
    assert.equal(continued?.state, 'done');
    assert.deepEqual(continued?.variants.map((variant) => variant.status), ['completed', 'completed', 'completed', 'completed']);
    assert.equal(trainer.requests.length, 5, 'the stopped variant trained again from scratch');
  });

  it('carries on after a reload with a queue left running, offering Stop', async () => {
    const trainer = standInTrainer(runsDir);
    const { experimentDir, experiment } = newExperiment();
    // As a window closed mid-sweep leaves it: the queue was at variant 1, no process holds it now.
    writeExperiment(experimentDir, { ...experiment, state: 'running', variants: experiment.variants.map((variant) => (variant.index === 0 ? { ...variant, status: 'running' } : variant)) });
    const sweeps = ctx.own(new SweepController(ctx, trainer));
    await sweeps.carryOn();
    assert.deepEqual(runsUi.infos, [`CNN Lab: carrying on with ${experiment.name} (4 variants left).`]);
    await until(() => readExperimentSync(experimentDir).state === 'done', 'the queue to end');
    assert.equal(trainer.requests.length, 4);
  });

  it('says "Sweep n of m" among the variants that can train', () => {
    const { experiment } = newExperiment();
    const statuses = ['completed', 'invalid', 'running', 'pending'] as const;
    assert.equal(sweepProgressText({ ...experiment, variants: experiment.variants.map((variant, index) => ({ ...variant, status: statuses[index] })) }), 'Sweep 2 of 3');
  });

  describe('CNN Lab: Sweep… and the experiment panel', () => {
    interface FakePanel {
      posted: HostToWebview[];
      title: string;
      send(message: WebviewToHost): void;
      dispose(): void;
    }
    const panels: FakePanel[] = [];
    const applied: { uri: Uri; range: { start: Position; end: Position }; newText: string }[] = [];

    before(() => {
      saved.createWebviewPanel = fake.window.createWebviewPanel;
      saved.applyEdit = fake.workspace.applyEdit;
      fake.window.createWebviewPanel = (_viewType: string, title: string) => {
        const messages = new EventEmitter<WebviewToHost>();
        const disposed = new EventEmitter<void>();
        const panel = {
          posted: [] as HostToWebview[],
          title,
          visible: true,
          webview: { html: '', options: {}, cspSource: 'vscode-resource:', asWebviewUri: (uri: Uri) => uri, postMessage: async (message: HostToWebview) => panel.posted.push(message), onDidReceiveMessage: messages.event },
          onDidDispose: disposed.event,
          onDidChangeViewState: new EventEmitter<void>().event,
          reveal: () => undefined,
          send: (message: WebviewToHost) => messages.fire(message),
          dispose: () => disposed.fire(),
        };
        panels.push(panel);
        return panel;
      };
      fake.workspace.applyEdit = async (edit: { replacements: typeof applied }) => {
        applied.push(...edit.replacements);
        return true;
      };
    });

    after(() => {
      fake.window.createWebviewPanel = saved.createWebviewPanel;
      fake.workspace.applyEdit = saved.applyEdit;
    });

    afterEach(() => {
      for (const panel of panels.splice(0)) panel.dispose();
      applied.splice(0);
    });

    it('shows each variant with its run’s result and curve, and writes the best values into the model file as one edit', async () => {
      const sweeps = ctx.own(new SweepController(ctx, standInTrainer(runsDir)));
      const catalog = ctx.own(new RunCatalog(ctx));
      const { experimentDir, experiment } = newExperiment();
      await sweeps.run(folder(), experimentDir, experiment.id);
      await catalog.refresh();
      ExperimentPanel.show({ ctx, catalog, sweeps }, experiment.id);
      const [panel] = panels;
      panel.send({ type: 'ready' });
      await until(() => panel.posted.some((message) => message.type === 'experiment'), 'the experiment message');
      const data = (panel.posted.find((message) => message.type === 'experiment') as { experiment: ExperimentPageData }).experiment;
      assert.equal(panel.title, `CNN Lab: ${experiment.name}`);
      assert.deepEqual(data.keys, ['learningRate', 'conv2d.filters']);
      assert.deepEqual(data.rows.map((row) => [row.label, row.status, row.metric?.toFixed(2), row.curve?.length]), [
        ['lr=0.001 · conv2d.filters=8', 'completed', '0.63', 1],
        ['lr=0.001 · conv2d.filters=16', 'completed', '0.71', 1],
        ['lr=0.004 · conv2d.filters=8', 'completed', '0.78', 1],
        ['lr=0.004 · conv2d.filters=16', 'completed', '0.86', 1],
      ]);
      const modelPath = path.join(ws, 'cnn.model.json');
      const document = Object.assign(new FakeDocument(modelPath, 'json', MODEL), {
        positionAt: (offset: number) => {
          const before = MODEL.slice(0, offset).split('\n');
          return new Position(before.length - 1, before[before.length - 1].length);
        },
      });
      state.documents.push(document);
      panel.send({ type: 'applyValues', variant: 3 });
      await until(() => applied.length > 0, 'the edit');
      assert.equal(applied.length, 1, 'one edit, undone at once');
      const lines = MODEL.split('\n');
      const { start, end } = applied[0].range;
      const edited = [...lines.slice(0, start.line), lines[start.line].slice(0, start.character) + applied[0].newText + lines[end.line].slice(end.character), ...lines.slice(end.line + 1)].join('\n');
      const { ir } = analyzeModel(edited, modelPath);
      assert.equal(ir?.layers[0].config.filters, 16);
      assert.equal(ir?.training?.learningRate, 0.004);
    });

    /** Runs CNN Lab: Sweep… on `text` (written as cnn.model.json), answering its quick picks with `picks` (labels, in order) and its input boxes with `inputs`. */
    async function sweepCommand(text: string, picks: string[][], inputs: string[]): Promise<{ experiment: ExperimentFile; problems: (string | undefined)[] }> {
      const modelPath = path.join(ws, 'cnn.model.json');
      writeFileSync(modelPath, text);
      state.documents.push(new FakeDocument(modelPath, 'json', text));
      const problems: (string | undefined)[] = [];
      Object.assign(fake.window, {
        showQuickPick: async (items: { label: string }[], options: { canPickMany?: boolean }) => {
          const wanted = picks.shift() ?? [];
          const chosen = items.filter((item) => wanted.some((label) => item.label.includes(label)));
          assert.equal(chosen.length, wanted.length, `quick pick items ${items.map((item) => item.label).join(' | ')} lack ${wanted.join(', ')}`);
          return options?.canPickMany ? chosen : chosen[0];
        },
        showInputBox: async (options: { validateInput?: (value: string) => string | undefined }) => {
          const answer = inputs.shift() ?? '';
          problems.push(options.validateInput?.('1, -1'));
          assert.equal(options.validateInput?.(answer), undefined, `the input ${answer} is accepted`);
          return answer;
        },
      });
      fake.workspace.isTrusted = true;
      const trainer = standInTrainer(runsDir);
      const sweeps = ctx.own(new SweepController(ctx, trainer));
      registerSweeps(ctx, sweeps, ctx.own(new RunCatalog(ctx)));
      await state.commands.get('cnnLab.sweep')?.(Uri.file(modelPath));
      const experimentsDir = experimentsDirFor(runsDir);
      let experiment: ExperimentFile | undefined;
      await until(() => {
        void listExperiments(experimentsDir).then((listings) => (experiment = listings[0]?.experiment));
        return experiment?.state === 'done';
      }, 'the sweep to end');
      assert.equal(panels.length, 1, 'the experiment panel opened as the sweep started');
      return { experiment: experiment as ExperimentFile, problems };
    }

    afterEach(() => {
      fake.workspace.isTrusted = false;
      Object.assign(fake.window, { showQuickPick: async () => undefined, showInputBox: async () => undefined });
    });

    it('from the palette: keys, values (checked as typed), grid and metric chosen in quick picks make the experiment, and its queue runs', async () => {
      const { experiment, problems } = await sweepCommand(MODEL, [['learningRate', 'conv2d.filters'], ['Grid'], ['val_loss'], ['file’s settings']], ['0.001, 0.004', '8, 16']);
      assert.deepEqual(experiment.spec, { method: 'grid', parameters: { learningRate: [0.001, 0.004], 'conv2d.filters': [8, 16] }, metric: { name: 'val_loss', goal: 'min' } });
      assert.deepEqual(experiment.variants.map((variant) => variant.status), ['completed', 'completed', 'completed', 'completed']);
      assert.match(problems[0] ?? '', /Invalid value for sweep parameter 'learningRate'/);
      assert.match(problems[1] ?? '', /^conv2d\.filters=-1: /);
    });

    it('runs the file’s sweep block as a quick trial, naming an invalid variant with its values and skipping it', async () => {
      const withSweep = MODEL.replace('"training"', '"sweep": { "parameters": { "conv2d.kernelSize": [3, 30] } },\n  "training"');
      const { experiment } = await sweepCommand(withSweep, [['Run the sweep in the file'], ['Quick trial']], []);
      assert.deepEqual(experiment.variants.map((variant) => variant.status), ['completed', 'invalid']);
      assert.deepEqual(experiment.job, { overrides: { epochs: 1 }, trainExamples: 2000, testExamples: 500 });
      assert.equal(runsUi.warnings.length, 1);
      assert.match(runsUi.warnings[0], /^CNN Lab: 1 of 2 variants are invalid and skipped — conv2d\.kernelSize=30: /);
    });

    it('reads a run’s curve of the sweep’s metric by epoch, under either spelling', () => {
      const line = (epoch: number, logs: Record<string, number>) => ({ kind: 'epoch' as const, epoch, logs, time: 0 });
      assert.deepEqual(metricCurve([line(0, { val_accuracy: 0.5 }), { kind: 'batch', epoch: 1, batch: 0, step: 3, logs: { acc: 1 }, time: 0 }, line(1, { val_acc: 0.7 })], { name: 'val_acc', goal: 'max' }), [
        { x: 1, y: 0.5 },
        { x: 2, y: 0.7 },
      ]);
    });
  });
});

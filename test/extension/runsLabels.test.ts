// Issue 10, items 1, 5 and 8 in the sidebar and notifications: runs are named "<model> #n" (or the
// user's label) with the result that matters, every number named, tags shown and the id kept for the
// tooltip; the last-run lens and the Runs view count epochs as the panel does and move on at each
// epoch event; the Models view never shows the static reader's partial total of a `.model.ts` file
// it could not follow: it shows the evaluated one, "resolving…" meanwhile, or that it needs trust.
import { runsUi, setWorkspaceFolders, TreeItem } from './runsFake';
import { strict as assert } from 'node:assert';
import { closeSync, mkdirSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as vscode from 'vscode';
import { Ctx } from '../../src/extension/ctx';
import { ModelDocuments } from '../../src/extension/modelDocuments';
import type { RunCatalog } from '../../src/extension/runCatalog';
import { register, runPickItem } from '../../src/extension/runs';
import { ModelGroupNode, ModelsTreeProvider, NEEDS_TRUST_NOTE, RESOLVING_NOTE, runDisplayName, RunsTreeProvider, runTooltip } from '../../src/extension/runsView';
import { completionMessage, type TrainerManager } from '../../src/extension/trainerManager';
import type { ModelAnalysis } from '../../src/model/types';
import type { TrainerEvent } from '../../src/channels/trainer';
import type { RunRecord } from '../../src/runs/format';
import { runsDirFor } from '../../src/runs/store';
import { EventEmitter, FakeDocument, Uri, state } from './fakeVscode';
import { plantRun, sampleRecord } from '../trainer/runFolders';

const fake = require('vscode') as { workspace: { isTrusted: boolean; findFiles: unknown } };

const evaluation = { loss: 0.3, accuracy: 0.908, classNames: ['a', 'b'], confusion: [[1, 0], [0, 1]], perClassAccuracy: [1, 1], misclassified: [] };

/** A `.model.ts` whose middle layers come from a loop: the static reader stops there (its total, 40, is wrong). */
const LOOP_MODEL = `import * as tf from '@tensorflow/tfjs';
export default function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 8, inputShape: [4] }));
  for (const units of [16, 32]) model.add(tf.layers.dense({ units }));
  model.add(tf.layers.dense({ units: 2 }));
  return model;
}
`;

interface FakeSession {
  runId: string;
  onEvent: vscode.Event<TrainerEvent>;
  done: Promise<RunRecord | undefined>;
  emit(event: TrainerEvent): void;
}

function fakeSession(runId: string): FakeSession {
  const emitter = new EventEmitter<TrainerEvent>();
  return { runId, onEvent: emitter.event as unknown as vscode.Event<TrainerEvent>, done: new Promise(() => undefined), emit: (event) => emitter.fire(event) };
}

describe('run names, named metrics and live epochs in the sidebar (issue 10.1, 10.5, 10.8)', () => {
  let ctx: Ctx;
  let catalog: RunCatalog;
  let ws: string;
  let runsDir: string;
  const sessionsChanged = new EventEmitter<void>();
  let sessions: FakeSession[] = [];
  const trainer = {
    get sessions() {
      return sessions;
    },
    onDidChangeSessions: sessionsChanged.event,
    start: async () => undefined,
  } as unknown as TrainerManager;
  const originalFindFiles = fake.workspace.findFiles;

  beforeEach(() => {
    state.reset();
    runsUi.reset();
    ws = join(mkdtempSync(join(tmpdir(), 'cnnlab-run-labels-')), 'ws');
    runsDir = runsDirFor(ws);
    mkdirSync(runsDir, { recursive: true });
    setWorkspaceFolders([ws]);
    sessions = [];
    ctx = new Ctx({ extensionUri: Uri.file('/ext') } as unknown as vscode.ExtensionContext);
    catalog = register(ctx, trainer, ctx.own(new ModelDocuments(ctx)));
  });

  afterEach(() => {
    ctx.dispose();
    setWorkspaceFolders([]);
    fake.workspace.isTrusted = false;
    fake.workspace.findFiles = originalFindFiles;
  });

  function plantThreeRuns(): void {
    const common = { modelFile: 'cnn.model.json', dataset: 'mnist', epochsCompleted: 5, epochsPlanned: 5 };
    plantRun(runsDir, '20261201-110203-107-seed001', sampleRecord('20261201-110203-107-seed001', { ...common, startedAt: '2026-12-01T11:02:03.000Z', bestMetrics: { epoch: 3, val_acc: 0.9 } }));
    plantRun(
      runsDir,
      '20261201-120203-107-seed002',
      sampleRecord('20261201-120203-107-seed002', { ...common, startedAt: '2026-12-01T12:02:03.000Z', bestMetrics: { epoch: 4, val_acc: 0.927 }, evaluation }),
    );
    plantRun(
      runsDir,
      '20261201-130203-107-seed003',
      sampleRecord('20261201-130203-107-seed003', { ...common, startedAt: '2026-12-01T13:02:03.000Z', label: 'baseline', tags: ['fast', 'augmented'], finalMetrics: { val_loss: 0.4 } }),
    );
  }

  it('names each run "<model> #n" in start order, or its label, with tags and the named test accuracy; the id only in the tooltip', async () => {
    plantThreeRuns();
    await catalog.refresh();
    const tree = new RunsTreeProvider(catalog);
    const [group] = (await tree.getChildren()).filter((node): node is ModelGroupNode => node instanceof ModelGroupNode);
    const items = group.runs.map((node) => tree.getTreeItem(node) as unknown as TreeItem);
    assert.deepEqual(
      items.map((item) => item.label),
      ['baseline', 'cnn #2', 'cnn #1'],
    );
    assert.match(items[0].description ?? '', /^#fast #augmented · val_loss 0\.400 · mnist · /);
    assert.match(items[1].description ?? '', /^test acc 0\.908 \(val_acc 0\.927\) · mnist · /);
    for (const item of items) assert.ok(!String(item.label).includes('seed00'), `no id in the label ${item.label}`);
    const tooltip = runTooltip(group.runs[1].entry.record, Date.now(), undefined, group.runs[1].title);
    assert.match(tooltip.value, /cnn \\#2/);
    assert.match(tooltip.value, /id: 20261201\\-120203\\-107\\-seed002/);
    tree.dispose();
  });

  it('gives panel titles and compare legends the same name as the Runs view, the label once renamed', async () => {
    plantThreeRuns();
    await catalog.refresh();
    assert.equal(runDisplayName(catalog, '20261201-120203-107-seed002'), 'cnn #2');
    assert.equal(runDisplayName(catalog, '20261201-130203-107-seed003'), 'baseline');
    const renamed = { ...(await catalog.ready())[0].record, label: 'renamed' };
    assert.equal(runDisplayName(catalog, renamed.id, renamed), 'renamed');
    assert.equal(runDisplayName(catalog, 'no-such-run'), undefined);
  });

  it('offers runs in quick picks by their readable name, with status, named result, dataset and tags, the id below', async () => {
    plantThreeRuns();
    const entries = await catalog.ready();
    const second = entries.find((entry) => entry.record.id.endsWith('seed002'));
    assert.ok(second);
    const item = runPickItem(second, 'cnn #2');
    assert.equal(item.label, 'cnn #2');
    assert.equal(item.description, 'completed · test acc 0.908 (val_acc 0.927) · mnist');
    assert.match(item.detail ?? '', /20261201-120203-107-seed002$/);
    const third = entries.find((entry) => entry.record.id.endsWith('seed003'));
    assert.ok(third);
    assert.equal(runPickItem(third).description, 'completed · val_loss 0.400 · mnist · #fast #augmented');
  });

  it('says in the completion toast which accuracy is which and names the run', () => {
    const record = sampleRecord('r', { modelFile: 'cnn.model.json', epochsCompleted: 5, epochsPlanned: 5, finalMetrics: { val_acc: 0.927 }, bestMetrics: { epoch: 4, val_acc: 0.927 }, evaluation });
    assert.equal(completionMessage(record, 'completed', 'cnn #2'), 'CNN Lab: cnn #2 completed · test acc 0.908 (val_acc 0.927) · 5/5 epochs.');
    const stopped = sampleRecord('s', { epochsCompleted: 2, epochsPlanned: 5, finalMetrics: { val_acc: 0.8 } });
    assert.equal(completionMessage(stopped, 'stopped', 'm #1'), 'CNN Lab: m #1 stopped · val_acc 0.800 · 2/5 epochs.');
  });

  it('moves the last-run lens on at each epoch event, counting epochs as the panel does, though run.json still says 0', async () => {
    const runId = '20261201-110203-107-seed001';
    const runDir = plantRun(runsDir, runId, sampleRecord(runId, { modelFile: 'cnn.model.json', status: 'running', pid: process.pid, epochsCompleted: 0, epochsPlanned: 5, startedAt: new Date().toISOString() }));
    // This process holds the run folder open, as a live trainer does, so the run stays `running`.
    const held = openSync(runDir, 'r');
    try {
      await catalog.refresh();
    } finally {
      closeSync(held);
    }
    const lenses = state.codeLensProviders[0] as { provideCodeLenses(document: unknown): { command?: { title: string } }[] };
    const document = new FakeDocument(join(ws, 'cnn.model.json'), 'json', '{}');
    const lensTitle = (): string => lenses.provideCodeLenses(document).map((lens) => lens.command?.title ?? '').join(' | ');
    assert.match(lensTitle(), /^last run cnn #1: running, epoch 0\/5 · /);
    const session = fakeSession(runId);
    sessions = [session];
    sessionsChanged.fire();
    // Trainer events number epochs from 0: epoch 0 ended means one epoch done, as the panel's "Epoch 1 / 5".
    session.emit({ type: 'epoch', epoch: 0, logs: { loss: 1, val_acc: 0.5 }, seconds: 1 });
    assert.match(lensTitle(), /^last run cnn #1: running, epoch 1\/5 · /);
    session.emit({ type: 'epoch', epoch: 1, logs: { loss: 0.5, val_acc: 0.7 }, seconds: 1 });
    assert.match(lensTitle(), /running, epoch 2\/5/);
  });

  describe('Models view totals of .model.ts files the static reader cannot follow', () => {
    let file: string;

    beforeEach(() => {
      mkdirSync(ws, { recursive: true });
      file = join(ws, 'loop.model.ts');
      writeFileSync(file, LOOP_MODEL);
      fake.workspace.findFiles = async () => [Uri.file(file)];
    });

    async function description(models: ModelsTreeProvider): Promise<string> {
      const [node] = await models.getChildren();
      return (models.getTreeItem(node) as unknown as TreeItem).description ?? '';
    }

    it('shows "resolving…" then the evaluated total in a trusted workspace, never the partial static one', async () => {
      fake.workspace.isTrusted = true;
      let finish: (analysis: ModelAnalysis) => void = () => undefined;
      const evaluated: string[] = [];
      const models = new ModelsTreeProvider(catalog, {
        documents: () => undefined,
        evaluate: (fileName) => {
          evaluated.push(fileName);
          return new Promise((resolve) => (finish = resolve));
        },
      });
      const refreshed = new Promise<void>((resolve) => models.onDidChangeTreeData(() => resolve()));
      assert.equal(await description(models), RESOLVING_NOTE);
      assert.equal(await description(models), RESOLVING_NOTE);
      assert.deepEqual(evaluated, [file], 'run once per file version');
      finish({ format: 'typescript', diagnostics: [], summary: { totalParams: 114_634 } } as unknown as ModelAnalysis);
      await refreshed;
      assert.equal(await description(models), '114,634 params');
      models.dispose();
    });

    it('says it needs a trusted workspace to count, and runs nothing, in an untrusted one', async () => {
      const models = new ModelsTreeProvider(catalog, {
        documents: () => undefined,
        evaluate: () => assert.fail('an untrusted workspace must not run the module'),
      });
      const text = await description(models);
      assert.equal(text, NEEDS_TRUST_NOTE);
      assert.doesNotMatch(text, /params/);
      models.dispose();
    });

    it('shows "resolving…" for an open document whose evaluation is pending, in the view and the editor', async () => {
      fake.workspace.isTrusted = true;
      const documents = new ModelDocuments(ctx);
      const document = new FakeDocument(file, 'typescript', LOOP_MODEL);
      state.documents.push(document);
      assert.equal(documents.isResolving(document as unknown as vscode.TextDocument), true);
      const models = new ModelsTreeProvider(catalog, { documents: () => documents, evaluate: () => assert.fail('the open document is the editor’s to run') });
      assert.equal(await description(models), RESOLVING_NOTE);
      models.dispose();
      documents.dispose();
    });

    it('shows a broken model\'s errors and no total: the summary stops at the first error, so its total would be wrong', async () => {
      const broken = join(ws, 'broken.model.json');
      // Dense gives (None, 8, 8, 4) and 8 params; the 9×9 kernel is larger than that.
      writeFileSync(broken, JSON.stringify({ inputShape: [8, 8, 1], layers: [{ type: 'Dense', units: 4 }, { type: 'Conv2D', filters: 2, kernelSize: 9 }] }));
      fake.workspace.findFiles = async () => [Uri.file(broken)];
      const models = new ModelsTreeProvider(catalog, { documents: () => undefined, evaluate: () => assert.fail('a JSON model is never run') });
      assert.equal(await description(models), '1 error');
      models.dispose();
    });
  });
});

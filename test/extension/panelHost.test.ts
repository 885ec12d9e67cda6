// The run panel's host side (src/extension/panel.ts) with the fake vscode: which editor column
// panels open in (one group beside the model, issue 10 item 13), a run deleted or missing on
// restore (item 3), the earlier run of a resumed run (item 2), and the saved model that decides
// whether Export Model is offered (item 4).
import { runsUi } from './runsFake';
import { EventEmitter, Uri } from './fakeVscode';
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { HostToWebview, PanelRunAction, WebviewToHost } from '../../src/channels/webview';
import type { RunRecord } from '../../src/runs/format';
import { panelColumn, RunPanel, type PanelDeps } from '../../src/extension/panel';
import type { TrainerEvent } from '../../src/channels/trainer';
import type { TrainingSession } from '../../src/extension/trainerManager';
import { record } from '../webview/fixtures';

const fake = require('vscode') as { window: Record<string, unknown>; ViewColumn: Record<string, number>; Uri: Record<string, unknown> };

const BESIDE = fake.ViewColumn.Beside;

interface FakePanel {
  viewColumn: number | undefined;
  title: string;
  visible: boolean;
  active: boolean;
  posted: HostToWebview[];
  disposed: boolean;
  send(message: WebviewToHost): void;
  dispose(): void;
}

const created: { column: number; panel: FakePanel }[] = [];
let nextColumn = 2;

Object.assign(fake.ViewColumn, { Active: -1, One: 1, Two: 2, Three: 3 });
if (!fake.Uri.joinPath) fake.Uri.joinPath = (base: Uri, ...parts: string[]) => Uri.file(path.posix.join(base.path, ...parts));
Object.assign(fake.window, {
  createWebviewPanel(_viewType: string, title: string, column: number) {
    const messages = new EventEmitter<WebviewToHost>();
    const disposed = new EventEmitter<void>();
    const viewState = new EventEmitter<void>();
    // VS Code resolves Beside to the column right of the active editor; here the model sits in column 1.
    const resolved = column === BESIDE ? nextColumn++ : column;
    const panel: FakePanel & Record<string, unknown> = {
      viewColumn: resolved,
      title,
      visible: true,
      active: true,
      posted: [],
      disposed: false,
      iconPath: undefined,
      webview: {
        html: '',
        options: {},
        cspSource: 'vscode-resource:',
        asWebviewUri: (uri: Uri) => uri,
        postMessage: async (message: HostToWebview) => panel.posted.push(message),
        onDidReceiveMessage: messages.event,
      },
      onDidDispose: disposed.event,
      onDidChangeViewState: viewState.event,
      reveal: () => undefined,
      send: (message: WebviewToHost) => messages.fire(message),
      dispose: () => {
        if (panel.disposed) return;
        panel.disposed = true;
        disposed.fire();
      },
    };
    created.push({ column, panel });
    return panel;
  },
});

const catalogChanged = new EventEmitter<void>();
let catalogRefreshes = 0;
const entries = new Map<string, { record: RunRecord; runDir: string }>();
const actions: { runId: string; action: PanelRunAction }[] = [];

const deps = {
  ctx: { extension: { extensionUri: Uri.file('/ext') }, output: { appendLine: () => undefined } },
  catalog: {
    lookup: async (runId: string) => entries.get(runId),
    onDidChange: catalogChanged.event,
    scheduleRefresh: () => {
      catalogRefreshes += 1;
    },
    get runs() {
      return [...entries.values()];
    },
  },
  trainer: { sessions: [], onDidChangeSessions: new EventEmitter<void>().event },
  runAction: (runId: string, action: PanelRunAction) => actions.push({ runId, action }),
} as unknown as PanelDeps;

async function waitFor<T>(find: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const found = find();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function posted<K extends HostToWebview['type']>(panel: FakePanel, type: K): Extract<HostToWebview, { type: K }> | undefined {
  return panel.posted.find((message) => message.type === type) as Extract<HostToWebview, { type: K }> | undefined;
}

let root: string;

function writeRun(runId: string, overrides: Partial<RunRecord> = {}): string {
  const runDir = path.join(root, '.cnnlab', 'runs', runId);
  mkdirSync(runDir, { recursive: true });
  const value = record({ id: runId, ...overrides });
  writeFileSync(path.join(runDir, 'run.json'), JSON.stringify(value));
  writeFileSync(path.join(runDir, 'metrics.jsonl'), '');
  entries.set(runId, { record: value, runDir });
  return runDir;
}

function openRun(runId: string): FakePanel {
  RunPanel.showRun(deps, runId);
  const panel = created.at(-1)!.panel;
  panel.send({ type: 'ready' });
  return panel;
}

describe('run panel host', () => {
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'cnnlab-panel-'));
    runsUi.reset();
    actions.length = 0;
    catalogRefreshes = 0;
    entries.clear();
    nextColumn = 2;
  });
  afterEach(() => {
    for (const { panel } of created.splice(0)) panel.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  describe('one editor group for CNN Lab panels', () => {
    it('opens beside the model while no CNN Lab panel is open', () => {
      assert.equal(panelColumn(), BESIDE);
      writeRun('run-1');
      RunPanel.showRun(deps, 'run-1');
      assert.equal(created[0].column, BESIDE);
    });

    it('opens runs and comparisons in the column of the CNN Lab panel already open, not a new group each time', () => {
      writeRun('run-1');
      writeRun('run-2');
      RunPanel.showRun(deps, 'run-1');
      const first = created[0].panel.viewColumn;
      RunPanel.showRun(deps, 'run-2');
      RunPanel.showCompare(deps, ['run-1', 'run-2']);
      RunPanel.showTraining(deps, { modelFile: 'models/cnn.model.json', dataset: 'shapes', epochs: 1 }, new Promise(() => undefined));
      assert.deepEqual(created.map(({ column }) => column), [BESIDE, first, first, first]);
      assert.equal(panelColumn(), first);
    });

    it('goes beside the model again once every CNN Lab panel is closed', () => {
      writeRun('run-1');
      RunPanel.showRun(deps, 'run-1');
      created[0].panel.dispose();
      assert.equal(panelColumn(), BESIDE);
    });
  });

  describe('a deleted run', () => {
    it('restored after a reload with its folder gone: the page is told, not left "Loading run…"', async () => {
      const panel = openRun('gone-1');
      const gone = await waitFor(() => posted(panel, 'gone'), 'gone');
      assert.equal(gone.runId, 'gone-1');
      assert.match(gone.folder, /gone-1/);
      assert.equal(posted(panel, 'load'), undefined);
    });

    it('deleted while shown: noticed when the run catalog changes', async () => {
      const runDir = writeRun('run-1');
      const panel = openRun('run-1');
      await waitFor(() => posted(panel, 'load'), 'load');
      rmSync(runDir, { recursive: true, force: true });
      catalogChanged.fire();
      const gone = await waitFor(() => posted(panel, 'gone'), 'gone');
      assert.match(gone.folder, /run-1/);
    });

    it('deleted while shown: an action says so instead of doing nothing', async () => {
      const runDir = writeRun('run-1');
      const panel = openRun('run-1');
      await waitFor(() => posted(panel, 'load'), 'load');
      rmSync(runDir, { recursive: true, force: true });
      panel.send({ type: 'runAction', runId: 'run-1', action: 'revealFolder' });
      await waitFor(() => posted(panel, 'gone'), 'gone');
      assert.deepEqual(actions, []);
      // The file watcher missed the deletion: the Runs view is read again, so that it drops the run too.
      assert.equal(catalogRefreshes, 1);
    });

    it('the page\'s Close closes the panel', () => {
      const panel = openRun('gone-1');
      panel.send({ type: 'close' });
      assert.equal(panel.disposed, true);
    });

    it('an action on a run still on disk is passed on', async () => {
      writeRun('run-1');
      const panel = openRun('run-1');
      await waitFor(() => posted(panel, 'load'), 'load');
      panel.send({ type: 'runAction', runId: 'run-1', action: 'exportCsv' });
      await waitFor(() => actions[0], 'action');
      assert.deepEqual(actions, [{ runId: 'run-1', action: 'exportCsv' }]);
    });
  });

  describe('a run that failed before it started (its dataset could not be loaded)', () => {
    /** A training panel on a session whose trainer failed before `started`, as TrainingSession reports it. */
    function failedEarly(runId: string, when: 'before the panel attached' | 'after'): { panel: FakePanel; fire: () => void } {
      const emitter = new EventEmitter<TrainerEvent>();
      const session = { runId: undefined as string | undefined, events: [] as TrainerEvent[], onEvent: emitter.event, stop: async () => undefined };
      const failed: TrainerEvent = { type: 'failed', message: 'Could not download mnist.', hint: 'Point CNNLAB_DATA_DIR at the files.', record: entries.get(runId)!.record };
      const fire = (): void => {
        session.runId = runId;
        session.events.push(failed);
        emitter.fire(failed);
      };
      if (when === 'before the panel attached') fire();
      RunPanel.showTraining(deps, { modelFile: 'models/cnn.model.json', dataset: 'mnist', epochs: 1 }, Promise.resolve(session as unknown as TrainingSession));
      const panel = created.at(-1)!.panel;
      panel.send({ type: 'ready' });
      return { panel, fire };
    }

    for (const when of ['before the panel attached', 'after'] as const) {
      it(`failed ${when}: named as the Runs view names it, and noticed when its folder is deleted`, async () => {
        const runDir = writeRun('run-9', { status: 'failed', error: { message: 'Could not download mnist.' } });
        const { panel, fire } = failedEarly('run-9', when);
        if (when === 'after') {
          await new Promise((resolve) => setTimeout(resolve, 20));
          fire();
        }
        const name = await waitFor(() => posted(panel, 'name'), 'name');
        assert.equal(name.runId, 'run-9');
        assert.match(panel.title, /^CNN Lab: /);
        assert.doesNotMatch(panel.title, /cnn\.model\.json/);
        rmSync(runDir, { recursive: true, force: true });
        catalogChanged.fire();
        const gone = await waitFor(() => posted(panel, 'gone'), 'gone');
        assert.equal(gone.runId, 'run-9');
      });
    }

    it('a page drawn again (hidden and shown, or its frame replaced) is told the name again', async () => {
      writeRun('run-9', { status: 'failed', error: { message: 'Could not download mnist.' } });
      const { panel } = failedEarly('run-9', 'before the panel attached');
      await waitFor(() => posted(panel, 'name'), 'name');
      panel.posted.length = 0;
      panel.send({ type: 'ready' });
      const name = await waitFor(() => posted(panel, 'name'), 'the name again');
      assert.equal(name.runId, 'run-9');
    });

    it('deleted from the Runs view: its panel is closed with it', async () => {
      writeRun('run-9', { status: 'failed', error: { message: 'Could not download mnist.' } });
      const { panel } = failedEarly('run-9', 'before the panel attached');
      await waitFor(() => posted(panel, 'name'), 'name');
      RunPanel.closeRun('run-9');
      assert.equal(panel.disposed, true);
    });
  });

  describe('a resumed run', () => {
    it('names the run it continues as the Runs view does, and its link opens that run', async () => {
      writeRun('run-1', { label: 'baseline' });
      writeRun('run-2', { resumedFrom: 'run-1' });
      const panel = openRun('run-2');
      const continues = await waitFor(() => posted(panel, 'continues'), 'continues');
      assert.deepEqual(continues, { type: 'continues', runId: 'run-2', from: { runId: 'run-1', title: 'baseline', exists: true } });
      panel.send({ type: 'openRun', runId: 'run-1' });
      await waitFor(() => runsUi.executed[0], 'command');
      assert.deepEqual(runsUi.executed, [{ id: 'cnnLab.openRun', args: ['run-1'] }]);
    });

    it('says when the earlier run was deleted', async () => {
      writeRun('run-2', { resumedFrom: 'run-1' });
      const panel = openRun('run-2');
      const continues = await waitFor(() => posted(panel, 'continues'), 'continues');
      assert.equal(continues.from.exists, false);
    });
  });

  describe('Export Model is offered only with a saved model', () => {
    it('no model folder: savedModel false', async () => {
      writeRun('run-1', { status: 'failed', error: { message: 'boom' } });
      const panel = openRun('run-1');
      assert.deepEqual(await waitFor(() => posted(panel, 'files'), 'files'), { type: 'files', runId: 'run-1', savedModel: false });
    });

    it('model/best/model.json: savedModel true', async () => {
      const runDir = writeRun('run-1');
      mkdirSync(path.join(runDir, 'model', 'best'), { recursive: true });
      writeFileSync(path.join(runDir, 'model', 'best', 'model.json'), '{}');
      const panel = openRun('run-1');
      assert.deepEqual(await waitFor(() => posted(panel, 'files'), 'files'), { type: 'files', runId: 'run-1', savedModel: true });
    });
  });
});

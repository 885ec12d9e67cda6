// How the run panel's host (src/extension/panel.ts) names runs (issue 10 item 8): the live
// training panel's tab and page by the Runs view's name, never the raw id; a rename reaches an open
// panel and an open comparison; a run deleted from a comparison is named on the page, not skipped.
import { runsUi } from './runsFake';
import { EventEmitter, Uri } from './fakeVscode';
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { TrainerEvent } from '../../src/channels/trainer';
import type { HostToWebview, WebviewToHost } from '../../src/channels/webview';
import type { RunRecord } from '../../src/runs/format';
import { RunPanel, type PanelDeps } from '../../src/extension/panel';
import type { TrainingSession } from '../../src/extension/trainerManager';
import { record } from '../webview/fixtures';

const fake = require('vscode') as { window: Record<string, unknown>; ViewColumn: Record<string, number>; Uri: Record<string, unknown> };

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

const created: FakePanel[] = [];

function createWebviewPanel(_viewType: string, title: string): FakePanel {
  const messages = new EventEmitter<WebviewToHost>();
  const disposed = new EventEmitter<void>();
  const panel: FakePanel & Record<string, unknown> = {
    viewColumn: 2,
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
    onDidChangeViewState: new EventEmitter<void>().event,
    reveal: () => undefined,
    send: (message: WebviewToHost) => messages.fire(message),
    dispose: () => {
      if (panel.disposed) return;
      panel.disposed = true;
      disposed.fire();
    },
  };
  created.push(panel);
  return panel;
}

const catalogChanged = new EventEmitter<void>();
const entries = new Map<string, { record: RunRecord; runDir: string; modelPath: string }>();

const deps = {
  ctx: { extension: { extensionUri: Uri.file('/ext') }, output: { appendLine: () => undefined } },
  catalog: {
    lookup: async (runId: string) => entries.get(runId),
    onDidChange: catalogChanged.event,
    // A panel that finds its run gone has the catalog read again (as the real RunCatalog does).
    scheduleRefresh: () => undefined,
    get runs() {
      return [...entries.values()];
    },
  },
  trainer: { sessions: [], onDidChangeSessions: new EventEmitter<void>().event },
  runAction: () => undefined,
} as unknown as PanelDeps;

let root: string;

function writeRun(runId: string, overrides: Partial<RunRecord> = {}): string {
  const runDir = path.join(root, '.cnnlab', 'runs', runId);
  mkdirSync(runDir, { recursive: true });
  const value = record({ id: runId, ...overrides });
  writeFileSync(path.join(runDir, 'run.json'), JSON.stringify(value));
  writeFileSync(path.join(runDir, 'metrics.jsonl'), '');
  entries.set(runId, { record: value, runDir, modelPath: path.join(root, value.modelFile) });
  return runDir;
}

/** A run.json rewritten with a label, as the Rename command does, and the catalog told. */
function rename(runId: string, label: string): void {
  const entry = entries.get(runId)!;
  const value = { ...entry.record, label };
  writeFileSync(path.join(entry.runDir, 'run.json'), JSON.stringify(value));
  entries.set(runId, { ...entry, record: value });
  catalogChanged.fire();
}

async function waitFor<T>(find: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const found = find();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The tab title now (a function, so that TypeScript does not narrow it across asserts). */
function titleOf(panel: FakePanel): string {
  return panel.title;
}

function lastPosted<K extends HostToWebview['type']>(panel: FakePanel, type: K): Extract<HostToWebview, { type: K }> | undefined {
  return panel.posted.filter((message) => message.type === type).at(-1) as Extract<HostToWebview, { type: K }> | undefined;
}

function fakeSession(): TrainingSession & { fire(event: TrainerEvent): void } {
  const emitter = new EventEmitter<TrainerEvent>();
  const session = {
    runId: undefined as string | undefined,
    events: [] as TrainerEvent[],
    onEvent: emitter.event,
    done: new Promise(() => undefined),
    stop: async () => undefined,
    fire(event: TrainerEvent) {
      if (event.type === 'started') session.runId = event.runId;
      session.events.push(event);
      emitter.fire(event);
    },
  };
  return session as unknown as TrainingSession & { fire(event: TrainerEvent): void };
}

describe('run panel names (issue 10 item 8)', () => {
  let previousCreate: unknown;
  before(() => {
    previousCreate = fake.window.createWebviewPanel;
    fake.window.createWebviewPanel = createWebviewPanel;
    if (!fake.Uri.joinPath) fake.Uri.joinPath = (base: Uri, ...parts: string[]) => Uri.file(path.posix.join(base.path, ...parts));
  });
  after(() => {
    fake.window.createWebviewPanel = previousCreate;
  });
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'cnnlab-panel-names-'));
    runsUi.reset();
    entries.clear();
  });
  afterEach(() => {
    for (const panel of created.splice(0)) panel.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  it('names a run being trained as the Runs view does once it started, never by its id, and follows a rename', async () => {
    writeRun('20260101-100000-cnn-aaaa', { startedAt: '2026-01-01T10:00:00.000Z' });
    const session = fakeSession();
    RunPanel.showTraining(deps, { modelFile: 'models/cnn.model.json', dataset: 'shapes', epochs: 3 }, Promise.resolve(session));
    const panel = created.at(-1)!;
    panel.send({ type: 'ready' });
    assert.equal(titleOf(panel), 'CNN Lab: cnn.model.json');

    const runId = '20260101-110000-cnn-bbbb';
    const runDir = writeRun(runId, { status: 'running', startedAt: '2026-01-01T11:00:00.000Z' });
    await waitFor(() => lastPosted(panel, 'starting'), 'the starting message');
    session.fire({ type: 'started', runId, runDir, backend: { name: 'cpu', device: 'CPU' }, summary: record().summary, epochs: 3, stepsPerEpoch: 2, examples: { train: 4, validation: 1, test: 2 } } as TrainerEvent);
    const named = await waitFor(() => lastPosted(panel, 'name'), 'the run name');
    assert.deepEqual(named, { type: 'name', runId, name: 'cnn #2' });
    assert.equal(titleOf(panel), 'CNN Lab: cnn #2');
    // The page learnt the run's id (the started event) before its name, so it can apply it.
    const startedAt = panel.posted.findIndex((message) => message.type === 'event' && message.event.type === 'started');
    assert.ok(startedAt >= 0 && startedAt < panel.posted.indexOf(named));
    assert.ok(!titleOf(panel).includes(runId));

    rename(runId, 'wide kernels');
    assert.equal(titleOf(panel), 'CNN Lab: wide kernels');
    assert.deepEqual(lastPosted(panel, 'name'), { type: 'name', runId, name: 'wide kernels' });
  });

  it('titles a run opened from disk by its name, posts the name after loading it, and follows a rename', async () => {
    writeRun('20260101-100000-cnn-aaaa', { startedAt: '2026-01-01T10:00:00.000Z' });
    RunPanel.showRun(deps, '20260101-100000-cnn-aaaa');
    const panel = created.at(-1)!;
    assert.equal(titleOf(panel), 'CNN Lab: cnn #1');
    panel.send({ type: 'ready' });
    await waitFor(() => lastPosted(panel, 'name'), 'the run name');
    const loadAt = panel.posted.findIndex((message) => message.type === 'load');
    assert.ok(loadAt >= 0 && loadAt < panel.posted.findIndex((message) => message.type === 'name'), 'the name comes after the load that resets the page');
    rename('20260101-100000-cnn-aaaa', 'baseline');
    assert.equal(titleOf(panel), 'CNN Lab: baseline');
    assert.deepEqual(lastPosted(panel, 'name'), { type: 'name', runId: '20260101-100000-cnn-aaaa', name: 'baseline' });
  });

  it('compare: redraws with the new name after a rename, and names a run deleted since instead of skipping it', async () => {
    writeRun('20260101-100000-cnn-aaaa', { startedAt: '2026-01-01T10:00:00.000Z' });
    const second = writeRun('20260101-110000-cnn-bbbb', { startedAt: '2026-01-01T11:00:00.000Z' });
    RunPanel.showCompare(deps, ['20260101-100000-cnn-aaaa', '20260101-110000-cnn-bbbb']);
    const panel = created.at(-1)!;
    panel.send({ type: 'ready' });
    const first = await waitFor(() => lastPosted(panel, 'compare'), 'the comparison');
    assert.deepEqual(first.runs.map((run) => run.name), ['cnn #1', 'cnn #2']);
    assert.equal(first.missing, undefined);

    rename('20260101-100000-cnn-aaaa', 'baseline');
    const renamed = await waitFor(() => (panel.posted.filter((message) => message.type === 'compare').length === 2 ? lastPosted(panel, 'compare') : undefined), 'the comparison again');
    assert.deepEqual(renamed.runs.map((run) => run.name), ['baseline', 'cnn #2']);

    rmSync(second, { recursive: true, force: true });
    entries.delete('20260101-110000-cnn-bbbb');
    catalogChanged.fire();
    const afterDelete = await waitFor(() => (panel.posted.filter((message) => message.type === 'compare').length === 3 ? lastPosted(panel, 'compare') : undefined), 'the comparison without the deleted run');
    assert.deepEqual(afterDelete.runs.map((run) => run.name), ['baseline']);
    assert.deepEqual(afterDelete.missing, [{ runId: '20260101-110000-cnn-bbbb', name: 'cnn #2' }]);
  });

  it('compare restored with a run already gone: names it by its id, the only name left', async () => {
    writeRun('20260101-100000-cnn-aaaa');
    RunPanel.showCompare(deps, ['20260101-100000-cnn-aaaa', '20260101-120000-cnn-gone']);
    const panel = created.at(-1)!;
    panel.send({ type: 'ready' });
    const message = await waitFor(() => lastPosted(panel, 'compare'), 'the comparison');
    assert.equal(message.runs.length, 1);
    assert.deepEqual(message.missing, [{ runId: '20260101-120000-cnn-gone', name: '20260101-120000-cnn-gone' }]);
  });
});

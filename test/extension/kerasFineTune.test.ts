// Train… and Fine-tune… on a Keras saved model in VS Code (src/extension/kerasEditor.ts, runs.ts):
// the editor page's buttons run **CNN Lab: Train Model** on the .keras/.h5 file itself, Fine-tune…
// asking for the file's weights; that command reads the binary file's architecture, asks for the
// settings (titled Fine-tune), and the launcher hands the trainer a request whose job starts from
// the file's weights (TrainJob.initialWeights). A re-run of a fine-tuning run fine-tunes again.
import { runsUi, setWorkspaceFolders } from './runsFake';
import { EventEmitter, Uri, state } from './fakeVscode';
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { Ctx } from '../../src/extension/ctx';
import { KERAS_EDITOR_VIEW_TYPE, register as registerKeras } from '../../src/extension/kerasEditor';
import { ModelDocuments } from '../../src/extension/modelDocuments';
import type { RunCatalog } from '../../src/extension/runCatalog';
import { register as registerRuns } from '../../src/extension/runs';
import type { TrainerManager, TrainingRequest } from '../../src/extension/trainerManager';
import { runTooltip } from '../../src/extension/runsView';
import { runsDirFor } from '../../src/runs/store';
import { plantRun, sampleRecord } from '../trainer/runFolders';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'keras-saved', 'partial_frozen.keras');

const fake = require('vscode') as {
  window: Record<string, unknown>;
  workspace: Record<string, unknown> & { isTrusted: boolean };
  Uri: Record<string, unknown>;
};
const disposable = { dispose: (): void => undefined };

interface FakeEditorProvider {
  openCustomDocument(uri: Uri): vscode.CustomDocument;
  resolveCustomEditor(document: vscode.CustomDocument, panel: unknown): Promise<void>;
}

/** A webview panel: what the page is shown as, and a way to post what its buttons post. */
function fakePanel(): { panel: Record<string, unknown>; webview: { html: string }; send(message: unknown): void; dispose(): void } {
  const messages = new EventEmitter<unknown>();
  const disposed = new EventEmitter<void>();
  const webview = { html: '', options: {}, cspSource: 'vscode-resource:', asWebviewUri: (uri: Uri) => uri, postMessage: async () => true, onDidReceiveMessage: messages.event };
  const panel = { viewColumn: 1, visible: true, active: true, webview, onDidDispose: disposed.event, onDidChangeViewState: new EventEmitter<void>().event, reveal: () => undefined, dispose: () => disposed.fire() };
  return { panel, webview, send: (message) => messages.fire(message), dispose: () => disposed.fire() };
}

describe('Train… and Fine-tune… on a Keras saved model', function () {
  this.timeout(30_000);
  const saved: Record<string, unknown> = {};
  const panels: ReturnType<typeof fakePanel>[] = [];
  let ctx: Ctx;
  let requests: TrainingRequest[];
  let quickPickTitles: string[];

  before(() => {
    saved.registerCustomEditorProvider = fake.window.registerCustomEditorProvider;
    saved.createWebviewPanel = fake.window.createWebviewPanel;
    saved.showQuickPick = fake.window.showQuickPick;
    saved.asRelativePath = fake.workspace.asRelativePath;
    // As runsFake sets it (another suite's teardown may have removed it).
    fake.workspace.asRelativePath = (target: Uri | string) => (typeof target === 'string' ? target : target.fsPath);
    fake.window.createWebviewPanel = () => {
      const created = fakePanel();
      panels.push(created);
      return created.panel;
    };
    // The settings step: the first item, "Start with these settings".
    fake.window.showQuickPick = async (items: unknown[], options: { title: string }) => {
      quickPickTitles.push(options.title);
      return items[0];
    };
    if (!fake.Uri.joinPath) fake.Uri.joinPath = (base: Uri, ...parts: string[]) => Uri.file(path.posix.join(base.path, ...parts));
  });

  after(() => {
    Object.assign(fake.window, { registerCustomEditorProvider: saved.registerCustomEditorProvider, createWebviewPanel: saved.createWebviewPanel, showQuickPick: saved.showQuickPick });
    fake.workspace.asRelativePath = saved.asRelativePath;
  });

  beforeEach(() => {
    state.reset();
    runsUi.reset();
    requests = [];
    quickPickTitles = [];
    ctx = new Ctx({ extensionUri: Uri.file('/ext') } as unknown as vscode.ExtensionContext);
  });

  afterEach(() => {
    for (const panel of panels.splice(0)) panel.dispose();
    ctx.dispose();
    setWorkspaceFolders([]);
    fake.workspace.isTrusted = false;
  });

  /** A trainer that records what it is asked to start; the run never starts (the panel waits). */
  const recordingTrainer = (): TrainerManager =>
    ({
      sessions: [],
      onDidChangeSessions: new EventEmitter<void>().event,
      start: (request: TrainingRequest) => {
        requests.push(request);
        return new Promise(() => undefined);
      },
      startCli: async () => {
        throw new Error('not used here');
      },
    }) as unknown as TrainerManager;

  it("the page's Fine-tune… runs CNN Lab: Train Model on the file from its weights, Train… from new ones", async () => {
    const providers = new Map<string, FakeEditorProvider>();
    fake.window.registerCustomEditorProvider = (viewType: string, provider: FakeEditorProvider) => {
      providers.set(viewType, provider);
      return disposable;
    };
    registerKeras(ctx, recordingTrainer(), {} as RunCatalog);
    const provider = providers.get(KERAS_EDITOR_VIEW_TYPE);
    assert.ok(provider);
    const uri = Uri.file(FIXTURE);
    const page = fakePanel();
    await provider.resolveCustomEditor(provider.openCustomDocument(uri), page.panel);
    assert.match(page.webview.html, /<button id="fineTune"[^>]*title="Train further from this file's weights[^"]*">Fine-tune…<\/button>/);
    assert.doesNotMatch(page.webview.html, /not available/);

    page.send({ type: 'fineTune' });
    page.send({ type: 'train' });
    page.send({ type: 'delete' });
    assert.deepEqual(runsUi.executed, [
      { id: 'cnnLab.train', args: [uri, { fineTune: true }] },
      { id: 'cnnLab.train', args: [uri, { fineTune: false }] },
    ]);
    page.dispose();
  });

  it('CNN Lab: Train Model on a .keras file asks the trainer to start from its weights when fine-tuning, and a re-run does again', async () => {
    const ws = path.join(mkdtempSync(path.join(tmpdir(), 'cnnlab-keras-fine-tune-')), 'ws');
    mkdirSync(runsDirFor(ws), { recursive: true });
    setWorkspaceFolders([ws]);
    fake.workspace.isTrusted = true;
    registerRuns(ctx, recordingTrainer(), ctx.own(new ModelDocuments(ctx)));
    const train = state.commands.get('cnnLab.train');
    assert.ok(train);

    await train(Uri.file(FIXTURE), { fineTune: true });
    await train(Uri.file(FIXTURE));
    assert.deepEqual(runsUi.errors, []);
    assert.deepEqual(quickPickTitles, [`Fine-tune ${FIXTURE}`, `Train ${FIXTURE}`]);
    assert.deepEqual(
      requests.map((request) => [request.modelFile, request.initialWeights]),
      [
        [FIXTURE, 'model-file'],
        [FIXTURE, undefined],
      ],
    );

    const runId = '20261201-120000-partial-frozen-aaaa';
    plantRun(runsDirFor(ws), runId, sampleRecord(runId, { modelFile: FIXTURE, dataset: 'folder:photos', status: 'completed', initialWeights: { from: FIXTURE } }));
    await state.commands.get('cnnLab.rerun')?.(runId);
    assert.deepEqual(runsUi.errors, []);
    assert.equal(requests.at(-1)?.initialWeights, 'model-file');
    assert.equal(requests.at(-1)?.overrides?.dataset, 'folder:photos');
  });

  it("the Runs view's tooltip says a run started from the file's weights", () => {
    const fineTuned = sampleRecord('r1', { modelFile: 'models/partial_frozen.keras', initialWeights: { from: 'models/partial_frozen.keras' } });
    assert.match(runTooltip(fineTuned, Date.now()).value, /^- fine-tuned from the weights saved in models\\\/partial\\_frozen\\\.keras$/m);
    assert.doesNotMatch(runTooltip(sampleRecord('r2'), Date.now()).value, /fine-tuned/);
  });
});

// The doctor view's host side (src/extension/doctorView.ts) with the fake vscode (issue 10 item 14):
// one read-only page, reused, opened where CNN Lab panels go, its sections in the CLI's order, a
// Refresh that never runs two checks at once, and this window's training runs passed to the CLI so
// that it leaves the backends unloaded.
import './runsFake';
import { EventEmitter, state, Uri } from './fakeVscode';
import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { Ctx } from '../../src/extension/ctx';
import { register, type DoctorTrainer } from '../../src/extension/doctorView';
import type { TrainingSession } from '../../src/extension/trainerManager';
import type { TrainerEvent } from '../../src/channels/trainer';
import type { RunRecord } from '../../src/runs/format';
import { runsDirFor } from '../../src/runs/store';
import type { DoctorReport } from '../../src/runtime/doctorReport';
import { plantRun, sampleRecord } from '../trainer/runFolders';

const fake = require('vscode') as { window: Record<string, unknown>; workspace: Record<string, unknown>; ViewColumn: Record<string, number>; Uri: Record<string, unknown> };

interface FakePanel {
  viewType: string;
  title: string;
  column: number;
  options: { enableScripts?: boolean; localResourceRoots?: unknown[] };
  webview: { html: string };
  reveals: number;
  send(message: unknown): void;
  dispose(): void;
}

const created: FakePanel[] = [];

function createWebviewPanel(viewType: string, title: string, column: number, options: FakePanel['options']): FakePanel {
  const messages = new EventEmitter<unknown>();
  const disposed = new EventEmitter<void>();
  const panel: FakePanel & Record<string, unknown> = {
    viewType,
    title,
    column,
    options,
    reveals: 0,
    webview: { html: '', onDidReceiveMessage: messages.event } as FakePanel['webview'],
    onDidDispose: disposed.event,
    reveal: () => (panel.reveals += 1),
    send: (message) => messages.fire(message),
    dispose: () => disposed.fire(),
  };
  created.push(panel);
  return panel;
}

function report(overrides: Partial<DoctorReport> = {}): DoctorReport {
  return {
    node: { version: 'v20.1.0', execPath: '/usr/bin/node', insideElectron: false, platform: 'linux', arch: 'x64' },
    installRoot: '/ext',
    backends: [{ name: 'wasm', device: 'EPYC <img src=x onerror=alert(1)> (WebAssembly)' }],
    autoChoice: 'wasm',
    nvidiaGpus: [],
    cudaLibraries: [],
    vulkanDrivers: [],
    advice: ['Run `npm install x` & wait.'],
    runsInProgress: [],
    ...overrides,
  };
}

/** A trainer manager whose doctor answers with `next` (a report, or an error to throw). */
class FakeTrainer implements DoctorTrainer {
  sessions: TrainingSession[] = [];
  calls: string[][] = [];
  next: DoctorReport | Error = report();
  /** Resolves the check in flight, when `hold` is set. */
  hold = false;
  private release: (() => void) | undefined;

  nameRun = (record: RunRecord): string => `${record.modelFile.replace(/\.model\.json$/, '')} #3`;

  async runDoctor(args: string[]): Promise<{ stdout: string; search: { found: { path: string; version: string; source: 'PATH' }; rejected: [] } }> {
    this.calls.push(args);
    if (this.hold) await new Promise<void>((resolve) => (this.release = resolve));
    if (this.next instanceof Error) throw this.next;
    return { stdout: JSON.stringify(this.next), search: { found: { path: '/usr/bin/node', version: 'v20.1.0', source: 'PATH' }, rejected: [] } };
  }

  finish(): void {
    this.release?.();
  }
}

function session(modelFile: string, events: TrainerEvent[]): TrainingSession {
  return { modelFile, events } as unknown as TrainingSession;
}

const headings = (html: string): string[] => [...html.matchAll(/<h2>(.*?)<\/h2>/g)].map((match) => match[1]);
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('doctor view (issue 10 item 14)', () => {
  const saved: Record<string, unknown> = {};
  let ctx: Ctx;
  let trainer: FakeTrainer;
  let workspaceRoot: string;

  before(() => {
    saved.createWebviewPanel = fake.window.createWebviewPanel;
    saved.workspaceFolders = fake.workspace.workspaceFolders;
    saved.joinPath = fake.Uri.joinPath;
    fake.window.createWebviewPanel = createWebviewPanel;
    fake.Uri.joinPath = (base: Uri, ...parts: string[]) => Uri.file(path.posix.join(base.path, ...parts));
  });

  after(() => {
    fake.window.createWebviewPanel = saved.createWebviewPanel;
    fake.workspace.workspaceFolders = saved.workspaceFolders;
    fake.Uri.joinPath = saved.joinPath;
  });

  beforeEach(() => {
    state.reset();
    created.length = 0;
    workspaceRoot = mkdtempSync(path.join(tmpdir(), 'cnnlab-doctor-view-'));
    fake.workspace.workspaceFolders = [{ uri: Uri.file(workspaceRoot), name: 'ws', index: 0 }];
    ctx = new Ctx({ extensionUri: Uri.file('/ext') } as unknown as vscode.ExtensionContext);
    trainer = new FakeTrainer();
    register(ctx, trainer);
  });

  afterEach(() => {
    for (const panel of created) panel.dispose();
    ctx.dispose();
  });

  const runDoctorCommand = (): Promise<void> => state.commands.get('cnnLab.doctor')!() as Promise<void>;

  it('opens one read-only page beside the model, with the CLI\'s sections in order and how the Node was found', async () => {
    await runDoctorCommand();
    assert.equal(created.length, 1);
    const [panel] = created;
    assert.equal(panel.title, 'CNN Lab: Doctor');
    assert.equal(panel.column, fake.ViewColumn.Beside);
    assert.deepEqual(panel.options.localResourceRoots, [], 'the page loads nothing');
    assert.deepEqual(headings(panel.webview.html), ['Node running the trainer', 'Backends (auto picks: wasm)', 'GPU, CUDA and Vulkan', 'What to do']);
    assert.match(panel.webview.html, /<p>✓ v20\.1\.0 at \/usr\/bin\/node \(linux-x64\)<\/p><p>Found via PATH\.<\/p>/);
    assert.deepEqual(trainer.calls, [['--json', '--runs-dir', runsDirFor(workspaceRoot)]]);
  });

  it('has a strict CSP: nothing but its own nonce-marked style and script', async () => {
    await runDoctorCommand();
    const html = created[0].webview.html;
    const nonce = /script-src 'nonce-([^']+)'/.exec(html)?.[1];
    assert.ok(nonce, html);
    assert.match(html, new RegExp(`content="default-src 'none'; style-src 'nonce-${nonce.replace(/[+/=]/g, '\\$&')}'; script-src 'nonce-`));
    assert.equal([...html.matchAll(/<script\b([^>]*)>/g)].every((match) => match[1].includes(`nonce="${nonce}"`)), true);
    assert.doesNotMatch(html, /\bsrc="|href="/);
  });

  it('shows machine strings as text: HTML escaped, backtick spans as code', async () => {
    await runDoctorCommand();
    const html = created[0].webview.html;
    assert.doesNotMatch(html, /<img/);
    assert.match(html, /EPYC &#60;img src=x onerror=alert\(1\)&#62; \(WebAssembly\)/);
    assert.match(html, /<li>Run <code>npm install x<\/code> &#38; wait\.<\/li>/);
  });

  it('reuses the open view when asked again, and checks again', async () => {
    await runDoctorCommand();
    await runDoctorCommand();
    assert.equal(created.length, 1);
    assert.equal(created[0].reveals, 1);
    assert.equal(trainer.calls.length, 2);
    created[0].dispose();
    await runDoctorCommand();
    assert.equal(created.length, 2, 'a closed view is opened anew');
  });

  it('Refresh on the page checks again, one check at a time; other messages are ignored', async () => {
    await runDoctorCommand();
    trainer.hold = true;
    created[0].send({ type: 'refresh' });
    created[0].send({ type: 'refresh' });
    created[0].send({ type: 'run', command: 'rm -rf' });
    created[0].send(null);
    await settle();
    assert.equal(trainer.calls.length, 2);
    assert.match(created[0].webview.html, /Checking Node and training backends…/);
    assert.match(created[0].webview.html, /<button id="refresh" disabled>/);
    assert.equal(headings(created[0].webview.html).length, 4, 'the last report stays while checking');
    trainer.finish();
    await settle();
    await settle();
    assert.doesNotMatch(created[0].webview.html, /Checking/);
  });

  it('tells the CLI which runs this window is training, by their names, so it leaves the backends unloaded', async () => {
    const runsDir = runsDirFor(workspaceRoot);
    const runDir = plantRun(runsDir, '20260101-000000-000-cnn-a', sampleRecord('20260101-000000-000-cnn-a', { modelFile: 'cnn.model.json', status: 'running' }));
    const started: TrainerEvent = { type: 'started', runId: '20260101-000000-000-cnn-a', runDir, backend: { name: 'wasm', device: 'cpu', skipped: [] }, summary: sampleRecord('x').summary, epochs: 5, stepsPerEpoch: 10, examples: { train: 1, validation: 0, test: 0 } };
    trainer.sessions = [session('/w/cnn.model.json', [started]), session('/w/shapes.model.json', [])];
    trainer.next = report({ backends: [], autoChoice: undefined, advice: [], runsInProgress: ['cnn #3', 'shapes.model.json, starting'] });
    await runDoctorCommand();
    assert.deepEqual(trainer.calls[0], ['--json', '--running', 'cnn #3', '--running', 'shapes.model.json, starting', '--runs-dir', runsDir]);
    const html = created[0].webview.html;
    assert.deepEqual(headings(html), ['Node running the trainer', 'Backends (not checked)', 'GPU, CUDA and Vulkan', 'What to do']);
    assert.match(html, /Backends not checked: training runs are in progress \(cnn #3, shapes\.model\.json, starting\)\./);
  });

  it('says why when the check fails, keeps the last report, and logs it', async () => {
    await runDoctorCommand();
    trainer.next = new Error('the doctor ended with exit code 1; see the CNN Lab output');
    await runDoctorCommand();
    const html = created[0].webview.html;
    assert.match(html, /The doctor could not run: the doctor ended with exit code 1/);
    assert.equal(headings(html).length, 4);
    assert.ok(state.log.some((line) => line.startsWith('Doctor failed: the doctor ended with exit code 1')), state.log.join('\n'));
  });

  it('refuses CLI output that is not a report, instead of showing a wrong one', async () => {
    trainer.runDoctor = async () => ({ stdout: 'Hi, looks like you are running TensorFlow.js in Node.js', search: { found: { path: '/usr/bin/node', version: 'v20.1.0', source: 'PATH' }, rejected: [] } });
    await runDoctorCommand();
    assert.match(created[0].webview.html, /The doctor could not run: the doctor printed something other than its JSON report/);
    assert.deepEqual(headings(created[0].webview.html), []);
  });
});

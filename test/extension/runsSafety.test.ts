// The run commands and the Runs view against hostile run folders on disk (issue 9, items 1, 2, 7
// and 8): the commands are registered as the extension does and invoked with a run id, the way
// the panel and CodeLenses call them.
import { runsUi, setWorkspaceFolders, TreeItem } from './runsFake';
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as vscode from 'vscode';
import { Ctx } from '../../src/extension/ctx';
import { ModelDocuments } from '../../src/extension/modelDocuments';
import { RunCatalog } from '../../src/extension/runCatalog';
import { register } from '../../src/extension/runs';
import { ModelGroupNode, RunNode, RunsTreeProvider, UnreadableRunNode } from '../../src/extension/runsView';
import type { TrainerManager } from '../../src/extension/trainerManager';
import { runsDirFor } from '../../src/runs/store';
import { Uri, state } from './fakeVscode';
import { deadPid, plantRun, sampleRecord } from '../trainer/runFolders';

function workspace(): { base: string; ws: string; runsDir: string; outside: string; keep: string } {
  const base = mkdtempSync(join(tmpdir(), 'cnnlab-commands-'));
  const ws = join(base, 'ws');
  const outside = join(base, 'outside');
  mkdirSync(outside);
  const runsDir = runsDirFor(ws);
  mkdirSync(runsDir, { recursive: true });
  const keep = join(ws, 'keep.txt');
  writeFileSync(keep, 'user work\n');
  setWorkspaceFolders([ws]);
  return { base, ws, runsDir, outside, keep };
}

const fakeTrainer = { sessions: [], onDidChangeSessions: () => ({ dispose: () => undefined }), start: async () => undefined } as unknown as TrainerManager;

function newCtx(): Ctx {
  return new Ctx({ extensionUri: Uri.file('/ext') } as unknown as vscode.ExtensionContext);
}

async function run(command: string, ...args: unknown[]): Promise<void> {
  const handler = state.commands.get(command);
  assert.ok(handler, `${command} is registered`);
  await handler(...args);
}

describe('run commands against hostile run folders (issue 9)', () => {
  let ctx: Ctx;
  let catalog: RunCatalog;
  /** The rows of the Runs view, as a click or a context menu hands them to a command. */
  const rows = async (): Promise<RunNode[]> => (await catalog.ready()).map((entry) => new RunNode(entry));
  const realKill = process.kill;
  let signals: { pid: number; signal: unknown }[];

  beforeEach(() => {
    state.reset();
    runsUi.reset();
    ctx = newCtx();
    catalog = register(ctx, fakeTrainer, ctx.own(new ModelDocuments(ctx)));
    signals = [];
    // Never let a regression signal anything real: record every signal other than the probe 0.
    process.kill = ((pid: number, signal?: string | number) => {
      if (signal === 0) return realKill.call(process, pid, 0);
      signals.push({ pid, signal });
      return true;
    }) as typeof process.kill;
  });

  afterEach(() => {
    process.kill = realKill;
    ctx.dispose();
    setWorkspaceFolders([]);
  });

  it('Delete Run removes only the folder the run was found in, though its run.json says "id": "../.."', async () => {
    const { ws, runsDir, keep } = workspace();
    plantRun(runsDir, 'evil', sampleRecord('../..'));
    writeFileSync(join(ws, 'run.json'), JSON.stringify(sampleRecord('../..')));
    runsUi.warningAnswer = 'Delete';
    const [row] = await rows();
    await run('cnnLab.deleteRun', row);
    assert.deepEqual(runsUi.errors, []);
    assert.equal(existsSync(join(runsDir, 'evil')), false);
    assert.equal(readFileSync(keep, 'utf8'), 'user work\n');
    assert.ok(existsSync(runsDir));
  });

  it('TensorBoard export writes under the chosen folder, in a folder named after the run folder', async () => {
    const { base, runsDir } = workspace();
    plantRun(runsDir, 'tb', sampleRecord('../../escape'));
    writeFileSync(join(runsDir, 'tb', 'metrics.jsonl'), '{"kind":"epoch","epoch":0,"logs":{"loss":1,"val_loss":2},"time":1}\n');
    const target = join(base, 'logs');
    mkdirSync(target);
    runsUi.openDialog = [Uri.file(target)];
    await run('cnnLab.exportTensorBoard', ...(await rows()));
    assert.deepEqual(runsUi.errors, []);
    assert.deepEqual(readdirSync(target), ['tb']);
    assert.deepEqual(readdirSync(join(target, 'tb')).sort(), ['train', 'validation']);
    assert.equal(existsSync(join(base, 'escape')), false);
    assert.equal(existsSync(join(target, '..', '..', 'escape')), false);
  });

  it('Export Model does not export a saved model that is a link out of the run folder', async () => {
    const { base, runsDir, outside } = workspace();
    const runDir = plantRun(runsDir, 'm', sampleRecord('m'));
    mkdirSync(join(outside, 'model'));
    writeFileSync(join(outside, 'model', 'model.json'), '{"secret": true}');
    mkdirSync(join(runDir, 'model'));
    symlinkSync(join(outside, 'model'), join(runDir, 'model', 'best'));
    const target = join(base, 'export');
    mkdirSync(target);
    runsUi.openDialog = [Uri.file(target)];
    await run('cnnLab.exportModel', ...(await rows()));
    assert.deepEqual(readdirSync(target), []);
    assert.match(runsUi.warnings.join('\n'), /has no saved model yet/);
  });

  it('Stop Run never signals a pid read from run.json that is not proven to be the run\'s trainer', async () => {
    const { runsDir } = workspace();
    for (const pid of [-1, 0, 1]) plantRun(runsDir, `pid${pid}`, sampleRecord('x', { status: 'running', pid }));
    plantRun(runsDir, 'parent', sampleRecord('x', { status: 'running', pid: process.ppid }));
    const all = await rows();
    assert.equal(all.length, 4);
    for (const row of all) await run('cnnLab.stopRun', row);
    assert.deepEqual(signals, []);
    assert.deepEqual(runsUi.errors, []);
    assert.equal(runsUi.warnings.length, 4);
    for (const warning of runsUi.warnings) assert.match(warning, /cannot stop run .*(stop it there|marked interrupted)/);
  });
});

describe('Runs view with bad run folders (issue 9.8, 9.7)', () => {
  afterEach(() => setWorkspaceFolders([]));

  it('shows the good runs and one unreadable row, with why, per bad run folder', async () => {
    const { runsDir, outside } = workspace();
    plantRun(runsDir, '20260101-good', sampleRecord('20260101-good'));
    plantRun(runsDir, 'numeric-label', { ...sampleRecord('x'), label: 42 });
    plantRun(runsDir, 'no-id', { ...sampleRecord('x'), id: undefined });
    symlinkSync(join(outside, 'gone'), join(runsDir, 'dangling'));
    const ctx = newCtx();
    const catalog = new RunCatalog(ctx);
    const tree = new RunsTreeProvider(catalog);
    const top = await tree.getChildren();
    const groups = top.filter((node): node is ModelGroupNode => node instanceof ModelGroupNode);
    assert.deepEqual(groups.flatMap((group) => group.runs.map((row) => row.runId)), ['20260101-good']);
    const rows = top.filter((node): node is UnreadableRunNode => node instanceof UnreadableRunNode);
    assert.deepEqual(rows.map((row) => row.unreadable.name).sort(), ['dangling', 'no-id', 'numeric-label']);
    for (const row of rows) {
      const item = tree.getTreeItem(row) as unknown as TreeItem;
      assert.equal(item.description, 'unreadable');
      assert.equal(typeof item.tooltip, 'string');
      assert.ok(!/^run-/.test(item.contextValue ?? ''), 'no run command applies to an unreadable row');
    }
    assert.match((tree.getTreeItem(rows.find((row) => row.unreadable.name === 'numeric-label') as UnreadableRunNode) as unknown as TreeItem).tooltip as string, /"label" is not a string/);
    catalog.dispose();
    ctx.dispose();
  });

  it('does not list (or rewrite) runs through a .cnnlab link out of the workspace', async () => {
    const base = mkdtempSync(join(tmpdir(), 'cnnlab-commands-'));
    const ws = join(base, 'ws');
    mkdirSync(ws);
    const elsewhere = join(base, 'elsewhere');
    const victim = plantRun(join(elsewhere, 'runs'), 'victim', sampleRecord('victim', { status: 'running', pid: deadPid() }));
    const before = readFileSync(join(victim, 'run.json'), 'utf8');
    symlinkSync(elsewhere, join(ws, '.cnnlab'));
    setWorkspaceFolders([ws]);
    const ctx = newCtx();
    const catalog = new RunCatalog(ctx);
    await catalog.refresh();
    assert.equal(catalog.runs.length, 0);
    assert.equal(catalog.unreadable.length, 1);
    assert.match(catalog.unreadable[0].problem, /outside the workspace folder .*Remove the link/);
    assert.equal(readFileSync(join(victim, 'run.json'), 'utf8'), before);
    catalog.dispose();
    ctx.dispose();
  });
});

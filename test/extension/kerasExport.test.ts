// The Runs view's Export to Keras… (src/extension/runs.ts, kerasExport.ts), registered as the
// extension does, with the trainer's CLI replaced by a process that prints what `cnnlab export
// --json` prints: the choice, the dialog's default, the CLI's arguments, and what the user is told.
import { runsUi, setWorkspaceFolders } from './runsFake';
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as vscode from 'vscode';
import { Ctx } from '../../src/extension/ctx';
import { KERAS_EXPORT_CHOICES, type KerasExportChoice } from '../../src/extension/kerasExport';
import { ModelDocuments } from '../../src/extension/modelDocuments';
import type { RunCatalog } from '../../src/extension/runCatalog';
import { RunNode } from '../../src/extension/runsView';
import { register } from '../../src/extension/runs';
import type { TrainerManager } from '../../src/extension/trainerManager';
import { runsDirFor } from '../../src/runs/store';
import { state, Uri } from './fakeVscode';
import { plantRun, sampleRecord } from '../trainer/runFolders';

const fake = require('vscode') as { window: Record<string, unknown> };

describe('Runs view: Export to Keras…', () => {
  let ctx: Ctx;
  let catalog: RunCatalog;
  let cliCalls: string[][];
  let cliOutput: string;
  let picked: KerasExportFormat | undefined;
  let offered: string[];
  const originalQuickPick = fake.window.showQuickPick;
  type KerasExportFormat = KerasExportChoice['format'];

  const trainer = {
    sessions: [],
    onDidChangeSessions: () => ({ dispose: () => undefined }),
    start: async () => undefined,
    startCli: async (args: string[]) => {
      cliCalls.push(args);
      return spawn(process.execPath, ['-e', `process.stdout.write(${JSON.stringify(cliOutput)})`], { stdio: ['ignore', 'pipe', 'pipe'] });
    },
  } as unknown as TrainerManager;

  function workspace(withModel: boolean): { ws: string; runDir: string } {
    const ws = join(mkdtempSync(join(tmpdir(), 'cnnlab-keras-export-')), 'ws');
    const runDir = plantRun(runsDirFor(ws), 'run-1', sampleRecord('run-1'));
    if (withModel) {
      mkdirSync(join(runDir, 'model', 'best'), { recursive: true });
      writeFileSync(join(runDir, 'model', 'best', 'model.json'), '{}');
    }
    setWorkspaceFolders([ws]);
    return { ws, runDir };
  }

  async function exportRow(): Promise<void> {
    const handler = state.commands.get('cnnLab.exportKeras');
    assert.ok(handler, 'cnnLab.exportKeras is registered');
    await catalog.refresh();
    const [entry] = await catalog.ready();
    assert.ok(entry, 'the run is listed');
    await handler(new RunNode(entry));
    assert.deepEqual(state.log.filter((line) => / failed: /.test(line)), []);
  }

  beforeEach(() => {
    state.reset();
    runsUi.reset();
    cliCalls = [];
    cliOutput = '';
    picked = undefined;
    offered = [];
    ctx = new Ctx({ extensionUri: Uri.file('/ext') } as unknown as vscode.ExtensionContext);
    catalog = register(ctx, trainer, ctx.own(new ModelDocuments(ctx)));
    fake.window.showQuickPick = async (items: readonly KerasExportChoice[]) => {
      offered = items.map((item) => item.format);
      return items.find((item) => item.format === picked);
    };
  });

  afterEach(() => {
    fake.window.showQuickPick = originalQuickPick;
    ctx.dispose();
    setWorkspaceFolders([]);
  });

  it('train.py: offered in .cnnlab/exports/RUN/, written by cnnlab export --json, and said where', async () => {
    const { ws, runDir } = workspace(false);
    picked = 'python';
    const target = join(ws, 'out', 'train.py');
    runsUi.saveDialog = Uri.file(target);
    cliOutput = JSON.stringify({ format: 'python', runId: 'run-1', written: [target, join(ws, 'out', 'shapes.npz')], warnings: [] });
    await exportRow();
    assert.deepEqual(offered, KERAS_EXPORT_CHOICES.map((choice) => choice.format));
    assert.deepEqual(runsUi.dialogDefaults, [join(ws, '.cnnlab', 'exports', 'run-1', 'train.py')]);
    assert.deepEqual(cliCalls, [['export', runDir, '--format', 'python', '--out', target, '--force', '--json']]);
    assert.deepEqual(runsUi.errors, []);
    assert.match(runsUi.infos.join('\n'), /exported .* to .*train\.py \(and shapes\.npz\)/);
  });

  it('.keras: refused before any dialog for a run with no saved model; a CLI failure is shown with its hint', async () => {
    workspace(false);
    picked = 'keras';
    await exportRow();
    assert.deepEqual(cliCalls, []);
    assert.deepEqual(runsUi.dialogDefaults, []);
    assert.match(runsUi.warnings.join('\n'), /has no saved model yet\. train\.py needs none/);

    runsUi.reset();
    const { ws } = workspace(true);
    runsUi.saveDialog = Uri.file(join(ws, 'm.keras'));
    cliOutput = JSON.stringify({ error: { message: 'Layer x is custom.', hint: 'Export the tfjs model instead.' } });
    await exportRow();
    assert.deepEqual(runsUi.dialogDefaults, [join(ws, '.cnnlab', 'exports', 'run-1.keras')]);
    assert.equal(cliCalls.length, 1);
    assert.deepEqual(runsUi.errors, ['CNN Lab: Layer x is custom. Export the tfjs model instead.']);
  });

  it('nothing happens when the choice or the dialog is cancelled', async () => {
    workspace(true);
    await exportRow();
    picked = 'keras';
    await exportRow();
    assert.deepEqual(cliCalls, []);
    assert.deepEqual(runsUi.errors, []);
  });
});

// `cnnlab export RUN [--format keras|python|tfjs] [--out PATH] [--force] [--json] [--runs-dir DIR]`:
// a run's trained model as a Keras 3 `.keras` file, its model and training as train.py, or its
// tfjs layers model folder. RUN is a run id or a run folder.
import { mkdirSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { runsDirFor } from '../runs/store';
import { UserError } from '../util/userError';
import type { CliStreams } from './summary';
import { withUsage } from './usage';

export const exportUsage = `Usage: cnnlab export RUN [options]

Writes a run out for Keras and TensorFlow. RUN: a run id (in ./.cnnlab/runs) or a run folder.

Options:
  --format keras   (default) the trained model (model/best, else model/last) as a Keras 3 .keras
                   file: keras.models.load_model("RUN.keras") gives the same predictions
  --format python  train.py: the model in Keras code, compiled and fitted with the run's training
                   settings on its dataset (for shapes, the generated images go to shapes.npz beside it)
  --format tfjs    the saved tfjs layers model folder (model.json + weights), copied as it is
  --out PATH       the file to write, or a folder to write it in
                   (default ./RUN.keras, ./train.py, ./RUN-tfjs)
  --force          replace a file that is already there
  --json           print {"written":[...],"warnings":[...]} (a failure prints {"error":{"message","hint"}})
  --runs-dir DIR   where run ids are looked up (default ./.cnnlab/runs)
`;

export interface ExportInvocation {
  run: string;
  format: 'keras' | 'python' | 'tfjs';
  out?: string;
  /** --out ended with a slash: a folder to write in (made when missing). */
  outFolder: boolean;
  force: boolean;
  json: boolean;
  runsDir: string;
}

export class ExportUsageError extends UserError {}

const FORMATS = ['keras', 'python', 'tfjs'] as const;

export function parseExportArguments(args: string[], cwd: string): ExportInvocation {
  const positional: string[] = [];
  let format: ExportInvocation['format'] = 'keras';
  let out: string | undefined;
  let outFolder = false;
  let force = false;
  let json = false;
  let runsDir = runsDirFor(cwd);
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    switch (arg) {
      case '--format': {
        const value = args[++index];
        const known = FORMATS.find((name) => name === value);
        if (!known) throw new ExportUsageError(`--format must be keras, python or tfjs. Received: ${value ?? 'nothing'}.`);
        format = known;
        break;
      }
      case '--out': {
        const value = args[++index];
        if (value === undefined || value === '') throw new ExportUsageError('--out needs a path.');
        out = resolve(cwd, value);
        // `--out exports/`: a folder, made if needed, to write the file in.
        if (/[/\\]$/.test(value)) outFolder = true;
        break;
      }
      case '--force':
        force = true;
        break;
      case '--json':
        json = true;
        break;
      case '--runs-dir':
        runsDir = resolve(cwd, args[++index] ?? '');
        break;
      default:
        if (arg.startsWith('--')) throw new ExportUsageError(`Unknown option ${arg}.`);
        positional.push(arg);
    }
  }
  if (positional.length !== 1) throw new ExportUsageError(positional.length === 0 ? 'Expected a run id or a run folder.' : `Expected one run. Received: ${positional.join(' ')}.`);
  return { run: positional[0], format, ...(out ? { out } : {}), outFolder, force, json, runsDir };
}

export async function runExport(args: string[], streams: CliStreams, cwd = process.cwd()): Promise<number> {
  const command = { name: 'export', usage: exportUsage, usageError: ExportUsageError, parse: (argv: string[]) => parseExportArguments(argv, cwd) };
  return withUsage(command, args, streams, (invocation) => exportAndPrint(invocation, streams, cwd));
}

async function exportAndPrint(invocation: ExportInvocation, streams: CliStreams, cwd: string): Promise<number> {
  try {
    // Loaded on use: a .keras export loads tfjs, the other commands stay quick.
    const { defaultExportPath, exportRun, resolveRunDir } = require('../keras/exportRun') as typeof import('../keras/exportRun');
    if (invocation.format === 'keras') {
      const { selectBackend } = require('../trainer/backends') as typeof import('../trainer/backends');
      await selectBackend('cpu');
    }
    const runDir = resolveRunDir(invocation.run, invocation.runsDir, cwd);
    const out = invocation.out ?? defaultExportPath(invocation.format, basename(runDir), cwd);
    if (invocation.outFolder && invocation.format !== 'tfjs') mkdirSync(out, { recursive: true });
    const result = await exportRun(runDir, invocation.format, out, { force: invocation.force });
    if (invocation.json) {
      streams.stdout(`${JSON.stringify({ format: result.format, runId: result.runId, written: result.written, ...(result.source ? { source: result.source } : {}), warnings: result.warnings }, null, 2)}\n`);
      return 0;
    }
    const what = { keras: 'Keras 3 model', python: 'Keras training script', tfjs: 'tfjs layers model' }[result.format];
    streams.stdout(`Exported run ${result.runId}${result.source ? ` (${result.source})` : ''} as a ${what}:\n${result.written.map((path) => `  ${path}\n`).join('')}`);
    for (const warning of result.warnings) streams.stderr(`warning: ${warning}\n`);
    if (result.format === 'keras') streams.stdout(`Load it with keras.models.load_model(${JSON.stringify(result.written[0])}).\n`);
    if (result.format === 'python') streams.stdout(`Run it with Keras 3: python ${JSON.stringify(result.written[0])}\n`);
    return 0;
  } catch (error) {
    if (invocation.json && error instanceof UserError) streams.stdout(`${JSON.stringify({ error: { message: error.message, ...(error.hint ? { hint: error.hint } : {}) } }, null, 2)}\n`);
    throw error;
  }
}

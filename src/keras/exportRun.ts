// Exporting a run (`cnnlab export`, the Runs view's Export to Keras…): its trained model as a
// Keras 3 `.keras` file, its model and training as train.py (with CNN Lab's generated `shapes` data
// beside it), or its tfjs layers model folder as it is. A run folder is untrusted input: the saved
// model is read only from inside the run folder (links out of it are refused), and an existing file
// is replaced only when asked.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { cp, lstat, readdir } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type { RunRecord } from '../runs/format';
import { MODEL_DIR, readRunRecord, resolveRunFile, RUN_FILE, runDirFor, writeFileAtomic } from '../runs/store';
import { generateShapes } from '../trainer/datasets/shapes';
import { runSeed } from '../trainer/trainingConfig';
import { builtInDataset, FOLDER_DATASET_PREFIX } from '../model/vocabulary';
import { UserError } from '../util/userError';
import { imagesNpz, trainScript } from './exportPython';

export const EXPORT_FORMATS = ['keras', 'python', 'tfjs'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportResult {
  format: ExportFormat;
  runId: string;
  /** Every file or folder written, the main one first. */
  written: string[];
  /** The saved model exported (`model/best` or `model/last`), for keras and tfjs. */
  source?: string;
  warnings: string[];
}

export interface ExportOptions {
  /** Replace a file that is already there (the extension's save dialog has asked). */
  force?: boolean;
}

/** The run folder `target` names: a run folder, or a run id under `runsDir`. */
export function resolveRunDir(target: string, runsDir: string, cwd = process.cwd()): string {
  const path = resolve(cwd, target);
  if (existsSync(join(path, RUN_FILE))) return path;
  if (!target.includes('/') && !target.includes('\\')) {
    let runDir: string;
    try {
      runDir = runDirFor(runsDir, target);
    } catch (error) {
      throw new UserError((error as Error).message, 'Give a run id (`ls .cnnlab/runs`) or a run folder.');
    }
    if (existsSync(join(runDir, RUN_FILE))) return runDir;
  }
  throw new UserError(`${target} is neither a run folder nor a run id in ${runsDir}.`, 'Give a run id (`ls .cnnlab/runs`) or a run folder (one with run.json).');
}

/** model/best, else model/last: the real folder, only when it and its model.json lie inside the run folder. */
async function savedModelDir(runDir: string): Promise<string | undefined> {
  for (const which of ['best', 'last']) {
    const modelJson = await resolveRunFile(runDir, join(MODEL_DIR, which, 'model.json'));
    if (modelJson) return dirname(modelJson);
  }
  return undefined;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Where a file goes: `out` itself, or `name` inside it when `out` is a folder; refused when it exists and `force` is not set. */
function targetFile(out: string, name: string, options: ExportOptions): string {
  const path = isDirectory(out) ? join(out, name) : out;
  if (existsSync(path) && !options.force) throw new UserError(`${path} already exists; nothing was written.`, 'Choose another --out, or add --force to replace it.');
  mkdirSync(dirname(path), { recursive: true });
  return path;
}

async function readRecord(runDir: string): Promise<RunRecord> {
  try {
    return await readRunRecord(runDir);
  } catch (error) {
    throw new UserError(`${runDir} cannot be read as a run: ${(error as Error).message}`, 'Give a run id from .cnnlab/runs or a run folder.');
  }
}

async function requireSavedModel(runDir: string, record: RunRecord): Promise<string> {
  const saved = await savedModelDir(runDir);
  if (!saved) {
    throw new UserError(
      `Run ${record.id} has no saved model (${join(MODEL_DIR, 'best')} or ${join(MODEL_DIR, 'last')}).`,
      record.status === 'running' ? 'Wait for its first epoch to end.' : 'Train it again: a run saves its model after each epoch. train.py (--format python) needs no saved model.',
    );
  }
  return saved;
}

async function exportKeras(runDir: string, record: RunRecord, out: string, options: ExportOptions): Promise<ExportResult> {
  const saved = await requireSavedModel(runDir, record);
  const path = targetFile(out, `${record.id}.keras`, options);
  // tfjs is loaded only for this format (train.py and the tfjs copy need none).
  const { loadSavedModel } = require('../trainer/modelFiles') as typeof import('../trainer/modelFiles');
  const { exportKerasModel } = require('./exportModel') as typeof import('./exportModel');
  const model = await loadSavedModel(saved);
  try {
    const source = join(MODEL_DIR, basename(saved));
    const exported = await exportKerasModel(model, record.ir, {
      training: { ...record.training, dataset: record.dataset },
      ...(typeof record.finalMetrics?.lr === 'number' ? { learningRate: record.finalMetrics.lr } : {}),
      savedBy: `CNN Lab, run ${record.id} (${source})`,
    });
    writeFileAtomic(path, exported.archive);
    return { format: 'keras', runId: record.id, written: [path], source, warnings: exported.warnings };
  } finally {
    model.dispose();
  }
}

/** A file run.json names (its modelFile, initialWeights.from), resolved: relative to the run's base folder unless absolute. */
function runFile(runDir: string, file: string): string {
  // A run folder is <base>/.cnnlab/runs/<id>.
  return isAbsolute(file) ? file : resolve(runDir, '..', '..', '..', file);
}

/** The folder a run's `folder:` dataset names, as the trainer resolves it (relative to the model file). */
function datasetFolder(runDir: string, record: RunRecord): string {
  const relative = record.dataset.slice(FOLDER_DATASET_PREFIX.length);
  return resolve(dirname(runFile(runDir, record.modelFile)), relative);
}

function exportPython(runDir: string, record: RunRecord, out: string, options: ExportOptions): ExportResult {
  const path = targetFile(out, 'train.py', options);
  const dataset = builtInDataset(record.dataset)?.name;
  const folder = record.dataset.startsWith(FOLDER_DATASET_PREFIX) ? datasetFolder(runDir, record) : undefined;
  const shapesFile = dataset === 'shapes' ? 'shapes.npz' : undefined;
  const initialModelFile = record.initialWeights ? runFile(runDir, record.initialWeights.from) : undefined;
  const { script, inputShape, warnings } = trainScript({
    ir: record.ir,
    training: record.training,
    dataset: record.dataset,
    runId: record.id,
    modelFile: record.modelFile,
    ...(folder ? { datasetDir: folder } : {}),
    ...(shapesFile ? { shapesFile } : {}),
    ...(initialModelFile ? { initialModelFile } : {}),
  });
  const written = [path];
  if (shapesFile) {
    // The images the trainer generates for this run's input size and seed (src/trainer/datasets).
    const [height, width, channels = 1] = inputShape;
    if (!height || !width) throw new UserError(`The model of run ${record.id} does not take images, so the shapes dataset cannot be written for it.`);
    const data = generateShapes({ height, width, channels, seed: runSeed(record.training) });
    const npzPath = join(dirname(path), shapesFile);
    if (existsSync(npzPath) && !options.force) throw new UserError(`${npzPath} already exists; nothing was written.`, 'Choose another --out, or add --force to replace it.');
    writeFileAtomic(npzPath, imagesNpz(data.train, data.test, [height, width, channels]));
    written.push(npzPath);
  }
  if (folder && !isDirectory(folder)) warnings.push(`The run's image folder ${folder} is not there now; set DATA_DIR in train.py.`);
  if (initialModelFile && !existsSync(initialModelFile)) warnings.push(`The Keras file the run fine-tuned from, ${initialModelFile}, is not there now; set INITIAL_MODEL in train.py.`);
  writeFileAtomic(path, script);
  return { format: 'python', runId: record.id, written, warnings };
}

async function exportTfjs(runDir: string, record: RunRecord, out: string): Promise<ExportResult> {
  const saved = await requireSavedModel(runDir, record);
  // As the Runs view's Export Model: into a folder `out`, or `<out>/<run-id>-best` when `out` is a folder already.
  const destination = isDirectory(out) && (await readdir(out)).length > 0 ? join(out, `${record.id}-${basename(saved)}`) : out;
  if (existsSync(destination) && (!isDirectory(destination) || (await readdir(destination)).length > 0)) {
    throw new UserError(`${destination} already exists; nothing was written.`, 'Choose another --out (a new folder).');
  }
  // Links inside the saved model are left out: a run folder may come from anyone.
  await cp(saved, destination, { recursive: true, force: false, errorOnExist: true, filter: async (file) => !(await lstat(file)).isSymbolicLink() });
  return { format: 'tfjs', runId: record.id, written: [destination], source: join(MODEL_DIR, basename(saved)), warnings: [] };
}

/** The default --out of each format, in `cwd`. */
export function defaultExportPath(format: ExportFormat, runId: string, cwd: string): string {
  if (format === 'keras') return join(cwd, `${runId}.keras`);
  if (format === 'python') return join(cwd, 'train.py');
  return join(cwd, `${runId}-tfjs`);
}

/** Exports the run in `runDir` as `format` to `out` (a file, or a folder to put it in). */
export async function exportRun(runDir: string, format: ExportFormat, out: string, options: ExportOptions = {}): Promise<ExportResult> {
  const record = await readRecord(runDir);
  if (format === 'keras') return exportKeras(runDir, record, out, options);
  if (format === 'python') return exportPython(runDir, record, out, options);
  return exportTfjs(runDir, record, out);
}

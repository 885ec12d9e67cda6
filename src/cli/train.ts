// `cnnlab train FILE [options]`: trains in this process with the same runTraining the extension's
// child process uses, printing Keras-style progress. Runs go to ./.cnnlab/runs unless --runs-dir.
import { isAbsolute, relative, resolve } from 'node:path';
import { formatSummary } from '../model';
import type { TrainingConfig } from '../model/types';
import { BACKEND_CHOICES, isBackendChoice } from '../model/vocabulary';
import { UserError } from '../util/userError';
import type { TrainerEvent, TrainJob } from '../channels/trainer';
import { runsDirFor } from '../runs/store';
import { runTraining } from '../trainer/train';
import { withUsage } from './usage';

export const trainUsage = `Usage: cnnlab train FILE [options]

Trains the model in FILE (.model.json, Keras JSON, .model.ts, or a Keras saved model .keras/.h5)
with its "training" block; options override that block. The run is written to .cnnlab/runs/<run-id>/.

Options:
  --dataset D        shapes | mnist | fashion-mnist | cifar10 | folder:PATH
  --epochs N         number of epochs (with --resume: the total to reach)
  --batch-size N     examples per batch
  --learning-rate X  optimizer learning rate
  --backend B        auto | tensorflow | webgpu | wasm | cpu
  --runs-dir DIR     where runs are written (default ./.cnnlab/runs)
  --data-dir DIR     folder already holding the dataset files (or set CNNLAB_DATA_DIR)
  --train-examples N use only the first N training examples
  --test-examples N  evaluate on the first N test examples
  --resume RUN       continue a stopped or interrupted run (its id or folder) in a new run
  --fine-tune        start from the weights saved in FILE (a .keras or .h5 file) instead of new
                     ones; layers saved with trainable=False stay frozen
`;

/** A command line CNN Lab cannot act on; the usage text follows it. */
export class UsageError extends UserError {}

export function parseNumber(flag: string, value: string | undefined, integer: boolean): number {
  const number = Number(value);
  if (value === undefined || !Number.isFinite(number) || number <= 0 || (integer && !Number.isInteger(number))) {
    throw new UsageError(`${flag} needs a ${integer ? 'whole ' : ''}number above 0. Received: ${value ?? 'nothing'}.`);
  }
  return number;
}

/** The options `cnnlab train` and `cnnlab sweep` both take: how long to train, on how much, and where. */
export interface RunOptions {
  epochs?: number;
  trainExamples?: number;
  testExamples?: number;
  runsDir?: string;
  dataDir?: string;
}

/**
 * Reads `args[index]` into `options` when it is one of the run options; returns the index of its
 * value, where the caller's loop carries on, or undefined for any other argument.
 */
export function parseRunOption(args: string[], index: number, cwd: string, options: RunOptions): number | undefined {
  const flag = args[index];
  const value = args[index + 1];
  switch (flag) {
    case '--epochs':
      options.epochs = parseNumber(flag, value, true);
      break;
    case '--train-examples':
      options.trainExamples = parseNumber(flag, value, true);
      break;
    case '--test-examples':
      options.testExamples = parseNumber(flag, value, true);
      break;
    case '--runs-dir':
      options.runsDir = resolve(cwd, value ?? '');
      break;
    case '--data-dir':
      options.dataDir = resolve(cwd, value ?? '');
      break;
    default:
      return undefined;
  }
  return index + 1;
}

export function parseTrainArguments(args: string[], cwd: string): TrainJob {
  const overrides: TrainingConfig = {};
  const job: Partial<TrainJob> = {};
  const runOptions: RunOptions = {};
  let file: string | undefined;
  for (let index = 0; index < args.length; index++) {
    const runOptionEnd = parseRunOption(args, index, cwd, runOptions);
    if (runOptionEnd !== undefined) {
      index = runOptionEnd;
      continue;
    }
    const flag = args[index];
    const value = (): string | undefined => args[++index];
    switch (flag) {
      case '--dataset':
        overrides.dataset = value();
        break;
      case '--batch-size':
        overrides.batchSize = parseNumber(flag, value(), true);
        break;
      case '--learning-rate':
        overrides.learningRate = parseNumber(flag, value(), false);
        break;
      case '--backend': {
        const backend = value();
        if (!isBackendChoice(backend)) {
          throw new UsageError(`--backend must be ${BACKEND_CHOICES.slice(0, -1).join(', ')} or ${BACKEND_CHOICES[BACKEND_CHOICES.length - 1]}. Received: ${backend ?? 'nothing'}.`);
        }
        overrides.backend = backend;
        break;
      }
      case '--resume':
        job.resumeFrom = value();
        break;
      case '--fine-tune':
        job.initialWeights = 'model-file';
        break;
      default:
        if (flag.startsWith('-')) throw new UsageError(`Unknown option ${flag}.`);
        if (file !== undefined) throw new UsageError(`Only one model file can be trained at a time; got ${file} and ${flag}.`);
        file = flag;
    }
  }
  if (file === undefined && job.resumeFrom === undefined) throw new UsageError('Give the model file to train.');
  const { epochs, ...where } = runOptions;
  return {
    ...job,
    ...where,
    modelFile: resolve(cwd, file ?? ''),
    runsDir: where.runsDir ?? runsDirFor(cwd),
    baseDir: cwd,
    overrides: epochs !== undefined ? { ...overrides, epochs } : overrides,
  };
}

export function formatLogs(logs: Record<string, number>): string {
  return Object.entries(logs)
    .filter(([name]) => name !== 'lr')
    .map(([name, value]) => `${name}: ${value.toFixed(4)}`)
    .join(' - ');
}

/** `path` relative to `cwd` when it lies below it, else as it is. */
function shownPath(cwd: string, path: string): string {
  const below = relative(cwd, path);
  return below && !below.startsWith('..') && !isAbsolute(below) ? below : path;
}

/** Prints one event the way Keras's fit(verbose=2) and evaluate() would. */
function printer(write: (text: string) => void, cwd: string): (event: TrainerEvent) => void {
  let epochs = 0;
  let runDir = '';
  let lastProgress = '';
  return (event) => {
    switch (event.type) {
      case 'progress':
        if (event.message !== lastProgress) write(`${event.message}\n`);
        lastProgress = event.message;
        break;
      case 'started':
        epochs = event.epochs;
        runDir = event.runDir;
        write(`${formatSummary(event.summary)}\n`);
        write(`Backend: ${event.backend.device}${event.backend.skipped.length ? ` (skipped: ${event.backend.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')})` : ''}\n`);
        write(`Run ${event.runId} in ${event.runDir}\n`);
        write(`Training on ${event.examples.train} examples, validating on ${event.examples.validation}, testing on ${event.examples.test}\n`);
        break;
      case 'epoch':
        write(`Epoch ${event.epoch + 1}/${epochs} - ${Math.round(event.seconds)}s - ${formatLogs(event.logs)}\n`);
        break;
      case 'evaluation': {
        const { result } = event;
        write(`Test: loss: ${result.loss.toFixed(4)} - acc: ${result.accuracy.toFixed(4)}\n`);
        const width = Math.max(...result.classNames.map((name) => name.length));
        result.classNames.forEach((name, label) => write(`  ${name.padEnd(width)}  ${(result.perClassAccuracy[label] * 100).toFixed(1)} %\n`));
        break;
      }
      case 'finished':
        write(`Run ${event.status}: ${event.record.epochsCompleted}/${event.record.epochsPlanned} epochs. Saved in ${shownPath(cwd, runDir)}\n`);
        break;
      case 'failed':
        write(`Training failed: ${event.message}\n${event.hint ? `Hint: ${event.hint}\n` : ''}`);
        break;
      case 'batches':
      case 'checkpoint':
        break;
    }
  };
}

/** Exit code: 0 when the run completed (or was stopped with Ctrl+C), 1 when it failed, 2 for bad arguments. */
export async function trainCommand(args: string[]): Promise<number> {
  const command = { name: 'train', usage: trainUsage, usageError: UsageError, parse: (argv: string[]) => parseTrainArguments(argv, process.cwd()) };
  return withUsage(command, args, { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) }, trainAndPrint);
}

/** Trains `job` in this process, printing its progress; Ctrl+C stops it after the current batch. */
async function trainAndPrint(job: TrainJob): Promise<number> {
  const stop = new AbortController();
  const onInterrupt = (): void => {
    process.stderr.write('\nStopping after the current batch (Ctrl+C again to quit at once)…\n');
    if (stop.signal.aborted) process.exit(130);
    stop.abort();
  };
  process.on('SIGINT', onInterrupt);
  const record = await runTraining(job, printer((text) => process.stdout.write(text), process.cwd()), stop.signal);
  process.off('SIGINT', onInterrupt);
  if (record?.status === 'completed' || record?.status === 'stopped') return 0;
  return 1;
}

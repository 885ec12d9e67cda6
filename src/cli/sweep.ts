// `cnnlab sweep FILE [options]` and `cnnlab sweep --continue EXPERIMENT`: creates the experiment
// from the model file's `sweep` block (src/model/sweep.ts), runs its queue (src/runs/sweepQueue.ts)
// and prints the variants ranked by the sweep's metric. One variant trains at a time in this
// process with the same runTraining as `cnnlab train`; with --parallel N, each variant trains in a
// trainer child process (dist/trainer.js), as the extension does, because runs in one process would
// share tfjs's engine.
import { fork } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analyzeModel } from '../model';
import { variantLabel, type SweepValue } from '../model/sweep';
import { isTrainerEvent, type TrainerEvent } from '../channels/trainer';
import { experimentDirFor, experimentsDirFor, readExperimentSync, type ExperimentFile, type ExperimentJob, type ExperimentVariant } from '../runs/experiments';
import { rankVariants, runMetric } from '../runs/experimentResults';
import type { RunRecord } from '../runs/format';
import { formatDuration, runDurationMs } from '../runs/grouping';
import { readRunRecord, runDirFor, runsDirFor } from '../runs/store';
import { createExperiment, runQueue, type TrainVariant } from '../runs/sweepQueue';
import { runTraining } from '../trainer/train';
import { formatLogs, parseNumber, parseRunOption, UsageError, type RunOptions } from './train';
import { withUsage } from './usage';

export const sweepUsage = `Usage: cnnlab sweep FILE [options]
       cnnlab sweep --continue EXPERIMENT [options]

Trains one run per variant of the "sweep" block in FILE (a .model.json file), one after another,
then prints the variants ranked by the sweep's metric, the best marked with *. The experiment is
written to .cnnlab/experiments/<experiment-id>/ beside the runs folder; a sweep stopped with
Ctrl+C or killed carries on with --continue (completed runs are kept, unfinished variants
train again from the start).

Options:
  --epochs N          epochs of every variant (unless the sweep varies epochs)
  --train-examples N  train on the first N training examples
  --test-examples N   evaluate on the first N test examples
  --runs-dir DIR      where runs are written (default ./.cnnlab/runs); experiments go beside it
  --data-dir DIR      folder already holding the dataset files (or set CNNLAB_DATA_DIR)
  --parallel N        train N variants at once, each in its own trainer process (default 1)
  --continue ID       carry on the experiment ID (its folder name under .cnnlab/experiments)
`;

export interface SweepArguments {
  /** The model file (new sweep) or the experiment to carry on. */
  target: { file: string } | { experiment: string };
  job: ExperimentJob;
  runsDir: string;
  dataDir?: string;
  parallel: number;
}

export function parseSweepArguments(args: string[], cwd: string): SweepArguments {
  const runOptions: RunOptions = {};
  let file: string | undefined;
  let experiment: string | undefined;
  let parallel = 1;
  for (let index = 0; index < args.length; index++) {
    const runOptionEnd = parseRunOption(args, index, cwd, runOptions);
    if (runOptionEnd !== undefined) {
      index = runOptionEnd;
      continue;
    }
    const flag = args[index];
    const value = (): string | undefined => args[++index];
    switch (flag) {
      case '--parallel':
        parallel = parseNumber(flag, value(), true);
        break;
      case '--continue':
        experiment = value();
        if (experiment === undefined) throw new UsageError('--continue needs the id of the experiment to carry on. Received: nothing.');
        break;
      default:
        if (flag.startsWith('-')) throw new UsageError(`Unknown option ${flag}.`);
        if (file !== undefined) throw new UsageError(`One model file per sweep; got ${file} and ${flag}.`);
        file = flag;
    }
  }
  const { epochs, runsDir, dataDir, ...examples } = runOptions;
  const job: ExperimentJob = { ...(epochs !== undefined ? { overrides: { epochs } } : {}), ...examples };
  if (file !== undefined && experiment !== undefined) throw new UsageError(`Give a model file for a new sweep or --continue EXPERIMENT, not both. Received: ${file} and --continue ${experiment}.`);
  if (file === undefined && experiment === undefined) throw new UsageError('Give the model file whose sweep block to run, or --continue EXPERIMENT.');
  if (experiment !== undefined && Object.keys(job).length > 0) {
    throw new UsageError('--epochs, --train-examples and --test-examples set a new sweep; a continued one trains with the options it was created with.');
  }
  return {
    target: file !== undefined ? { file: resolve(cwd, file) } : { experiment: experiment as string },
    job,
    runsDir: runsDir ?? runsDirFor(cwd),
    ...(dataDir ? { dataDir } : {}),
    parallel,
  };
}

type Write = (text: string) => void;

/** `[2/4 lr=0.004 conv2d.filters=16]`: which variant a line is about. */
function variantPrefix(variant: Pick<ExperimentVariant, 'index' | 'values'>, count: number): string {
  return `[${variant.index + 1}/${count} ${variantLabel(variant.values)}]`;
}

/** One line per event that matters, prefixed by the variant: the run, each epoch, the end. */
function variantPrinter(prefix: string, write: Write): { print: (event: TrainerEvent) => void; failure: () => string | undefined } {
  let epochs = 0;
  let failure: string | undefined;
  const print = (event: TrainerEvent): void => {
    switch (event.type) {
      case 'started':
        epochs = event.epochs;
        write(`${prefix} Run ${event.runId}: ${event.summary.totalParams.toLocaleString('en-US')} params, ${event.examples.train} training examples\n`);
        break;
      case 'epoch':
        write(`${prefix} Epoch ${event.epoch + 1}/${epochs} - ${Math.round(event.seconds)}s - ${formatLogs(event.logs)}\n`);
        break;
      case 'finished':
        write(`${prefix} Run ${event.status}: ${event.record.epochsCompleted}/${event.record.epochsPlanned} epochs\n`);
        break;
      case 'failed':
        failure = `${event.message}${event.hint ? `\nHint: ${event.hint}` : ''}`;
        write(`${prefix} Training failed: ${failure}\n`);
        break;
      default:
        break;
    }
  };
  return { print, failure: () => failure };
}

/** Trains a variant in this process; a run that failed before its folder existed throws with why. */
function trainInProcess(dataDir: string | undefined, write: Write, count: number): TrainVariant {
  return async (job, control) => {
    const printer = variantPrinter(variantPrefix({ index: job.experiment?.variant ?? 0, values: job.experiment?.values ?? {} }, count), write);
    const record = await runTraining(
      { ...job, ...(dataDir ? { dataDir } : {}) },
      (event) => {
        if (event.type === 'started') control.started(event.runId);
        printer.print(event);
      },
      control.signal,
    );
    if (!record) throw new Error(printer.failure() ?? 'The run failed before it started.');
    return record;
  };
}

/** The trainer child's script: dist/trainer.js beside this bundle, or its source when run with tsx. */
function trainerScript(): string {
  const bundled = join(__dirname, 'trainer.js');
  return existsSync(bundled) ? bundled : join(__dirname, '..', 'trainer', 'main.ts');
}

/** Trains a variant in a trainer child process (the extension's protocol: `start`, `stop`, TrainerEvents back). */
function trainInChild(dataDir: string | undefined, write: Write, count: number): TrainVariant {
  return (job, control) =>
    new Promise<RunRecord | undefined>((resolvePromise, reject) => {
      const printer = variantPrinter(variantPrefix({ index: job.experiment?.variant ?? 0, values: job.experiment?.values ?? {} }, count), write);
      const script = trainerScript();
      const child = fork(script, [], { execArgv: script.endsWith('.ts') ? process.execArgv : [], stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'json' });
      let record: RunRecord | undefined;
      child.on('message', (message: unknown) => {
        if (!isTrainerEvent(message)) return;
        if (message.type === 'started') control.started(message.runId);
        if (message.type === 'finished' || message.type === 'failed') record = message.record;
        printer.print(message);
      });
      const stop = (): void => void child.send({ type: 'stop' });
      control.signal.addEventListener('abort', stop);
      child.on('error', reject);
      child.on('exit', (code) => {
        control.signal.removeEventListener('abort', stop);
        if (record) resolvePromise(record);
        else reject(new Error(printer.failure() ?? `The trainer process ended (exit code ${code}) before the run started.`));
      });
      child.send({ type: 'start', job: { ...job, ...(dataDir ? { dataDir } : {}) } });
    });
}

/** The experiment's runs, by id, as far as they can be read. */
async function experimentRuns(experiment: ExperimentFile, runsDir: string): Promise<RunRecord[]> {
  const records: RunRecord[] = [];
  for (const variant of experiment.variants) {
    if (!variant.runId) continue;
    try {
      records.push(await readRunRecord(runDirFor(runsDir, variant.runId)));
    } catch {
      // deleted meanwhile: shown without its numbers
    }
  }
  return records;
}

function formatValue(value: SweepValue | undefined): string {
  return value === undefined ? '' : String(value);
}

/** The variants as a table, ranked best first by the sweep's metric (variants without one after, in order), the best marked with *. */
export function formatExperimentTable(experiment: ExperimentFile, records: readonly RunRecord[], now: number = Date.now()): string {
  const byId = new Map(records.map((record) => [record.id, record]));
  const ranked = rankVariants(experiment, records);
  const order = [...ranked.map((entry) => entry.variant), ...experiment.variants.filter((variant) => !ranked.some((entry) => entry.variant === variant))];
  const keys = Object.keys(experiment.spec.parameters);
  const header = ['', '#', ...keys, experiment.spec.metric.name, 'epochs', 'time', 'status'];
  const rows = order.map((variant) => {
    const record = variant.runId ? byId.get(variant.runId) : undefined;
    const value = runMetric(record, experiment.spec.metric);
    const duration = record ? runDurationMs(record, now) : undefined;
    return [
      ranked[0]?.variant === variant ? '*' : '',
      String(variant.index + 1),
      ...keys.map((key) => formatValue(variant.values[key])),
      value === undefined ? '—' : value.toFixed(4),
      record ? `${record.epochsCompleted}/${record.epochsPlanned}` : '—',
      duration === undefined ? '—' : formatDuration(duration),
      variant.status,
    ];
  });
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => row[column].length)));
  const line = (row: string[]): string => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd();
  const best = ranked[0];
  const verdict = best
    ? `Best: variant ${best.variant.index + 1} (${variantLabel(best.variant.values)}), ${experiment.spec.metric.name} ${best.value.toFixed(4)} (${experiment.spec.metric.goal}), run ${best.record.id}`
    : `No completed variant has ${experiment.spec.metric.name} yet.`;
  return `${[header, ...rows].map(line).join('\n')}\n${verdict}\n`;
}

/** Creates the experiment from the model file's sweep block, printing its invalid variants; undefined after printing why not. */
function newExperiment(file: string, parsed: SweepArguments, cwd: string, write: Write, fail: Write): { experimentDir: string; experiment: ExperimentFile } | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    fail(`cnnlab sweep: cannot read ${file}: ${(error as Error).message}\n`);
    return undefined;
  }
  const analysis = analyzeModel(text, file);
  const errors = analysis.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
  if (!analysis.ir || errors.length > 0) {
    fail(`cnnlab sweep: the model in ${file} has ${errors.length} error(s) and cannot be trained:\n${errors.map((diagnostic) => `  ${file}:${diagnostic.range.start.line + 1}:${diagnostic.range.start.character + 1}: ${diagnostic.message}\n`).join('')}`);
    return undefined;
  }
  if (!analysis.ir.sweep) {
    fail(
      `cnnlab sweep: ${file} has no "sweep" block. Add one to the .model.json file, e.g. "sweep": {"method": "grid", "parameters": {"learningRate": [0.001, 0.004], "conv2d.filters": [8, 16]}}. ` +
        'Keras JSON and .model.ts files hold no sweep block: sweep them with "CNN Lab: Sweep…" in VS Code.\n',
    );
    return undefined;
  }
  const created = createExperiment({ experimentsDir: experimentsDirFor(parsed.runsDir), modelFile: file, baseDir: cwd, ir: analysis.ir, spec: analysis.ir.sweep, job: parsed.job });
  const count = created.experiment.variants.length;
  write(`Experiment ${created.experiment.id}: ${created.experiment.name}\n`);
  for (const variant of created.experiment.variants.filter((candidate) => candidate.status === 'invalid')) {
    write(`${variantPrefix(variant, count)} invalid, skipped:\n${(variant.problems ?? []).map((problem) => `  ${problem}\n`).join('')}`);
  }
  return created;
}

export interface SweepIo {
  stdout: Write;
  stderr: Write;
  cwd: string;
}

/** Exit code: 0 when the queue ended (or was stopped with Ctrl+C) with no failed variant, 1 when one failed or nothing could start, 2 for bad arguments. */
export async function sweepCommand(args: string[], io: SweepIo = { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text), cwd: process.cwd() }): Promise<number> {
  const command = { name: 'sweep', usage: sweepUsage, usageError: UsageError, parse: (argv: string[]) => parseSweepArguments(argv, io.cwd) };
  return withUsage(command, args, io, (parsed) => runSweep(parsed, io));
}

/** Creates or continues the experiment and trains its queue, printing each variant and then the table; Ctrl+C stops all. */
async function runSweep(parsed: SweepArguments, io: SweepIo): Promise<number> {
  const opened = 'file' in parsed.target ? newExperiment(parsed.target.file, parsed, io.cwd, io.stdout, io.stderr) : continuedExperiment(parsed.target.experiment, parsed, io);
  if (!opened) return 1;
  const count = opened.experiment.variants.length;
  const train = parsed.parallel > 1 ? trainInChild(parsed.dataDir, io.stdout, count) : trainInProcess(parsed.dataDir, io.stdout, count);
  const stop = new AbortController();
  const onInterrupt = (): void => {
    io.stderr('\nStopping the sweep after the current batch (Ctrl+C again to quit at once); carry on with --continue…\n');
    if (stop.signal.aborted) process.exit(130);
    stop.abort();
  };
  process.on('SIGINT', onInterrupt);
  let final: ExperimentFile;
  try {
    final = await runQueue(opened.experimentDir, { runsDir: parsed.runsDir, baseDir: io.cwd, train, parallel: parsed.parallel, signal: stop.signal });
  } finally {
    process.off('SIGINT', onInterrupt);
  }
  io.stdout(`\n${final.name}: ${final.id}\n${formatExperimentTable(final, await experimentRuns(final, parsed.runsDir))}`);
  if (final.state === 'stopped') io.stdout(`Stopped. Carry on with: cnnlab sweep --continue ${final.id}${parsed.runsDir === runsDirFor(io.cwd) ? '' : ` --runs-dir ${parsed.runsDir}`}\n`);
  return final.variants.some((variant) => variant.status === 'failed') ? 1 : 0;
}

function continuedExperiment(id: string, parsed: SweepArguments, io: SweepIo): { experimentDir: string; experiment: ExperimentFile } | undefined {
  try {
    const experimentDir = experimentDirFor(experimentsDirFor(parsed.runsDir), id);
    const experiment = readExperimentSync(experimentDir);
    const left = experiment.variants.filter((variant) => variant.status === 'pending' || variant.status === 'running').length;
    io.stdout(`Experiment ${experiment.id}: ${experiment.name}, ${left} variant(s) left to train\n`);
    return { experimentDir, experiment };
  } catch (error) {
    io.stderr(`cnnlab sweep: ${(error as Error).message}\n`);
    return undefined;
  }
}

// Experiments on disk: `.cnnlab/experiments/<experiment-id>/experiment.json`, beside `.cnnlab/runs`.
// An experiment is one sweep: its spec, the options every variant trains with, and each variant's
// state in the queue (src/runs/sweepQueue.ts), which the CLI and the extension both run and read.
// Pure Node (no vscode, no tfjs). Written atomically (temp file + rename) like run.json; read
// defensively like run.json: experiment folders may come from a cloned repository, so an
// experiment IS its folder (its id is the folder's name), links are not followed, and one bad file
// is one unreadable entry, never an empty list.
import { lstatSync, mkdirSync, readFileSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SWEEP_GOALS, SWEEP_METHODS, type SweepSpec, type SweepValue } from '../model/sweep';
import type { TrainingConfig } from '../model/types';
import { EXPERIMENT_STATES, VARIANT_STATUSES, type ExperimentState, type VariantStatus } from './experimentStatus';
import type { ExperimentRef } from './format';
import { createRunId, isPlainRunId, listFolderNewestFirst, writeFileAtomic } from './store';

export const EXPERIMENT_FILE = 'experiment.json';
/** Larger than any experiment.json CNN Lab writes (at most 1000 variants of a few values each). */
const MAX_EXPERIMENT_FILE_BYTES = 16 * 1024 * 1024;

// The Runs view and its tests import the queue state with the rest of the experiment types.
export type { ExperimentState } from './experimentStatus';

export interface ExperimentVariant {
  index: number;
  values: Record<string, SweepValue>;
  status: VariantStatus;
  /** The variant's run (under the runs folder), once it started. */
  runId?: string;
  /** For invalid: what the model core said (the variant is skipped). */
  problems?: string[];
  /** For failed: why, when the run failed before its folder existed (else its run.json says why). */
  error?: string;
}

/** What every variant trains with besides its own values: CLI --epochs/--train-examples/--test-examples, the panel's form. */
export interface ExperimentJob {
  overrides?: TrainingConfig;
  trainExamples?: number;
  testExamples?: number;
}

export interface ExperimentFile {
  id: string;
  name: string;
  /** Relative to the base folder (workspace or the CLI's current folder) when inside it, like RunRecord.modelFile. */
  modelFile: string;
  /** ISO-8601. */
  createdAt: string;
  spec: SweepSpec;
  job: ExperimentJob;
  variants: ExperimentVariant[];
  /** queued: created, nothing trained yet; running: a queue is at work; stopped: stopped by the user; done: no variant left to train. */
  state: ExperimentState;
}

/** `<base>/.cnnlab/experiments` beside `<base>/.cnnlab/runs` (or beside the CLI's --runs-dir). */
export function experimentsDirFor(runsDir: string): string {
  return join(dirname(runsDir), 'experiments');
}

/** `20261201-203000-123-shapes-cnn-sweep-k3f9`: made and checked by the same rules as run ids (one plain folder name). */
export function createExperimentId(modelName: string, now: Date = new Date()): string {
  return createRunId(`${modelName}-sweep`, now);
}

/** The experiment folder for an id or a path the user typed (`cnnlab sweep --continue`). Refuses `.`, `..` and other non-ids. */
export function experimentDirFor(experimentsDir: string, idOrPath: string): string {
  if (idOrPath.includes('/') || idOrPath.includes('\\')) return idOrPath;
  if (!isPlainRunId(idOrPath)) {
    throw new Error(`${JSON.stringify(idOrPath)} is not an experiment id: an experiment id is the name of one folder under .cnnlab/experiments, without "/", "\\" or "..". Received: ${JSON.stringify(idOrPath)}.`);
  }
  return join(experimentsDir, idOrPath);
}

/** Writes experiment.json in one rename, creating the folder. */
export function writeExperiment(experimentDir: string, experiment: ExperimentFile): void {
  mkdirSync(experimentDir, { recursive: true });
  writeFileAtomic(join(experimentDir, EXPERIMENT_FILE), `${JSON.stringify(experiment, null, 2)}\n`);
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isSweepValue = (value: unknown): boolean => (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'string' || typeof value === 'boolean';
const isValues = (value: unknown): value is Record<string, SweepValue> => isObject(value) && Object.values(value).every(isSweepValue);
const isStrings = (value: unknown): boolean => Array.isArray(value) && value.every((item) => typeof item === 'string');
const isMetric = (value: unknown): boolean => isObject(value) && typeof value.name === 'string' && (SWEEP_GOALS as readonly unknown[]).includes(value.goal);

function specProblem(spec: unknown): string | undefined {
  if (!isObject(spec)) return 'is not an object';
  if (!(SWEEP_METHODS as readonly unknown[]).includes(spec.method)) return `has no "method" of ${SWEEP_METHODS.join(' or ')}`;
  if (!isObject(spec.parameters) || !Object.values(spec.parameters).every((values) => Array.isArray(values) && values.length > 0 && values.every(isSweepValue))) return 'has no "parameters" of value lists';
  if (!isMetric(spec.metric)) return 'has no "metric" with a name and a goal';
  return undefined;
}

function variantProblem(variant: unknown, position: number): string | undefined {
  if (!isObject(variant)) return `variant ${position} is not an object`;
  if (variant.index !== position) return `variant ${position} has "index" ${JSON.stringify(variant.index)}`;
  if (!isValues(variant.values)) return `variant ${position} has no "values" of numbers, strings or booleans`;
  if (!(VARIANT_STATUSES as readonly unknown[]).includes(variant.status)) return `variant ${position} has no "status" of ${VARIANT_STATUSES.join(', ')}`;
  if (variant.runId !== undefined && !isPlainRunId(variant.runId)) return `variant ${position} has a "runId" that is no run id`;
  if (variant.problems !== undefined && !isStrings(variant.problems)) return `variant ${position} has "problems" that are not a list of strings`;
  if (variant.error !== undefined && typeof variant.error !== 'string') return `variant ${position} has an "error" that is not a string`;
  return undefined;
}

/** What is wrong with a parsed experiment.json, in words; undefined when it can be shown and run. */
export function experimentProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'it is not a JSON object';
  if (typeof value.name !== 'string') return '"name" is not a string';
  if (typeof value.modelFile !== 'string' || value.modelFile === '') return '"modelFile" is not a file path';
  if (typeof value.createdAt !== 'string') return '"createdAt" is not a date string';
  if (!(EXPERIMENT_STATES as readonly unknown[]).includes(value.state)) return `"state" is not one of ${EXPERIMENT_STATES.join(', ')}`;
  const spec = specProblem(value.spec);
  if (spec) return `"spec" ${spec}`;
  if (!isObject(value.job) || (value.job.overrides !== undefined && !isObject(value.job.overrides))) return '"job" is not an object';
  for (const key of ['trainExamples', 'testExamples'] as const) {
    const count = value.job[key];
    if (count !== undefined && !(Number.isSafeInteger(count) && (count as number) > 0)) return `"job.${key}" is not a positive whole number`;
  }
  if (!Array.isArray(value.variants)) return '"variants" is not a list';
  for (const [position, variant] of value.variants.entries()) {
    const problem = variantProblem(variant, position);
    if (problem) return problem;
  }
  return undefined;
}

/** Whether run.json's `experiment` is one CNN Lab wrote (the Runs view groups by it; a hand-edited one is ignored). */
export function isExperimentRef(value: unknown): value is ExperimentRef {
  return (
    isObject(value) &&
    isPlainRunId(value.id) &&
    typeof value.name === 'string' &&
    Number.isSafeInteger(value.variant) &&
    (value.variant as number) >= 0 &&
    Number.isSafeInteger(value.variants) &&
    (value.variant as number) < (value.variants as number) &&
    isValues(value.values) &&
    isMetric(value.metric)
  );
}

/**
 * experiment.json of the folder `experimentDir`, checked; its `id` is the folder's name whatever the
 * file says. Synchronous, so that the queue's read-change-write of one variant cannot interleave
 * with another in the same process. Throws an Error saying what is wrong and what to do.
 */
export function readExperimentSync(experimentDir: string): ExperimentFile {
  const path = join(experimentDir, EXPERIMENT_FILE);
  const unusable = (why: string): Error => new Error(`${path} ${why}; the experiment cannot be shown or continued. Delete the folder if it is not needed.`);
  let folder: ReturnType<typeof lstatSync>;
  let file: ReturnType<typeof lstatSync>;
  try {
    folder = lstatSync(experimentDir);
    file = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${experimentDir} is not a CNN Lab experiment: it has no ${EXPERIMENT_FILE}. Give an experiment id from .cnnlab/experiments.`, { cause: error });
    throw unusable(`cannot be read (${(error as Error).message})`);
  }
  if (folder.isSymbolicLink() || !folder.isDirectory()) throw unusable('is not in a real folder (a link or a file stands in its place; CNN Lab does not follow links)');
  if (file.isSymbolicLink() || !file.isFile()) throw unusable('is not a file (CNN Lab does not follow links)');
  if (file.size > MAX_EXPERIMENT_FILE_BYTES) throw unusable(`is ${Math.round(file.size / 1024 / 1024)} MB, larger than any experiment CNN Lab writes`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw unusable(`is not valid JSON (${(error as Error).message.slice(0, 200)})`);
  }
  const problem = experimentProblem(parsed);
  if (problem) throw unusable(`is not a CNN Lab experiment: ${problem}`);
  return { ...(parsed as ExperimentFile), id: basename(experimentDir) };
}

/** experiment.json of one experiment, checked (see readExperimentSync). */
export async function readExperiment(experimentDir: string): Promise<ExperimentFile> {
  return readExperimentSync(experimentDir);
}

export type ExperimentListing =
  | { id: string; experimentDir: string; experiment: ExperimentFile; problem?: undefined }
  | { id: string; experimentDir: string; experiment?: undefined; problem: string };

/**
 * Every folder under `experimentsDir`, newest first (ids sort by creation time): an experiment, or
 * an unreadable one with why. Stray files and folders being created (no experiment.json yet) are
 * left out. A missing folder holds no experiments.
 */
export async function listExperiments(experimentsDir: string): Promise<ExperimentListing[]> {
  const names = await listFolderNewestFirst(experimentsDir, 'experiments');
  if (!names) return [];
  const listings: ExperimentListing[] = [];
  for (const name of names) {
    const experimentDir = join(experimentsDir, name);
    const info = await lstat(experimentDir).catch(() => undefined);
    if (!info || (!info.isDirectory() && !info.isSymbolicLink())) continue;
    if (info.isDirectory() && !(await lstat(join(experimentDir, EXPERIMENT_FILE)).catch(() => undefined))) continue;
    if (!isPlainRunId(name)) {
      listings.push({ id: name, experimentDir, problem: `The folder name ${JSON.stringify(name)} cannot be an experiment id. Rename the folder.` });
      continue;
    }
    try {
      listings.push({ id: name, experimentDir, experiment: readExperimentSync(experimentDir) });
    } catch (error) {
      listings.push({ id: name, experimentDir, problem: (error as Error).message });
    }
  }
  return listings;
}

/** The reference a variant's run records in run.json. */
export function experimentRef(experiment: ExperimentFile, variant: ExperimentVariant): ExperimentRef {
  return { id: experiment.id, name: experiment.name, variant: variant.index, variants: experiment.variants.length, values: variant.values, metric: experiment.spec.metric };
}

// Sweeps: a grid or random search over training keys and layer options, declared in a model file's
// `sweep` block or chosen from the palette. The types every part shares (the trainer applies a
// variant's values, the runs store records them, the panel shows them).

import { layerKindByClassName, nearestName, optionsOf } from './catalog';
import { camelCase } from './names';
import { describeValue } from './options';
import { setOwn } from './source';
import { summarizeModel } from './summarize';
import { isTrainingObjectKey, readTraining, TRAINING_KEYS, TRAINING_OBJECT_FIELDS, type TrainingObjectKey, type TrainingProblem } from './training';
import type { ModelIR, ModelSummary, TrainingConfig } from './types';
import { quotedList } from './vocabulary';
import { seededRandom } from '../util/random';

export type SweepValue = number | string | boolean;

/** The metric a sweep ranks its variants by, and whether higher is better. */
export interface SweepMetric {
  name: string;
  goal: 'max' | 'min';
}

export interface SweepSpec {
  method: 'grid' | 'random';
  /** Key: a training key in tfjs spelling (`learningRate`, `batchSize`…) or `<layerName>.<option>` (`dropout_1.rate`). */
  parameters: Record<string, SweepValue[]>;
  /** Random search: how many variants to draw. */
  trials?: number;
  metric: SweepMetric;
  /** Seed of the random search's draw. */
  seed?: number;
}

export interface SweepVariant {
  index: number;
  values: Record<string, SweepValue>;
}

export const SWEEP_METHODS = ['grid', 'random'] as const;
export const SWEEP_GOALS = ['max', 'min'] as const;
/** The block's keys in tfjs spelling (Keras's snake_case is read through camelCase). */
export const SWEEP_KEYS = ['method', 'parameters', 'trials', 'metric', 'goal', 'seed'] as const;
/**
 * The metrics a run records (Keras 2 names, as metrics.jsonl writes them), each with the other
 * spellings Keras uses for it and the goal that suits it.
 */
export const SWEEP_METRICS = [
  { name: 'val_acc', aliases: ['val_accuracy'], goal: 'max' },
  { name: 'val_loss', aliases: [], goal: 'min' },
  { name: 'acc', aliases: ['accuracy'], goal: 'max' },
  { name: 'loss', aliases: [], goal: 'min' },
] as const satisfies readonly { name: string; aliases: readonly string[]; goal: SweepMetric['goal'] }[];
export const DEFAULT_SWEEP_METRIC: SweepMetric = { name: 'val_acc', goal: 'max' };
/** More variants than this is a mistake in the block, not a sweep to queue. */
export const MAX_SWEEP_VARIANTS = 1000;
/** Short names in variant labels, where a table column or a progress prefix has little room. */
const SHORT_KEY_NAMES: Record<string, string> = { learningRate: 'lr' };

/** A problem in the block: `writtenKey` is the block's key as written, `parameter` the parameter's key inside `parameters`. */
export interface SweepProblem extends TrainingProblem {
  parameter?: string;
}

/** The logs keys a metric is found under in a run (`val_acc` is logged as `val_accuracy` by tf.keras). */
export function metricKeys(metric: SweepMetric): string[] {
  const known = SWEEP_METRICS.find((entry) => entry.name === metric.name);
  return known ? [known.name, ...known.aliases] : [metric.name];
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isSweepValue = (value: unknown): value is SweepValue =>
  (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'string' || typeof value === 'boolean';

/** Reads a model file's `sweep` block: the normalized spec (when usable) and every problem found, with the key to blame. */
export function readSweep(value: unknown): { sweep?: SweepSpec; problems: SweepProblem[] } {
  if (!isPlainObject(value)) {
    return { problems: [{ severity: 'error', message: `\`sweep\` must be an object such as {"method": "grid", "parameters": {"learningRate": [0.001, 0.01]}}. Received: sweep=${describeValue(value)}.` }] };
  }
  const problems: SweepProblem[] = [];
  const written = new Map<string, [string, unknown]>();
  for (const [writtenKey, raw] of Object.entries(value)) {
    const key = camelCase(writtenKey);
    if (!(SWEEP_KEYS as readonly string[]).includes(key)) {
      const suggestion = nearestName(key, SWEEP_KEYS);
      problems.push({ writtenKey, severity: 'warning', message: `Unknown sweep option '${writtenKey}'; it is ignored. Sweep options: ${SWEEP_KEYS.join(', ')}.${suggestion ? ` Did you mean '${suggestion}'?` : ''}` });
      continue;
    }
    written.set(key, [writtenKey, raw]);
  }
  const invalid = (key: string, expected: string): void => {
    const [writtenKey, raw] = written.get(key) ?? [key, undefined];
    problems.push({ key, writtenKey, severity: 'error', message: `Invalid value for sweep \`${key}\`: expected ${expected}. Received: ${writtenKey}=${describeValue(raw)}.` });
  };
  const raw = (key: string): unknown => written.get(key)?.[1];

  const method = raw('method') ?? 'grid';
  const methodOk = (SWEEP_METHODS as readonly unknown[]).includes(method);
  if (!methodOk) invalid('method', `one of ${quotedList(SWEEP_METHODS)}`);
  const parameters = readParameters(written.get('parameters'), problems);
  const trials = readTrials(method, raw('trials'), invalid, problems);
  const seed = raw('seed');
  if (seed !== undefined && !Number.isSafeInteger(seed)) invalid('seed', 'an integer');
  const metric = readMetric(raw('metric'), raw('goal'), invalid);
  if (!methodOk || !parameters || trials === null || !metric || (seed !== undefined && !Number.isSafeInteger(seed))) return { problems };

  const sweep: SweepSpec = { method: method as SweepSpec['method'], parameters, metric };
  if (trials !== undefined) sweep.trials = trials;
  if (seed !== undefined) sweep.seed = seed as number;
  checkVariantCount(sweep, written.get('parameters')?.[0] ?? 'parameters', problems);
  return problems.some((problem) => problem.severity === 'error') ? { problems } : { sweep, problems };
}

function readParameters(entry: [string, unknown] | undefined, problems: SweepProblem[]): Record<string, SweepValue[]> | undefined {
  const example = '{"learningRate": [0.001, 0.01], "conv2d.filters": [16, 32]}';
  if (!entry) {
    problems.push({ severity: 'error', message: `A sweep needs \`parameters\`, the values to try for each training key or layer option, e.g. "parameters": ${example}. Received: no parameters.` });
    return undefined;
  }
  const [writtenKey, value] = entry;
  if (!isPlainObject(value) || Object.keys(value).length === 0) {
    problems.push({ key: 'parameters', writtenKey, severity: 'error', message: `Invalid value for sweep \`parameters\`: expected an object of value lists such as ${example}. Received: ${writtenKey}=${describeValue(value)}.` });
    return undefined;
  }
  const parameters: Record<string, SweepValue[]> = {};
  for (const [parameter, values] of Object.entries(value)) {
    const problem = (severity: SweepProblem['severity'], message: string): void => {
      problems.push({ key: 'parameters', writtenKey, parameter, severity, message });
    };
    const key = normalizeParameterKey(parameter);
    if (!key.includes('.') && !(TRAINING_KEYS as readonly string[]).includes(key)) {
      const suggestion = nearestName(key, TRAINING_KEYS);
      problem('error', `Unknown sweep parameter '${parameter}': expected a training key (${TRAINING_KEYS.join(', ')}) or a layer option as "<layer name>.<option>", e.g. "conv2d.filters".${suggestion ? ` Did you mean '${suggestion}'?` : ''} Received: ${parameter}.`);
      continue;
    }
    if (!Array.isArray(values) || values.length === 0 || !values.every(isSweepValue)) {
      problem('error', `Invalid values for sweep parameter '${parameter}': expected a non-empty list of numbers, strings or booleans, e.g. [0.001, 0.01]. Received: ${parameter}=${describeValue(values)}.`);
      continue;
    }
    const checked = key.includes('.') ? [...values] : trainingValues(key, parameter, values, problem);
    if (!checked) continue;
    const distinct = [...new Set(checked)];
    if (distinct.length < checked.length) problem('warning', `Sweep parameter '${parameter}' lists a value more than once; each value is tried once. Received: ${parameter}=${describeValue(values)}.`);
    parameters[key] = distinct;
  }
  return Object.keys(parameters).length === Object.keys(value).length ? parameters : undefined;
}

/** `conv2d.kernel_size` → `conv2d.kernelSize`, `learning_rate` → `learningRate`: layer names stay as written. */
export function normalizeParameterKey(parameter: string): string {
  const dot = parameter.lastIndexOf('.');
  return dot < 0 ? camelCase(parameter) : `${parameter.slice(0, dot)}.${camelCase(parameter.slice(dot + 1))}`;
}

/** Each value as the training block would take it (`"Adam"` → `"adam"`), or undefined after reporting the first one it refuses. */
function trainingValues(key: string, parameter: string, values: SweepValue[], problem: (severity: 'error', message: string) => void): SweepValue[] | undefined {
  const normalized: SweepValue[] = [];
  for (const value of values) {
    const { training, problems } = readTraining({ [key]: value });
    if (problems.length > 0 || !training) {
      const message = problems[0]?.message ?? `Invalid value for training \`${key}\`. Received: ${describeValue(value)}.`;
      problem('error', message.replace(/^Invalid value for training `[^`]+`/, `Invalid value for sweep parameter '${parameter}'`));
      return undefined;
    }
    normalized.push((training as Record<string, unknown>)[key] as SweepValue);
  }
  return normalized;
}

/** `trials`: a positive integer, required by random search; `null` when it makes the block unusable. */
function readTrials(method: unknown, trials: unknown, invalid: (key: string, expected: string) => void, problems: SweepProblem[]): number | undefined | null {
  if (trials === undefined) {
    if (method !== 'random') return undefined;
    problems.push({ key: 'method', writtenKey: 'method', severity: 'error', message: 'A random search needs `trials`, how many variants to draw, e.g. "trials": 8. Received: no trials.' });
    return null;
  }
  if (typeof trials !== 'number' || !Number.isInteger(trials) || trials <= 0 || trials > MAX_SWEEP_VARIANTS) {
    invalid('trials', `a positive integer up to ${MAX_SWEEP_VARIANTS}`);
    return null;
  }
  if (method === 'grid') problems.push({ key: 'trials', writtenKey: 'trials', severity: 'warning', message: 'A grid search tries every combination; `trials` is used by "method": "random" only and is ignored here.' });
  return trials;
}

function readMetric(name: unknown, goal: unknown, invalid: (key: string, expected: string) => void): SweepMetric | undefined {
  const metricNames = SWEEP_METRICS.flatMap((entry) => [entry.name, ...entry.aliases]);
  const known = name === undefined ? SWEEP_METRICS[0] : SWEEP_METRICS.find((entry) => entry.name === name || (entry.aliases as readonly string[]).includes(name as string));
  if (!known) invalid('metric', `one of ${quotedList(metricNames)}`);
  const goalOk = goal === undefined || (SWEEP_GOALS as readonly unknown[]).includes(goal);
  if (!goalOk) invalid('goal', `one of ${quotedList(SWEEP_GOALS)} (whether a higher or a lower metric is better)`);
  if (!known || !goalOk) return undefined;
  return { name: known.name, goal: (goal as SweepMetric['goal'] | undefined) ?? known.goal };
}

function checkVariantCount(sweep: SweepSpec, writtenKey: string, problems: SweepProblem[]): void {
  const combinations = combinationCount(sweep);
  if (sweep.method === 'grid' && combinations > MAX_SWEEP_VARIANTS) {
    problems.push({ key: 'parameters', writtenKey, severity: 'error', message: `The grid has ${combinations} combinations, more than the ${MAX_SWEEP_VARIANTS} a sweep may queue: expected fewer values per parameter, or "method": "random" with "trials". Received: ${describeCounts(sweep)}.` });
  }
  if (sweep.method === 'random' && sweep.trials !== undefined && sweep.trials > combinations) {
    problems.push({ key: 'trials', writtenKey: 'trials', severity: 'warning', message: `The parameters have only ${combinations} combinations, fewer than ${sweep.trials} trials: each combination is tried once. Received: trials=${sweep.trials}.` });
  }
}

function describeCounts(sweep: SweepSpec): string {
  return Object.entries(sweep.parameters).map(([key, values]) => `${values.length} ${key}`).join(' × ');
}

/** How many distinct variants the parameters make (the grid's size). */
export function combinationCount(sweep: Pick<SweepSpec, 'parameters'>): number {
  return Object.values(sweep.parameters).reduce((product, values) => product * values.length, 1);
}

/**
 * The variants to train. Grid: every combination, the last parameter changing fastest (as
 * itertools.product and KerasTuner's grid order). Random: `trials` combinations drawn with the
 * seed (0 when the block gives none), never the same one twice; all of them, in drawn order, when
 * there are no more combinations than trials.
 */
export function expandSweep(sweep: SweepSpec): SweepVariant[] {
  const total = combinationCount(sweep);
  let indices: number[];
  if (sweep.method === 'grid') {
    indices = Array.from({ length: total }, (_, index) => index);
  } else {
    const wanted = Math.min(sweep.trials ?? total, total);
    const random = seededRandom(sweep.seed ?? 0);
    const drawn = new Set<number>();
    while (drawn.size < wanted) drawn.add(Math.floor(random() * total));
    indices = [...drawn];
  }
  return indices.map((combination, index) => ({ index, values: combinationValues(sweep.parameters, combination) }));
}

/** The combination number `combination` of the grid, read as a mixed-radix number whose last digit is the last parameter. */
function combinationValues(parameters: Record<string, SweepValue[]>, combination: number): Record<string, SweepValue> {
  const entries = Object.entries(parameters);
  const values: Record<string, SweepValue> = {};
  let rest = combination;
  for (let position = entries.length - 1; position >= 0; position--) {
    const [key, options] = entries[position];
    values[key] = options[rest % options.length];
    rest = Math.floor(rest / options.length);
  }
  return Object.fromEntries(entries.map(([key]) => [key, values[key]]));
}

/** `lr=0.004 conv2d.filters=16`: a variant in one short line. */
export function variantLabel(values: Record<string, SweepValue>): string {
  return Object.entries(values)
    .map(([key, value]) => `${SHORT_KEY_NAMES[key] ?? key}=${typeof value === 'string' ? value : String(value)}`)
    .join(' ');
}

/** "shapes-cnn sweep (grid, 4 variants)". */
export function experimentName(modelName: string, sweep: SweepSpec, variants: number): string {
  return `${modelName} sweep (${sweep.method}, ${variants} variant${variants === 1 ? '' : 's'})`;
}

/** What a parameter key addresses in a model: a training key, a field of an object-valued one (`augmentation.zoomRange`), or one layer's option. */
export type ParameterTarget =
  | { kind: 'training'; key: string }
  | { kind: 'trainingField'; key: TrainingObjectKey; field: string }
  | { kind: 'layer'; layer: string; option: string };

/** Resolves a parameter key against the model; a string says why it cannot apply (the layer names or options it could use). */
export function resolveParameter(ir: ModelIR, parameter: string): ParameterTarget | string {
  const key = normalizeParameterKey(parameter);
  const dot = key.lastIndexOf('.');
  if (dot < 0) {
    if ((TRAINING_KEYS as readonly string[]).includes(key)) return { kind: 'training', key };
    return `Unknown sweep parameter '${parameter}': expected a training key (${TRAINING_KEYS.join(', ')}) or "<layer name>.<option>". Received: ${parameter}.`;
  }
  const layerName = key.slice(0, dot);
  const option = key.slice(dot + 1);
  const names = ir.layers.filter((layer) => !layer.unreadable).map((layer) => layer.name);
  const layer = ir.layers.find((candidate) => candidate.name === layerName && !candidate.unreadable);
  // A layer of that name wins: layer names are the user's, training keys are ours.
  if (!layer && isTrainingObjectKey(camelCase(layerName))) return resolveTrainingField(camelCase(layerName) as TrainingObjectKey, option, parameter);
  if (!layer) {
    const suggestion = nearestName(layerName, names);
    return `Unknown layer '${layerName}' in sweep parameter '${parameter}': expected one of the model's layer names: ${names.join(', ')}.${suggestion ? ` Did you mean '${suggestion}.${option}'?` : ''} Received: ${layerName}.`;
  }
  const kind = layerKindByClassName(layer.className);
  if (kind && !layer.application && !layer.model) {
    const options = Object.keys(optionsOf(kind, ir.format));
    if (!options.includes(option)) {
      const suggestion = nearestName(option, options);
      return `Unknown option '${option}' for layer '${layerName}' (${layer.className}) in sweep parameter '${parameter}': expected one of ${options.join(', ')}.${suggestion ? ` Did you mean '${layerName}.${suggestion}'?` : ''} Received: ${option}.`;
    }
  }
  return { kind: 'layer', layer: layerName, option };
}

function resolveTrainingField(key: TrainingObjectKey, field: string, parameter: string): ParameterTarget | string {
  const fields = Object.keys(TRAINING_OBJECT_FIELDS[key]);
  if (fields.includes(field)) return { kind: 'trainingField', key, field };
  const suggestion = nearestName(field, fields);
  return `Unknown field '${field}' of training \`${key}\` in sweep parameter '${parameter}': expected one of ${fields.join(', ')}.${suggestion ? ` Did you mean '${key}.${suggestion}'?` : ''} Received: ${field}.`;
}

/** Why `value` cannot be training `key`'s `field`, in words; undefined when it can. */
function trainingFieldProblem(key: TrainingObjectKey, field: string, value: SweepValue): string | undefined {
  const type: string = (TRAINING_OBJECT_FIELDS[key] as Record<string, string>)[field];
  const fits = type === 'integer' ? Number.isInteger(value) : typeof value === type;
  return fits ? undefined : `Invalid value for training \`${key}.${field}\`: expected ${type === 'integer' ? 'a whole number' : `a ${type}`}. Received: ${key}.${field}=${describeValue(value)}.`;
}

/** The object training `key` holds (in the model file, or as the variant set it), so that a swept field keeps its siblings; an optimizer written as a name is `{name}`. */
function writtenTrainingObject(training: Record<string, unknown>, key: TrainingObjectKey): Record<string, unknown> {
  const written = training[key];
  if (key === 'optimizer' && typeof written === 'string') return { name: written };
  return isPlainObject(written) ? { ...written } : {};
}

/** Problems of layer-option parameters (`<layer>.<option>`, keys as written) against the model: unknown layers or options. */
export function sweepParameterProblems(ir: ModelIR, parameters: readonly string[]): { parameter: string; message: string }[] {
  return parameters.flatMap((parameter) => {
    if (!parameter.includes('.')) return [];
    const target = resolveParameter(ir, parameter);
    return typeof target === 'string' ? [{ parameter, message: target }] : [];
  });
}

/**
 * The values of a layer-option parameter that the layer refuses whatever the other parameters are
 * (a negative filter count, an unknown activation), by position in the list, with the model core's
 * message. Shapes that stop fitting are not reported here: other values may make them fit, and the
 * variants that do not are marked invalid when the sweep starts.
 */
export function sweepValueProblems(ir: ModelIR, parameter: string, values: readonly unknown[]): { position: number; message: string }[] {
  const target = resolveParameter(ir, parameter);
  if (typeof target === 'string' || target.kind !== 'layer') return [];
  const { layer, option } = target;
  return values.flatMap((value, position) => {
    if (!isSweepValue(value)) return [];
    const refused = summarizeModel(applyVariant(ir, { [parameter]: value }).ir).diagnostics.find(
      (diagnostic) => diagnostic.severity === 'error' && diagnostic.code === 'bad-option-value' && diagnostic.layer === layer && diagnostic.message.includes(`\`${option}\``),
    );
    return refused ? [{ position, message: `Sweep parameter '${parameter}': ${refused.message}` }] : [];
  });
}

export interface AppliedVariant {
  /** A copy of the model with the variant's layer options and training keys set. */
  ir: ModelIR;
  /** The variant's training keys alone, normalized as the training block reads them (they win over any other setting). */
  training: TrainingConfig;
  problems: string[];
}

/** A new IR with the variant's values set: training keys over the training block, `<layer>.<option>` on that layer's config. */
export function applyVariant(ir: ModelIR, values: Record<string, SweepValue>): AppliedVariant {
  const copy = structuredClone(ir);
  const training: Record<string, unknown> = {};
  const fields: Partial<Record<TrainingObjectKey, Record<string, SweepValue>>> = {};
  const problems: string[] = [];
  for (const [parameter, value] of Object.entries(values)) {
    const target = resolveParameter(copy, parameter);
    if (typeof target === 'string') {
      problems.push(target);
    } else if (target.kind === 'trainingField') {
      const problem = trainingFieldProblem(target.key, target.field, value);
      if (problem) problems.push(problem);
      else fields[target.key] = { ...fields[target.key], [target.field]: value };
    } else if (target.kind === 'training') {
      const read = readTraining({ [target.key]: value });
      if (read.problems.length > 0) problems.push(...read.problems.map((problem) => problem.message));
      else Object.assign(training, read.training);
    } else {
      setLayerOption(copy, target.layer, target.option, value);
    }
  }
  for (const [key, swept] of Object.entries(fields) as [TrainingObjectKey, Record<string, SweepValue>][]) {
    const read = readTraining({ [key]: { ...writtenTrainingObject({ ...copy.training, ...training }, key), ...swept } });
    if (read.problems.length > 0) problems.push(...read.problems.map((problem) => problem.message));
    else Object.assign(training, read.training);
  }
  copy.training = { ...copy.training, ...(training as TrainingConfig) };
  return { ir: copy, training: training as TrainingConfig, problems };
}

function setLayerOption(ir: ModelIR, layerName: string, option: string, value: SweepValue): void {
  const layer = ir.layers.find((candidate) => candidate.name === layerName);
  if (!layer) return;
  // A Keras spelling already written (`kernel_size`) gives way to the option it names.
  for (const written of Object.keys(layer.config)) if (written !== option && camelCase(written) === option) delete layer.config[written];
  setOwn(layer.config, option, value);
}

export interface CheckedVariant extends AppliedVariant {
  summary: ModelSummary;
}

/**
 * The variant applied and summarized by the model core: `problems` holds why it cannot train (an
 * unknown layer or option, a value the training block refuses, a shape that no longer fits).
 */
export function checkVariant(ir: ModelIR, values: Record<string, SweepValue>): CheckedVariant {
  const applied = applyVariant(ir, values);
  const summary = summarizeModel(applied.ir);
  const shapeErrors = summary.diagnostics
    .filter((diagnostic) => diagnostic.severity === 'error')
    .map((diagnostic) => (diagnostic.layer && !diagnostic.message.includes(diagnostic.layer) ? `${diagnostic.layer}: ${diagnostic.message}` : diagnostic.message));
  return { ...applied, summary, problems: [...applied.problems, ...shapeErrors] };
}

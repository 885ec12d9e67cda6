// What CNN Lab: Sweep… offers in its quick picks, apart from the quick picks themselves: the keys a
// model can sweep (training keys, its layers' numeric options), the values typed for a key
// (comma-separated) read and checked against the model by the model core, and the sweep they make.
// Pure (no vscode), so it is unit-tested.

import { camelCase } from '../model/names';
import { checkVariant, readSweep, type SweepMetric, type SweepSpec, type SweepValue } from '../model/sweep';
import type { ModelIR } from '../model/types';

/** The training keys offered, in this order, with what each one changes. */
export const SWEEP_TRAINING_KEYS = [
  { key: 'learningRate', detail: 'the optimizer’s step size' },
  { key: 'batchSize', detail: 'examples per step' },
  { key: 'optimizer', detail: 'adam, sgd, rmsprop…' },
  { key: 'epochs', detail: 'passes over the training data' },
] as const;

/** Layer options that are shapes or seeds, not settings to search over. */
const NOT_SWEPT_OPTIONS = new Set(['inputShape', 'batchInputShape', 'seed', 'name', 'trainable']);

export interface SweepKeyChoice {
  key: string;
  /** What the model holds now, to start the values from. */
  current?: SweepValue;
  detail: string;
}

/** Training keys first, then every layer's numeric option as `<layer>.<option>`, each with its value in the model. */
export function sweepKeyChoices(ir: ModelIR): SweepKeyChoice[] {
  const training = SWEEP_TRAINING_KEYS.map(({ key, detail }) => ({ key, detail, current: trainingValue(ir, key) }));
  const layers = ir.layers.flatMap((layer) =>
    layer.unreadable || layer.application || layer.model
      ? []
      : Object.entries(layer.config)
          .filter(([option, value]) => typeof value === 'number' && !NOT_SWEPT_OPTIONS.has(camelCase(option)))
          .map(([option, value]) => ({ key: `${layer.name}.${camelCase(option)}`, detail: layer.className, current: value as number })),
  );
  return [...training, ...layers];
}

function trainingValue(ir: ModelIR, key: string): SweepValue | undefined {
  const training = ir.training as Record<string, unknown> | undefined;
  const value = training?.[key];
  if (key === 'optimizer' && typeof value === 'object' && value !== null) return (value as { name?: string }).name;
  if (key === 'learningRate' && value === undefined) {
    const optimizer = training?.optimizer;
    if (typeof optimizer === 'object' && optimizer !== null) return (optimizer as { learningRate?: number }).learningRate;
  }
  return typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean' ? value : undefined;
}

/** `0.001, 0.004` → numbers, `adam, sgd` → text, `true` → a boolean; quotes around text are dropped. */
export function parseValueList(text: string): SweepValue[] {
  return text
    .split(',')
    .map((token) => token.trim())
    .filter((token) => token !== '')
    .map((token) => {
      if (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(token)) return Number(token);
      if (token === 'true' || token === 'false') return token === 'true';
      return token.replace(/^(['"])(.*)\1$/, '$2');
    });
}

/**
 * Why the values typed for `key` cannot be swept, or undefined when they can: none typed, or one
 * the model core refuses (a training value the training block refuses, a layer option that breaks
 * the model's shapes), named with its value.
 */
export function valuesProblem(ir: ModelIR, key: string, text: string): string | undefined {
  const values = parseValueList(text);
  if (values.length === 0) return `Type at least one value for ${key}, separated by commas, e.g. ${exampleFor(key)}.`;
  const { problems } = readSweep({ parameters: { [key]: values } });
  const error = problems.find((problem) => problem.severity === 'error');
  if (error) return error.message;
  for (const value of values) {
    const [problem] = checkVariant(ir, { [key]: value }).problems;
    if (problem) return `${key}=${String(value)}: ${problem}`;
  }
  return undefined;
}

function exampleFor(key: string): string {
  if (key === 'learningRate') return '0.001, 0.004';
  if (key === 'optimizer') return 'adam, sgd';
  return key.endsWith('.rate') ? '0.2, 0.5' : '16, 32';
}

/** The sweep the picks make; throws the model core's message when the spec itself is refused. */
export function sweepFromChoices(parameters: Record<string, SweepValue[]>, method: SweepSpec['method'], metric: SweepMetric, trials?: number): SweepSpec {
  const { sweep, problems } = readSweep({ method, parameters, metric: metric.name, goal: metric.goal, ...(method === 'random' ? { trials } : {}) });
  if (!sweep) throw new Error(problems.find((problem) => problem.severity === 'error')?.message ?? 'The sweep could not be read.');
  return sweep;
}

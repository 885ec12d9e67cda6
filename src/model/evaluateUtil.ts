// What the evaluator's stand-in of @tensorflow/tfjs (./evaluateWorker) offers besides layers and
// models: `tf.util`'s pure helpers, inert `tf.train` optimizers, and one error for everything that
// needs tensors, so that a module calling one is told which call and why, on its line.

/** The parts of tfjs the stand-in has, named in every "not available" error. */
const AVAILABLE =
  'tf.sequential, tf.model, tf.input, tf.layers (and tf.layers.Layer subclasses), tf.initializers, tf.regularizers, tf.constraints, ' +
  'tf.train optimizers, tf.serialization.registerClass, tf.util helpers on plain numbers and arrays, tf.ready, tf.setBackend, tf.tidy, ' +
  'model.add, model.apply, model.compile and model.summary';

/** Throws the error for a tfjs feature the stand-in does not have. */
export function unavailable(what: string): never {
  throw new Error(
    `${what} is not available while CNN Lab computes shapes: the module runs against a shape-only stand-in of @tensorflow/tfjs, without tensors or weights. ` +
      `Expected: only ${AVAILABLE} while the model is built; call anything else from code the module does not run when it loads (a training function). Received: ${what}.`,
  );
}

/**
 * A tfjs member the stand-in does not have, at any depth (`tf.losses.meanSquaredError`): using it
 * as a value is harmless, calling or constructing it throws `unavailable`.
 */
export function unavailableMember(path: string): unknown {
  return new Proxy(function missing() {}, {
    apply: () => unavailable(`${path}()`),
    construct: () => unavailable(`new ${path}()`),
    get: (_target, key) => (typeof key === 'string' && key !== 'then' ? unavailableMember(`${path}.${key}`) : undefined),
  });
}

/** `namespace.x`: the member when the stand-in has it, else an unavailable member. */
export function namespace<T extends object>(path: string, members: T): T {
  return new Proxy(members, {
    get: (target, key) => {
      if (typeof key !== 'string') return undefined;
      if (Object.hasOwn(target, key)) return (target as Record<string, unknown>)[key];
      return key === 'then' ? undefined : unavailableMember(`${path}.${key}`);
    },
  });
}

type Numbers = ArrayLike<number>;

function arraysEqual(a: Numbers | null | undefined, b: Numbers | null | undefined): boolean {
  if (a === b) return true;
  if (a == null || b == null || a.length !== b.length) return false;
  return Array.from(a).every((value, index) => value === b[index]);
}

function assert(expression: unknown, message: string | (() => string)): void {
  if (!expression) throw new Error(typeof message === 'string' ? message : message());
}

function parseAxisParam(axis: number | number[] | null | undefined, shape: number[]): number[] {
  const rank = shape.length;
  const axes = axis == null ? shape.map((_, index) => index) : ([] as number[]).concat(axis);
  assert(axes.every((ax) => ax >= -rank && ax < rank), () => `All values in axis param must be in range [-${rank}, ${rank}) but got axis ${axes}`);
  assert(axes.every((ax) => ax % 1 === 0), () => `All values in axis param must be integers but got axis ${axes}`);
  return axes.map((ax) => (ax < 0 ? rank + ax : ax));
}

function inferFromImplicitShape(shape: number[], size: number): number[] {
  const implicit = shape.flatMap((dim, index) => (dim === -1 ? [index] : []));
  const negative = shape.findIndex((dim) => dim < -1);
  if (implicit.length > 1) throw new Error(`Shapes can only have 1 implicit size. Found -1 at dim ${implicit[0]} and dim ${implicit[1]}`);
  if (negative >= 0) throw new Error(`Shapes can not be < 0. Found ${shape[negative]} at dim ${negative}`);
  const known = shape.reduce((product, dim) => (dim >= 0 ? product * dim : product), 1);
  if (implicit.length === 0) {
    if (size > 0 && size !== known) throw new Error(`Size(${size}) must match the product of shape ${shape}`);
    return shape;
  }
  if (known === 0) throw new Error(`Cannot infer the missing size in [${shape}] when there are 0 elements`);
  if (size % known !== 0) throw new Error(`The implicit shape can't be a fractional number. Got ${size} / ${known}`);
  return shape.map((dim) => (dim === -1 ? size / known : dim));
}

function flatten(value: unknown, result: unknown[] = [], skipTypedArray = false): unknown[] {
  const typed = ArrayBuffer.isView(value) && !(value instanceof DataView);
  if (Array.isArray(value) || (typed && !skipTypedArray)) {
    for (const item of Array.from(value as ArrayLike<unknown>)) flatten(item, result, skipTypedArray);
  } else {
    result.push(value);
  }
  return result;
}

/**
 * `tf.util`'s helpers that only compute on numbers, shapes and arrays, with tfjs's behaviour
 * (test/model/evaluate-stand-in.test.ts compares each with tfjs). The others work on tensors'
 * typed arrays, dtypes, strings' encodings or the network, and are unavailable.
 */
export const util = namespace('tf.util', {
  arraysEqual,
  arraysEqualWithNull: (a: (number | null)[] | null, b: (number | null)[] | null): boolean =>
    a === b || (a != null && b != null && a.length === b.length && a.every((value, index) => value === null || b[index] === null || value === b[index])),
  assert,
  assertNonNull: (value: unknown): void => assert(value != null, () => 'The input to the tensor constructor must be a non-null value.'),
  assertShapesMatch: (a: number[], b: number[], prefix = ''): void => assert(arraysEqual(a, b), () => `${prefix} Shapes ${a} and ${b} must match`),
  clamp: (min: number, x: number, max: number): number => Math.max(min, Math.min(x, max)),
  computeStrides: (shape: number[]): number[] => shape.slice(1).map((_, index) => shape.slice(index + 1).reduce((product, dim) => product * dim, 1)),
  distSquared: (a: Numbers, b: Numbers): number => Array.from(a).reduce((total, value, index) => total + (Number(value) - Number(b[index])) ** 2, 0),
  flatten,
  inferFromImplicitShape,
  isBoolean: (value: unknown): boolean => typeof value === 'boolean',
  isFunction: (value: unknown): boolean => typeof value === 'function',
  isInt: (value: number): boolean => value % 1 === 0,
  isNumber: (value: unknown): boolean => typeof value === 'number',
  isScalarShape: (shape: number[]): boolean => shape.length === 0,
  isString: (value: unknown): boolean => typeof value === 'string' || value instanceof String,
  nearestDivisor: (size: number, start: number): number => {
    for (let divisor = start; divisor < size; divisor += 1) if (size % divisor === 0) return divisor;
    return size;
  },
  nearestLargerEven: (value: number): number => (value % 2 === 0 ? value : value + 1),
  now: (): number => performance.now(),
  parseAxisParam,
  rightPad: (text: string, size: number): string => (size <= text.length ? text : text + ' '.repeat(size - text.length)),
  sizeFromShape: (shape: number[]): number => shape.reduce((product, dim) => product * dim, 1),
  sizeToSquarishShape: (size: number): [number, number] => {
    const width = Math.ceil(Math.sqrt(size));
    return [width, Math.ceil(size / width)];
  },
  sum: (values: Numbers): number => Array.from(values).reduce((total, value) => total + value, 0),
  swap: <T>(object: T[], left: number, right: number): void => {
    [object[left], object[right]] = [object[right], object[left]];
  },
  tanh: Math.tanh,
});

/** An optimizer from `tf.train`: kept for `model.compile`, which changes nothing here. */
class Optimizer {
  constructor(
    private readonly className: string,
    private readonly config: Record<string, unknown>,
  ) {}

  getClassName(): string {
    return this.className;
  }

  getConfig(): Record<string, unknown> {
    return { ...this.config };
  }

  minimize(): never {
    return unavailable('optimizer.minimize()');
  }

  applyGradients(): never {
    return unavailable('optimizer.applyGradients()');
  }
}

/** tfjs's optimizer factories: class name and the names of their positional arguments. */
const OPTIMIZERS: Record<string, [string, string[]]> = {
  sgd: ['SGD', ['learningRate']],
  momentum: ['Momentum', ['learningRate', 'momentum', 'useNesterov']],
  rmsprop: ['RMSProp', ['learningRate', 'decay', 'momentum', 'epsilon', 'centered']],
  adam: ['Adam', ['learningRate', 'beta1', 'beta2', 'epsilon']],
  adadelta: ['Adadelta', ['learningRate', 'rho', 'epsilon']],
  adamax: ['Adamax', ['learningRate', 'beta1', 'beta2', 'epsilon', 'decay']],
  adagrad: ['Adagrad', ['learningRate', 'initialAccumulatorValue']],
};

export const train = namespace(
  'tf.train',
  Object.fromEntries(
    Object.entries(OPTIMIZERS).map(([factory, [className, parameters]]) => [
      factory,
      (...values: unknown[]) => new Optimizer(className, Object.fromEntries(parameters.flatMap((name, index) => (values[index] === undefined ? [] : [[name, values[index]]])))),
    ]),
  ),
);

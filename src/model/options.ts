// Checks one option value against its kind, and reads checked values in the forms the layer
// rules need. A check returns what was expected, for a Keras-style "expected …, Received: …".

import type { OptionKind } from './catalog';
import { ACTIVATIONS, activationNamed } from './vocabulary';

const isInteger = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value);
const isPositiveInteger = (value: unknown): value is number => isInteger(value) && value > 0;
const isNonNegativeInteger = (value: unknown): value is number => isInteger(value) && value >= 0;
const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
/** A number or a (nested) list of numbers, as NumPy's tolist() writes an array. */
const isNumbers = (value: unknown): boolean => isFiniteNumber(value) || (Array.isArray(value) && value.length > 0 && value.every(isNumbers));

/** What the option should have been, or `undefined` when the value is acceptable. */
export function expectedForValue(kind: OptionKind, value: unknown): string | undefined {
  switch (kind) {
    case 'positiveInt':
      return isPositiveInteger(value) ? undefined : 'a positive integer';
    case 'positiveIntOrPair':
      return isPositiveInteger(value) || (Array.isArray(value) && value.length === 2 && value.every(isPositiveInteger))
        ? undefined
        : 'a positive integer or a list of 2 positive integers';
    case 'padding':
      return value === 'valid' || value === 'same' ? undefined : 'one of "valid", "same"';
    case 'activation':
      // Keras's names (`leaky_relu`) or their camelCase (`leakyRelu`); null is linear.
      return value === null || (typeof value === 'string' && activationNamed(value) !== undefined)
        ? undefined
        : `one of ${ACTIVATIONS.map((name) => `"${name}"`).join(', ')} (or Keras's snake_case spelling, e.g. "leaky_relu"), or null for linear`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'true or false';
    case 'rate':
      return isFiniteNumber(value) && value >= 0 && value < 1 ? undefined : 'a number in [0, 1)';
    case 'number':
      return isFiniteNumber(value) || value === null ? undefined : 'a number';
    case 'positiveNumber':
      return isFiniteNumber(value) && value > 0 ? undefined : 'a positive number';
    case 'nullablePositiveNumber':
      return value === null || (isFiniteNumber(value) && value > 0) ? undefined : 'a positive number or null';
    case 'shape':
      return Array.isArray(value) && value.length > 0 && value.every((dim) => dim === null || isPositiveInteger(dim))
        ? undefined
        : 'a list of positive integers (null for an unknown size), e.g. [28, 28, 1]';
    case 'batchShape':
      return value === null || (Array.isArray(value) && value.length > 0 && value.every((dim) => dim === null || isPositiveInteger(dim)))
        ? undefined
        : 'a list of positive integers or null, batch axis first, e.g. [null, 28, 28, 1]';
    case 'targetShape':
      return Array.isArray(value) &&
        value.length > 0 &&
        value.every((dim) => isPositiveInteger(dim) || dim === -1) &&
        value.filter((dim) => dim === -1).length <= 1
        ? undefined
        : 'a list of positive integers with at most one -1';
    case 'axis':
      return isInteger(value) ? undefined : 'an integer axis (-1 for the last)';
    case 'axes':
      return isInteger(value) || (Array.isArray(value) && value.every(isInteger)) ? undefined : 'an integer axis or a list of integer axes (-1 for the last)';
    case 'nullableAxes':
      return value === null || isInteger(value) || (Array.isArray(value) && value.every(isInteger))
        ? undefined
        : 'an integer axis, a list of integer axes, or null (one value for the whole input)';
    case 'nullableNonNegativeIntOrPair':
      return value === null || isNonNegativeInteger(value) || (Array.isArray(value) && value.length === 2 && value.every(isNonNegativeInteger))
        ? undefined
        : 'null, a non-negative integer or a list of 2 non-negative integers';
    case 'nullableNumbers':
      return value === null || isNumbers(value) ? undefined : 'null, a number or a list of numbers';
    case 'dataFormat':
      return value === 'channelsLast' ? undefined : '"channelsLast" (CNN Lab supports channels-last tensors only: height, width, channels)';
    case 'paddingAmounts':
      return isNonNegativeInteger(value) ||
        (Array.isArray(value) && value.length === 2 && value.every(isNonNegativeInteger)) ||
        (Array.isArray(value) &&
          value.length === 2 &&
          value.every((pair) => Array.isArray(pair) && pair.length === 2 && pair.every(isNonNegativeInteger)))
        ? undefined
        : 'a non-negative integer, [rows, columns] or [[top, bottom], [left, right]]';
    case 'interpolation':
      return value === 'nearest' || value === 'bilinear' ? undefined : 'one of "nearest", "bilinear"';
    case 'string':
      return typeof value === 'string' || value === null ? undefined : 'a string';
    case 'initializer':
      return typeof value === 'string' || (typeof value === 'object' && value !== null && !Array.isArray(value))
        ? undefined
        : 'an initializer name or object';
    case 'nullableObject':
      return value === null || typeof value === 'string' || (typeof value === 'object' && !Array.isArray(value)) ? undefined : 'an object or null';
    case 'inputNames':
      return (typeof value === 'string' && value.length > 0) || (Array.isArray(value) && value.length > 0 && value.every((name) => typeof name === 'string'))
        ? undefined
        : 'a layer name or a list of layer names';
  }
}

/** A checked `n` or `[a, b]` option as a pair. */
export function pairOf(value: unknown): [number, number] {
  if (Array.isArray(value)) return [Number(value[0]), Number(value[1])];
  return [Number(value), Number(value)];
}

/** A checked `axes` or `nullableAxes` option as a list (null: none). */
export function axesOf(value: unknown): number[] {
  if (value === null || value === undefined) return [];
  return Array.isArray(value) ? value.map(Number) : [Number(value)];
}

/** The values of a checked `nullableNumbers` option, flattened. */
export function numbersOf(value: unknown): number[] {
  if (value === null || value === undefined) return [];
  return Array.isArray(value) ? value.flatMap(numbersOf) : [Number(value)];
}

/** A checked padding/cropping amount as [[top, bottom], [left, right]]. */
export function amountsOf(value: unknown): [[number, number], [number, number]] {
  if (Array.isArray(value) && Array.isArray(value[0])) {
    const [rows, columns] = value as number[][];
    return [[rows[0], rows[1]], [columns[0], columns[1]]];
  }
  const [rows, columns] = pairOf(value);
  return [[rows, rows], [columns, columns]];
}

/** How a value was written, for "Received: …" (JSON, which reads the same in TypeScript). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

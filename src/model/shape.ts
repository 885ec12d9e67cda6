// Shape arithmetic shared by every layer rule. All convolutions and poolings go through
// `convOutputLength` / `transposedConvOutputLength`, the counterparts of Keras's
// `compute_conv_output_shape` / `compute_conv_transpose_output_shape`; every elementwise merge
// through `mergeShapes`, Keras's merge broadcasting.

import type { Dim, Shape } from './types';

/** `(None, 26, 26, 64)`: Keras's way of printing a shape, batch axis included. */
export function formatShape(shape: Shape): string {
  const parts = shape.map((dim) => (dim === null ? 'None' : String(dim)));
  return parts.length === 1 ? `(${parts[0]},)` : `(${parts.join(', ')})`;
}

/** `(3, 3)` for a tuple option. */
export function formatTuple(values: readonly number[]): string {
  return values.length === 1 ? `(${values[0]},)` : `(${values.join(', ')})`;
}

/** Product of the sizes, or `null` when one of them is unknown. */
export function knownProduct(dims: readonly Dim[]): number | null {
  let product = 1;
  for (const dim of dims) {
    if (dim === null) return null;
    product *= dim;
  }
  return product;
}

export type Padding = 'valid' | 'same';

/** One spatial axis's output length and the arithmetic behind it, in the user's numbers. */
export interface AxisLength {
  length: Dim;
  /** e.g. `(28 + 2·0 − 3) / 1 + 1 = 26`; empty when the input length is unknown. */
  arithmetic: string;
}

/** Kernel size once dilated: Keras's `(k − 1)·d + 1`. */
export function dilatedKernel(kernel: number, dilation: number): number {
  return (kernel - 1) * dilation + 1;
}

/**
 * Output length of a convolution or pooling window along one axis.
 * `valid`: ⌊(L − k_d) / s⌋ + 1; `same`: ⌈L / s⌉. The result may be ≤ 0; callers report that.
 */
export function convOutputLength(input: Dim, kernel: number, stride: number, padding: Padding, dilation = 1): AxisLength {
  if (input === null) return { length: null, arithmetic: '' };
  const effective = dilatedKernel(kernel, dilation);
  const kernelText = dilation === 1 ? String(kernel) : `((${kernel} − 1)·${dilation} + 1)`;
  if (padding === 'same') {
    const length = Math.ceil(input / stride);
    const arithmetic = stride === 1 ? `${input} (padding "same" keeps the size)` : `⌈${input} / ${stride}⌉ = ${length}`;
    return { length, arithmetic };
  }
  const length = Math.floor((input - effective) / stride) + 1;
  const exact = (input - effective) % stride === 0;
  const core = `(${input} + 2·0 − ${kernelText}) / ${stride}`;
  const arithmetic = exact ? `${core} + 1 = ${length}` : `⌊${core}⌋ + 1 = ${length}`;
  return { length, arithmetic };
}

/**
 * Output length of a transposed convolution along one axis: Keras 3's
 * `_get_output_shape_given_tf_padding` (keras/src/backend/common/backend_utils.py, used by
 * `compute_conv_transpose_output_shape`), which is tf-keras's `conv_utils.deconv_output_length`.
 * Without output padding: `valid` (L − 1)·s + max(k_d, s), written L·s + max(k_d − s, 0);
 * `same` L·s. With output padding p: `valid` (L − 1)·s + k_d + p; `same` (L − 1)·s + k_d mod 2 + p.
 */
export function transposedConvOutputLength(input: Dim, kernel: number, stride: number, padding: Padding, dilation = 1, outputPadding: number | null = null): AxisLength {
  if (input === null) return { length: null, arithmetic: '' };
  const effective = dilatedKernel(kernel, dilation);
  if (outputPadding !== null) {
    const kernelPart = padding === 'same' ? effective % 2 : effective;
    const length = (input - 1) * stride + kernelPart + outputPadding;
    const kernelText = padding === 'same' ? `${effective} mod 2` : String(effective);
    return { length, arithmetic: `(${input} − 1) · ${stride} + ${kernelText} + ${outputPadding} (outputPadding) = ${length}` };
  }
  if (padding === 'same') {
    const length = input * stride;
    return { length, arithmetic: `${input} · ${stride} = ${length}` };
  }
  const length = input * stride + Math.max(effective - stride, 0);
  return { length, arithmetic: `${input} · ${stride} + max(${effective} − ${stride}, 0) = ${length}` };
}

/** What merging shapes elementwise gives: the output shape, or why Keras refuses the inputs. */
export type MergedShape =
  | { ok: true; shape: Shape }
  | { ok: false; reason: 'batch' }
  | { ok: false; reason: 'incompatible'; shapes: [Dim[], Dim[]] };

/**
 * The output shape of an elementwise merge (Add, Subtract, Multiply, Average, Maximum, Minimum):
 * Keras 3's `Merge.build` and `Merge.compute_output_shape` (keras/src/layers/merging/base_merge.py).
 * The batch sizes that are known must agree; the other axes go through
 * `_compute_elemwise_op_output_shape` pairwise, left to right.
 */
export function mergeShapes(shapes: readonly Shape[]): MergedShape {
  const batches = new Set(shapes.map((shape) => shape[0]).filter((dim): dim is number => dim !== null));
  if (batches.size > 1) return { ok: false, reason: 'batch' };
  let output: Dim[] = shapes[0].slice(1);
  for (const shape of shapes.slice(1)) {
    const merged = elementwiseOutputShape(output, shape.slice(1));
    if (!merged.ok) return merged;
    output = merged.shape;
  }
  return { ok: true, shape: [batches.size === 1 ? [...batches][0] : null, ...output] };
}

/**
 * Keras's `_compute_elemwise_op_output_shape` on two shapes without the batch axis: aligned on the
 * right, the longer one's leading axes kept; per axis, None if either size is None (even when the
 * other is known), the other size where one is 1, else the sizes must be equal.
 */
function elementwiseOutputShape(shape1: Dim[], shape2: Dim[]): { ok: true; shape: Dim[] } | { ok: false; reason: 'incompatible'; shapes: [Dim[], Dim[]] } {
  if (shape1.length < shape2.length) return elementwiseOutputShape(shape2, shape1);
  if (shape2.length === 0) return { ok: true, shape: shape1 };
  const output = shape1.slice(0, shape1.length - shape2.length);
  const aligned = shape1.slice(shape1.length - shape2.length);
  for (const [index, i] of aligned.entries()) {
    const j = shape2[index];
    if (i === null || j === null) output.push(null);
    else if (i === 1) output.push(j);
    else if (j === 1) output.push(i);
    else if (i !== j) return { ok: false, reason: 'incompatible', shapes: [shape1, shape2] };
    else output.push(i);
  }
  return { ok: true, shape: output };
}

/** Keras's thousands separators: `7,930,112`. */
export function withThousands(value: number): string {
  const sign = value < 0 ? '-' : '';
  return sign + String(Math.abs(Math.round(value))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

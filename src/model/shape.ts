// Shape arithmetic shared by every layer rule. All convolutions and poolings go through
// `convOutputLength` / `transposedConvOutputLength`, the counterparts of Keras's
// `compute_conv_output_shape` and tfjs-layers' `convOutputLength` / `deconvLength`.

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

/** Output length of a transposed convolution along one axis (Keras `deconv_output_length`, no output padding). */
export function transposedConvOutputLength(input: Dim, kernel: number, stride: number, padding: Padding, dilation = 1): AxisLength {
  if (input === null) return { length: null, arithmetic: '' };
  const effective = dilatedKernel(kernel, dilation);
  if (padding === 'same') {
    const length = input * stride;
    return { length, arithmetic: `${input} · ${stride} = ${length}` };
  }
  const length = input * stride + Math.max(effective - stride, 0);
  return { length, arithmetic: `${input} · ${stride} + max(${effective} − ${stride}, 0) = ${length}` };
}

/** Keras's thousands separators: `7,930,112`. */
export function withThousands(value: number): string {
  const sign = value < 0 ? '-' : '';
  return sign + String(Math.abs(Math.round(value))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

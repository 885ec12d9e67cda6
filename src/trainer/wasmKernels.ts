// Training kernels for tfjs's WebAssembly backend (@tensorflow/tfjs-backend-wasm 4.22).
//
// The stock wasm backend runs inference well but cannot train most CNNs, and trains the rest slowly:
//  - missing, so training throws: Conv2DBackpropFilter (every Conv2D layer, tfjs#8474), the depthwise
//    backprop pair (DepthwiseConv2D, SeparableConv2D), UnsortedSegmentSum (the gradient of gather);
//  - present but naive C++ loops that dominated a training step: BatchMatMul with a transpose flag (the
//    backward pass of every Dense layer), Conv2DBackpropInput, MaxPoolGrad, and Sum over all leading
//    axes (every bias gradient).
// Each kernel here works on the wasm heap: either by composing wasm's own fast kernels (Conv2D and
// Transpose go through XNNPACK) or by plain loops over backend.typedArrayFromHeap views. Every
// intermediate a kernel makes is freed before it returns, so training leaks nothing.
// Measurements and the reasoning behind each choice: docs/wasm-training-probe.md.
//
// Nothing here loads the wasm package: it only registers kernels for the backend name 'wasm', so the
// module is safe to import where wasm is never used. Call installWasmTrainingKernels() after
// @tensorflow/tfjs-backend-wasm has been required (its own kernels must be registered) and before
// tf.setBackend('wasm'), so that the setup functions of the kernels wrapped here run at initialisation.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { conv2DFilterGradient } from './convFilterGradient';

type TensorInfo = tf.TensorInfo;
type Attrs = Record<string, unknown>;
type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };
type KernelFunc = (args: KernelArgs) => TensorInfo | TensorInfo[];
type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
type RoundingMode = 'floor' | 'round' | 'ceil' | undefined;
type Pair = [number, number] | number;

const backendName = 'wasm';

/** Below this many filter taps × input channels, the filter gradient is faster as a loop than through XNNPACK. */
const smallFilterGradient = 16;

/** The stock kernels, taken before any of ours replace them: ours call these, never themselves. */
const stock = new Map<string, KernelFunc>();

function stockKernel(name: string): KernelFunc {
  const kernel = stock.get(name);
  if (!kernel) throw new Error(`the wasm backend has no ${name} kernel`);
  return kernel;
}

function run(name: string, backend: BackendWasm, inputs: Record<string, TensorInfo>, attrs: Attrs): TensorInfo {
  return stockKernel(name)({ inputs, backend, attrs: attrs as tf.NamedAttrMap }) as TensorInfo;
}

function free(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

function heap(backend: BackendWasm, info: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

function channelsLast(attrs: Attrs, kernel: string): void {
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC' && attrs.dataFormat !== 'channelsLast') {
    throw new Error(`${kernel} on wasm: only channels-last (NHWC) data is supported, got ${String(attrs.dataFormat)}`);
  }
}

function shape4(info: TensorInfo | number[]): [number, number, number, number] {
  const shape = Array.isArray(info) ? info : info.shape;
  if (shape.length !== 4) throw new Error(`expected a rank-4 shape, got [${shape.join(', ')}]`);
  return shape as [number, number, number, number];
}

/** [kh, kw, Ci, Co] → [kh, kw, Co, Ci], rotated by 180° in space: the filter of the transposed convolution. */
function flippedTransposedFilter(backend: BackendWasm, filter: TensorInfo): TensorInfo {
  const [kh, kw, ci, co] = shape4(filter);
  const out = backend.makeOutput([kh, kw, co, ci], 'float32');
  const source = heap(backend, filter);
  const target = heap(backend, out);
  for (let r = 0; r < kh; r++) {
    for (let c = 0; c < kw; c++) {
      const from = (r * kw + c) * ci * co;
      const to = ((kh - 1 - r) * kw + (kw - 1 - c)) * co * ci;
      for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) target[to + o * ci + i] = source[from + i * co + o];
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Conv2DBackpropFilter (missing in wasm): dW[r, c, i, o] = Σ_{n, y, x} X[n, y·sh + r − top, x·sw + c − left, i] · dY[n, y, x, o].

function conv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const wasm = backend as BackendWasm;
  const a = (attrs ?? {}) as Attrs;
  channelsLast(a, 'Conv2DBackpropFilter');
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const filterShape = shape4(a.filterShape as number[]);
  const info = tf.backend_util.computeConv2DInfo(shape4(x), filterShape, a.strides as Pair, 1, a.pad as Pad, a.dimRoundingMode as RoundingMode);
  if (info.filterHeight * info.filterWidth * info.inChannels <= smallFilterGradient) return filterGradientLoop(wasm, x, dy, info);
  return filterGradientByConvolution(wasm, x, dy, info);
}

/**
 * The filter gradient is itself a convolution: of X, channels and batch swapped ([Ci, H, W, N]), with dY as
 * the filter ([oh, ow, N, Co]), dilated by the stride. One XNNPACK call, but it packs dY as a new filter
 * each time, which only pays off when the result has many rows (kh·kw·Ci).
 */
function filterGradientByConvolution(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, info: tf.backend_util.Conv2DInfo): TensorInfo {
  const { inHeight: H, inWidth: W, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co, filterHeight: kh, filterWidth: kw } = info;
  const { strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const bottom = kh + (oh - 1) * sh - H - top;
  const right = kw + (ow - 1) * sw - W - left;
  const xT = run('Transpose', backend, { x }, { perm: [3, 1, 2, 0] });
  const dyT = run('Transpose', backend, { x: dy }, { perm: [1, 2, 0, 3] });
  let product = run('Conv2D', backend, { x: xT, filter: dyT }, {
    strides: [1, 1],
    pad: [[0, 0], [top, Math.max(0, bottom)], [left, Math.max(0, right)], [0, 0]],
    dataFormat: 'NHWC',
    dilations: [sh, sw],
    dimRoundingMode: undefined,
  });
  free(backend, xT, dyT);
  if (bottom < 0 || right < 0) {
    // Rows or columns of X that no output reads ('valid' with a stride): the convolution covers more taps than the filter has.
    const cropped = run('Slice', backend, { x: product }, { begin: [0, 0, 0, 0], size: [ci, kh, kw, co] });
    free(backend, product);
    product = cropped;
  }
  const out = run('Transpose', backend, { x: product }, { perm: [1, 2, 0, 3] });
  free(backend, product);
  return out;
}

function filterGradientLoop(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, info: tf.backend_util.Conv2DInfo): TensorInfo {
  const out = backend.makeOutput([info.filterHeight, info.filterWidth, info.inChannels, info.outChannels], 'float32');
  heap(backend, out).set(conv2DFilterGradient(heap(backend, x), heap(backend, dy), info));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Conv2DBackpropInput (stock: a naive loop): the transposed convolution, run as an XNNPACK Conv2D of dY
// (spread out by the stride) with the flipped filter.

function conv2DBackpropInput(args: KernelArgs): TensorInfo {
  const backend = args.backend as BackendWasm;
  const a = (args.attrs ?? {}) as Attrs;
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  if (a.dataFormat === 'NCHW') return stockKernel('Conv2DBackpropInput')(args) as TensorInfo;
  const inputShape = shape4(a.inputShape as number[]);
  const info = tf.backend_util.computeConv2DInfo(inputShape, shape4(filter), a.strides as Pair, 1, a.pad as Pad, a.dimRoundingMode as RoundingMode);
  const { inHeight: H, inWidth: W, outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const padTop = kh - 1 - top;
  const padLeft = kw - 1 - left;
  const padBottom = H + top - (oh - 1) * sh - 1;
  const padRight = W + left - (ow - 1) * sw - 1;
  if (Math.min(padTop, padLeft, padBottom, padRight) < 0) return stockKernel('Conv2DBackpropInput')(args) as TensorInfo;
  const spread = sh === 1 && sw === 1 ? dy : spreadByStride(backend, dy, sh, sw);
  const flipped = flippedTransposedFilter(backend, filter);
  const out = run('Conv2D', backend, { x: spread, filter: flipped }, {
    strides: [1, 1],
    pad: [[0, 0], [padTop, padBottom], [padLeft, padRight], [0, 0]],
    dataFormat: 'NHWC',
    dilations: [1, 1],
    dimRoundingMode: undefined,
  });
  free(backend, flipped);
  if (spread !== dy) free(backend, spread);
  return out;
}

/** [N, oh, ow, C] → [N, (oh−1)·sh + 1, (ow−1)·sw + 1, C] with zeros between the rows and columns of dY. */
function spreadByStride(backend: BackendWasm, dy: TensorInfo, sh: number, sw: number): TensorInfo {
  const [n, oh, ow, c] = shape4(dy);
  const height = (oh - 1) * sh + 1;
  const width = (ow - 1) * sw + 1;
  const out = backend.makeOutput([n, height, width, c], 'float32');
  const source = heap(backend, dy);
  const target = heap(backend, out);
  target.fill(0);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        const from = ((b * oh + y) * ow + x) * c;
        target.set(source.subarray(from, from + c), ((b * height + y * sh) * width + x * sw) * c);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Depthwise backprop pair (missing in wasm). Filter [kh, kw, Ci, M]; output channel k = i·M + m.

function depthwiseInfo(xShape: number[], filterShape: number[], a: Attrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    shape4(xShape),
    shape4(filterShape),
    a.strides as Pair,
    (a.dilations as Pair | undefined) ?? 1,
    a.pad as Pad,
    a.dimRoundingMode as RoundingMode,
    true,
  );
}

function depthwiseBackpropFilter({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const wasm = backend as BackendWasm;
  const a = (attrs ?? {}) as Attrs;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const filterShape = shape4(a.filterShape as number[]);
  const info = depthwiseInfo(x.shape, filterShape, a);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const { top, left } = info.padInfo;
  const multiplier = outChannels / inChannels;
  const out = wasm.makeOutput(filterShape, 'float32');
  const xs = heap(wasm, x);
  const dys = heap(wasm, dy);
  const sums = new Float32Array(filterHeight * filterWidth * outChannels);
  for (let b = 0; b < batchSize; b++) {
    for (let yR = 0; yR < outHeight; yR++) {
      for (let yC = 0; yC < outWidth; yC++) {
        const dyOffset = ((b * outHeight + yR) * outWidth + yC) * outChannels;
        for (let wR = 0; wR < filterHeight; wR++) {
          const xR = yR * strideHeight + wR * dilationHeight - top;
          if (xR < 0 || xR >= inHeight) continue;
          for (let wC = 0; wC < filterWidth; wC++) {
            const xC = yC * strideWidth + wC * dilationWidth - left;
            if (xC < 0 || xC >= inWidth) continue;
            const xOffset = ((b * inHeight + xR) * inWidth + xC) * inChannels;
            const wOffset = (wR * filterWidth + wC) * outChannels;
            for (let i = 0; i < inChannels; i++) {
              const value = xs[xOffset + i];
              const k = i * multiplier;
              for (let m = 0; m < multiplier; m++) sums[wOffset + k + m] += value * dys[dyOffset + k + m];
            }
          }
        }
      }
    }
  }
  heap(wasm, out).set(sums);
  return out;
}

function depthwiseBackpropInput({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const wasm = backend as BackendWasm;
  const a = (attrs ?? {}) as Attrs;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const inputShape = shape4(a.inputShape as number[]);
  const info = depthwiseInfo(inputShape, filter.shape, a);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const { top, left } = info.padInfo;
  const multiplier = outChannels / inChannels;
  const out = wasm.makeOutput(inputShape, 'float32');
  const ws = heap(wasm, filter);
  const dys = heap(wasm, dy);
  const sums = new Float32Array(batchSize * inHeight * inWidth * inChannels);
  for (let b = 0; b < batchSize; b++) {
    for (let yR = 0; yR < outHeight; yR++) {
      for (let yC = 0; yC < outWidth; yC++) {
        const dyOffset = ((b * outHeight + yR) * outWidth + yC) * outChannels;
        for (let wR = 0; wR < filterHeight; wR++) {
          const xR = yR * strideHeight + wR * dilationHeight - top;
          if (xR < 0 || xR >= inHeight) continue;
          for (let wC = 0; wC < filterWidth; wC++) {
            const xC = yC * strideWidth + wC * dilationWidth - left;
            if (xC < 0 || xC >= inWidth) continue;
            const xOffset = ((b * inHeight + xR) * inWidth + xC) * inChannels;
            const wOffset = (wR * filterWidth + wC) * outChannels;
            for (let i = 0; i < inChannels; i++) {
              const k = i * multiplier;
              let sum = 0;
              for (let m = 0; m < multiplier; m++) sum += dys[dyOffset + k + m] * ws[wOffset + k + m];
              sums[xOffset + i] += sum;
            }
          }
        }
      }
    }
  }
  heap(wasm, out).set(sums);
  return out;
}

// ---------------------------------------------------------------------------------------------
// UnsortedSegmentSum (missing in wasm; the gradient of gather): out[s, …] = Σ_{k: ids[k] = s} x[k, …].

function unsortedSegmentSum({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const wasm = backend as BackendWasm;
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const numSegments = (attrs as Attrs).numSegments as number;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') throw new Error(`UnsortedSegmentSum on wasm: dtype ${x.dtype} is not supported`);
  const idCount = tf.util.sizeFromShape(segmentIds.shape);
  const rowShape = x.shape.slice(segmentIds.shape.length);
  const rowSize = tf.util.sizeFromShape(rowShape);
  const out = wasm.makeOutput([numSegments, ...rowShape], x.dtype);
  const values = wasm.typedArrayFromHeap(x) as Float32Array | Int32Array;
  const ids = wasm.typedArrayFromHeap(segmentIds) as Int32Array;
  const sums = x.dtype === 'float32' ? new Float32Array(numSegments * rowSize) : new Int32Array(numSegments * rowSize);
  for (let k = 0; k < idCount; k++) {
    const segment = ids[k];
    if (segment < 0 || segment >= numSegments) continue;
    const from = k * rowSize;
    const to = segment * rowSize;
    for (let j = 0; j < rowSize; j++) sums[to + j] += values[from + j];
  }
  (wasm.typedArrayFromHeap(out) as Float32Array | Int32Array).set(sums);
  return out;
}

// ---------------------------------------------------------------------------------------------
// BatchMatMul with a transpose flag (stock: a naive loop; without flags and at batch 1 it is XNNPACK's GEMM).

const swapLastTwo = (rank: number): number[] => [...Array.from({ length: rank - 2 }, (_, axis) => axis), rank - 1, rank - 2];

function batchMatMul(args: KernelArgs): TensorInfo {
  const backend = args.backend as BackendWasm;
  const a = (args.attrs ?? {}) as Attrs;
  const { a: left, b: right } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const original = stockKernel('BatchMatMul');
  if (!a.transposeA && !a.transposeB) return original(args) as TensorInfo;
  const leftT = a.transposeA ? run('Transpose', backend, { x: left }, { perm: swapLastTwo(left.shape.length) }) : left;
  const rightT = a.transposeB ? run('Transpose', backend, { x: right }, { perm: swapLastTwo(right.shape.length) }) : right;
  const out = original({ inputs: { a: leftT, b: rightT }, backend, attrs: { ...a, transposeA: false, transposeB: false } as tf.NamedAttrMap }) as TensorInfo;
  if (leftT !== left) free(backend, leftT);
  if (rightT !== right) free(backend, rightT);
  return out;
}

// ---------------------------------------------------------------------------------------------
// MaxPoolGrad (stock: slow loops). The gradient goes to the first maximum of each window in scan
// order, as on the cpu backend.

function maxPoolGrad(args: KernelArgs): TensorInfo {
  const backend = args.backend as BackendWasm;
  const a = (args.attrs ?? {}) as Attrs;
  const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
  if (input.dtype !== 'float32') return stockKernel('MaxPoolGrad')(args) as TensorInfo;
  const info = tf.backend_util.computePool2DInfo(shape4(input), a.filterSize as Pair, a.strides as Pair, 1, a.pad as Pad, a.dimRoundingMode as RoundingMode);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  const out = backend.makeOutput(input.shape, 'float32');
  const xs = heap(backend, input);
  const dys = heap(backend, dy);
  const dx = heap(backend, out);
  dx.fill(0);
  const best = new Float32Array(inChannels);
  const where = new Int32Array(inChannels);
  for (let b = 0; b < batchSize; b++) {
    for (let yR = 0; yR < outHeight; yR++) {
      for (let yC = 0; yC < outWidth; yC++) {
        best.fill(Number.NEGATIVE_INFINITY);
        where.fill(-1);
        for (let wR = 0; wR < filterHeight; wR++) {
          const xR = yR * strideHeight + wR - top;
          if (xR < 0 || xR >= inHeight) continue;
          for (let wC = 0; wC < filterWidth; wC++) {
            const xC = yC * strideWidth + wC - left;
            if (xC < 0 || xC >= inWidth) continue;
            const base = ((b * inHeight + xR) * inWidth + xC) * inChannels;
            for (let c = 0; c < inChannels; c++) {
              const value = xs[base + c];
              if (value > best[c] || where[c] < 0) {
                best[c] = value;
                where[c] = base + c;
              }
            }
          }
        }
        const dyBase = ((b * outHeight + yR) * outWidth + yC) * inChannels;
        for (let c = 0; c < inChannels; c++) if (where[c] >= 0) dx[where[c]] += dys[dyBase + c];
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Sum over every axis but the last (bias gradients). Stock wasm transposes the channels to the front
// first; one pass over memory is faster. Other reductions go to the stock kernel.

function sum(args: KernelArgs): TensorInfo {
  const backend = args.backend as BackendWasm;
  const a = (args.attrs ?? {}) as Attrs;
  const { x } = args.inputs as { x: TensorInfo };
  const rank = x.shape.length;
  const axes = tf.util.parseAxisParam(a.axis as number | number[], x.shape).sort((p, q) => p - q);
  const leading = rank >= 2 && axes.length === rank - 1 && axes.every((axis, index) => axis === index);
  if (!leading || x.dtype !== 'float32') return stockKernel('Sum')(args) as TensorInfo;
  const channels = x.shape[rank - 1];
  const out = backend.makeOutput(a.keepDims ? [...Array<number>(rank - 1).fill(1), channels] : [channels], 'float32');
  const xs = heap(backend, x);
  const sums = new Float64Array(channels);
  for (let offset = 0; offset < xs.length; offset += channels) {
    for (let c = 0; c < channels; c++) sums[c] += xs[offset + c];
  }
  heap(backend, out).set(sums);
  return out;
}

// ---------------------------------------------------------------------------------------------

/** Kernels wasm lacks, filled in here. */
export const filledWasmKernels = [
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'UnsortedSegmentSum',
] as const;

/** Stock wasm kernels replaced by faster ones (each falls back to the stock kernel outside its fast case). */
export const replacedWasmKernels = ['BatchMatMul', 'Conv2DBackpropInput', 'MaxPoolGrad', 'Sum'] as const;

const implementations: Record<(typeof filledWasmKernels)[number] | (typeof replacedWasmKernels)[number], KernelFunc> = {
  Conv2DBackpropFilter: conv2DBackpropFilter,
  DepthwiseConv2dNativeBackpropFilter: depthwiseBackpropFilter,
  DepthwiseConv2dNativeBackpropInput: depthwiseBackpropInput,
  UnsortedSegmentSum: unsortedSegmentSum,
  BatchMatMul: batchMatMul,
  Conv2DBackpropInput: conv2DBackpropInput,
  MaxPoolGrad: maxPoolGrad,
  Sum: sum,
};

/** Kernels of wasm's own that ours call. */
const composedFrom = ['Conv2D', 'Transpose', 'Slice'];

let installed = false;

/** Registers the training kernels for 'wasm'; idempotent. Needs @tensorflow/tfjs-backend-wasm loaded. */
export function installWasmTrainingKernels(): void {
  if (installed) return;
  for (const name of [...composedFrom, ...replacedWasmKernels]) {
    const kernel = tf.getKernel(name, backendName);
    if (!kernel) throw new Error(`@tensorflow/tfjs-backend-wasm is not loaded (no wasm ${name} kernel)`);
    stock.set(name, kernel.kernelFunc as KernelFunc);
  }
  for (const [name, kernelFunc] of Object.entries(implementations)) {
    const existing = tf.getKernel(name, backendName);
    if (existing) tf.unregisterKernel(name, backendName);
    tf.registerKernel({ kernelName: name, backendName, setupFunc: existing?.setupFunc, kernelFunc: kernelFunc as tf.KernelFunc });
  }
  installed = true;
}

// A faster Conv2DBackpropFilter for the pure-JS CPU backend. tfjs's own kernel reads every element
// through TensorBuffer.get(...indices) (a rest-argument call per multiply), which made the filter
// gradient 90 % of a training step: 2.4 s per batch of 32 on a 28×28 input with 8 filters. This one
// walks the flat arrays in memory order and gives the same sums. Channels-last only (all that
// tf.layers uses); anything else goes to the original kernel.
import * as tf from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

interface Conv2DBackpropFilterAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

let installed = false;

export function installFastCpuKernels(): void {
  if (installed) return;
  const original = tf.getKernel('Conv2DBackpropFilter', 'cpu');
  if (!original) return;
  installed = true;
  tf.unregisterKernel('Conv2DBackpropFilter', 'cpu');
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'cpu',
    kernelFunc: (params) => {
      const attrs = params.attrs as unknown as Conv2DBackpropFilterAttrs;
      if (attrs.dataFormat !== 'NHWC' || typeof attrs.pad !== 'string') return original.kernelFunc(params);
      const backend = params.backend as MathBackendCPU;
      const { x, dy } = params.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const info = tf.backend_util.computeConv2DInfo(
        x.shape as [number, number, number, number],
        attrs.filterShape,
        attrs.strides,
        1,
        attrs.pad,
        attrs.dimRoundingMode,
        false,
        'channelsLast',
      );
      const xValues = backend.data.get(x.dataId).values as Float32Array;
      const dyValues = backend.data.get(dy.dataId).values as Float32Array;
      const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth } = info;
      const top = info.padInfo.top;
      const left = info.padInfo.left;
      const dW = new Float32Array(filterHeight * filterWidth * inChannels * outChannels);
      for (let b = 0; b < batchSize; b++) {
        for (let yR = 0; yR < outHeight; yR++) {
          for (let yC = 0; yC < outWidth; yC++) {
            const dyOffset = ((b * outHeight + yR) * outWidth + yC) * outChannels;
            for (let wR = 0; wR < filterHeight; wR++) {
              const xR = yR * strideHeight + wR - top;
              if (xR < 0 || xR >= inHeight) continue;
              for (let wC = 0; wC < filterWidth; wC++) {
                const xC = yC * strideWidth + wC - left;
                if (xC < 0 || xC >= inWidth) continue;
                const xOffset = ((b * inHeight + xR) * inWidth + xC) * inChannels;
                const wOffset = (wR * filterWidth + wC) * inChannels * outChannels;
                for (let d1 = 0; d1 < inChannels; d1++) {
                  const xValue = xValues[xOffset + d1];
                  if (xValue === 0) continue;
                  const row = wOffset + d1 * outChannels;
                  for (let d2 = 0; d2 < outChannels; d2++) dW[row + d2] += xValue * dyValues[dyOffset + d2];
                }
              }
            }
          }
        }
      }
      return backend.makeTensorInfo(attrs.filterShape, 'float32', dW);
    },
  });
}

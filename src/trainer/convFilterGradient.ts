// The gradient of a Conv2D's filter, dW = Σ x ⊗ dy over every output position, as a plain loop over
// channels-last arrays. Both the pure-JS cpu backend and the wasm backend use it where tfjs's own
// kernel is slow or missing; they differ only in where the arrays live.
import type * as tf from '@tensorflow/tfjs';

/** dW in the filter's layout [filterHeight, filterWidth, inChannels, outChannels]; `x` and `dy` are NHWC. */
export function conv2DFilterGradient(x: Float32Array, dy: Float32Array, info: tf.backend_util.Conv2DInfo): Float32Array {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const { top, left } = info.padInfo;
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
            for (let i = 0; i < inChannels; i++) {
              const value = x[xOffset + i];
              // ReLU outputs are mostly zero: skipping them is most of this loop's speed.
              if (value === 0) continue;
              const row = wOffset + i * outChannels;
              for (let o = 0; o < outChannels; o++) dW[row + o] += value * dy[dyOffset + o];
            }
          }
        }
      }
    }
  }
  return dW;
}

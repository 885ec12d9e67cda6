// The Conv2D filter gradient that CNN Lab's cpu and wasm kernels share, against an oracle that
// shares nothing with it: the loss Σ conv2d(x, W) ⊙ dy is linear in W, so its derivative by one
// weight is exactly the change of the loss when that weight grows by one, and that change comes
// from tfjs's own forward convolution.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { conv2DFilterGradient } from '../../src/trainer/convFilterGradient';
import { seededRandom } from '../../src/util/random';

const random = seededRandom(7);
const values = (count: number): Float32Array => Float32Array.from({ length: count }, () => random() * 2 - 1);

function lossOf(x: tf.Tensor4D, filter: Float32Array, filterShape: [number, number, number, number], dy: tf.Tensor4D, strides: number, pad: 'same' | 'valid'): number {
  return tf.tidy(() => tf.sum(tf.mul(tf.conv2d(x, tf.tensor4d(filter, filterShape), strides, pad), dy)).dataSync()[0]);
}

describe('Conv2D filter gradient (cpu and wasm kernels)', function () {
  before(async () => {
    await tf.setBackend('cpu');
  });

  const cases: { input: [number, number, number, number]; kernel: [number, number]; outChannels: number; strides: number; pad: 'same' | 'valid' }[] = [
    { input: [2, 5, 5, 2], kernel: [3, 3], outChannels: 3, strides: 1, pad: 'valid' },
    { input: [1, 6, 7, 3], kernel: [3, 2], outChannels: 2, strides: 2, pad: 'same' },
    { input: [2, 7, 6, 1], kernel: [2, 3], outChannels: 4, strides: 2, pad: 'valid' },
    { input: [1, 4, 4, 2], kernel: [1, 1], outChannels: 2, strides: 1, pad: 'same' },
    // Padding on the top and left too: the offsets the loop subtracts.
    { input: [2, 5, 6, 2], kernel: [3, 5], outChannels: 3, strides: 1, pad: 'same' },
    { input: [1, 8, 8, 2], kernel: [5, 4], outChannels: 2, strides: 2, pad: 'same' },
  ];

  for (const { input, kernel, outChannels, strides, pad } of cases) {
    it(`matches tfjs's forward convolution: input ${input.join('×')}, kernel ${kernel.join('×')}, stride ${strides}, ${pad}`, function () {
      const filterShape: [number, number, number, number] = [kernel[0], kernel[1], input[3], outChannels];
      const info = tf.backend_util.computeConv2DInfo(input, filterShape, strides, 1, pad, undefined, false, 'channelsLast');
      const xValues = values(input.reduce((a, b) => a * b, 1));
      // Zeros in x as a ReLU leaves them: the gradient skips them, and must still be right.
      for (let index = 0; index < xValues.length; index += 3) xValues[index] = 0;
      const dyValues = values(info.batchSize * info.outHeight * info.outWidth * outChannels);
      const x = tf.tensor4d(xValues, input);
      const dy = tf.tensor4d(dyValues, [info.batchSize, info.outHeight, info.outWidth, outChannels]);
      const filter = values(filterShape.reduce((a, b) => a * b, 1));
      const base = lossOf(x, filter, filterShape, dy, strides, pad);

      const gradient = conv2DFilterGradient(xValues, dyValues, info);
      for (let weight = 0; weight < filter.length; weight++) {
        const nudged = Float32Array.from(filter);
        nudged[weight] += 1;
        const expected = lossOf(x, nudged, filterShape, dy, strides, pad) - base;
        assert.ok(Math.abs(gradient[weight] - expected) <= 1e-4 * Math.max(1, Math.abs(expected)), `weight ${weight}: ${gradient[weight]} vs ${expected}`);
      }
      tf.dispose([x, dy]);
    });
  }
});

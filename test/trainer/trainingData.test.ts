import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createBatchMaker } from '../../src/trainer/batches';
import type { Dataset, ImageSplit } from '../../src/trainer/datasets';
import { resolveTraining } from '../../src/trainer/trainingConfig';
import { trainingData } from '../../src/trainer/trainingData';
import { seededRandom } from '../../src/util/random';

/** `count` 2×2 grayscale images; image i is filled with the value i and labelled i % 2. */
function split(count: number): ImageSplit {
  return { images: Uint8Array.from({ length: count * 4 }, (_, byte) => Math.floor(byte / 4)), labels: Int32Array.from({ length: count }, (_, index) => index % 2), count };
}

function dataFor(config: Record<string, unknown>, seed = 1) {
  const dataset: Dataset = { name: 'tiny', classNames: ['even', 'odd'], height: 2, width: 2, channels: 1, train: split(10), test: split(2) };
  const training = resolveTraining({ batchSize: 3, ...config }, 2);
  const random = seededRandom(seed);
  return trainingData(dataset, createBatchMaker([2, 2, 1], [4], 2, 2, training, random), training, random);
}

describe('trainingData: the training split in batches', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('holds out the last fraction of the training split for validation, before shuffling (Keras validation_split)', () => {
    const data = dataFor({ validationSplit: 0.2, shuffle: false });
    assert.deepEqual(data.examples, { train: 8, validation: 2 });
    assert.equal(data.stepsPerEpoch, 3);
    assert.deepEqual(data.epochBatches(), [[0, 1, 2], [3, 4, 5], [6, 7]]);
  });

  it('shuffles every epoch anew, the same way for the same seed, each training example once', () => {
    const epochs = (seed: number): number[][][] => {
      const data = dataFor({ validationSplit: 0.2 }, seed);
      return [data.epochBatches(), data.epochBatches()];
    };
    const [first, second] = epochs(1);
    assert.notDeepEqual(first, second);
    for (const batches of [first, second]) {
      assert.deepEqual(batches.map((batch) => batch.length), [3, 3, 2]);
      assert.deepEqual(batches.flat().sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7]);
    }
    assert.deepEqual(epochs(1), [first, second]);
  });

  it('makes training batches of the examples asked for, scaled to [0, 1]', () => {
    const { x, y } = dataFor({}).batch([3, 4]);
    const pixel = (value: number): number[] => new Array<number>(4).fill(Math.fround(value / 255));
    assert.deepEqual(x.arraySync(), [pixel(3), pixel(4)]);
    assert.deepEqual(y.arraySync(), [[0, 1], [1, 0]]);
    tf.dispose([x, y]);
  });

  it('validates on the held-out examples only, and not at all without them', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [4], activation: 'softmax' })] });
    const logs = await dataFor({ validationSplit: 0.2 }).validate(model);
    assert.deepEqual(Object.keys(logs), ['val_loss', 'val_acc']);
    assert.ok(logs.val_loss > 0 && [0, 0.5, 1].includes(logs.val_acc), JSON.stringify(logs));
    assert.deepEqual(await dataFor({ validationSplit: 0 }).validate(model), {});
  });
});

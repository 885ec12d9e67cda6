import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { runTraining } from '../../src/trainer/train';
import { augmentBatch } from '../../src/trainer/augment';
import { loadDataset } from '../../src/trainer/datasets';
import { parseIdx } from '../../src/trainer/datasets/idx';
import { generateShapes } from '../../src/trainer/datasets/shapes';
import { collector, job, temporaryDir, tinyCnn, writeModel } from './helpers';

const fashionDir = '/usr/share/datasets/fashion-mnist';
const noProgress = (): void => undefined;

describe('datasets', function () {
  this.timeout(180_000);

  it('generates the same shapes from the same seed, balanced over four classes', () => {
    const first = generateShapes({ height: 16, width: 16, channels: 3, trainExamples: 40, testExamples: 8, seed: 7 });
    const again = generateShapes({ height: 16, width: 16, channels: 3, trainExamples: 40, testExamples: 8, seed: 7 });
    const other = generateShapes({ height: 16, width: 16, channels: 3, trainExamples: 40, testExamples: 8, seed: 8 });
    assert.deepEqual(first.train.images, again.train.images);
    assert.notDeepEqual(first.train.images, other.train.images);
    assert.equal(first.train.images.length, 40 * 16 * 16 * 3);
    assert.deepEqual([0, 1, 2, 3].map((label) => first.train.labels.filter((value) => value === label).length), [10, 10, 10, 10]);
  });

  it('reads the real Fashion-MNIST IDX files', async () => {
    const dataset = await loadDataset({ name: 'fashion-mnist', inputShape: [28, 28, 1], baseDir: '.', dataDir: fashionDir, progress: noProgress, testExamples: 100 });
    assert.equal(dataset.train.count, 60000);
    assert.equal(dataset.test.count, 100);
    assert.equal(dataset.classNames[9], 'Ankle boot');
    assert.equal(dataset.train.images.length, 60000 * 784);
    assert.ok(dataset.train.labels.every((label) => label < 10));
  });

  it('names a truncated gzip IDX file and says what to do', () => {
    assert.throws(() => parseIdx(Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]), '/data/t10k-images-idx3-ubyte.gz'), /t10k-images-idx3-ubyte\.gz is not a valid IDX file: the gzip data cannot be read/);
    assert.throws(() => parseIdx(Buffer.from([1, 2, 8, 1, 0, 0, 0, 0]), 'x.idx'), /does not start with the IDX magic number/);
  });

  it('reads a folder of PNG images, one subfolder per class, resized and grayscale for a 1-channel model', async () => {
    const dir = temporaryDir();
    const photos = join(dir, 'photos');
    const shapes = generateShapes({ height: 20, width: 20, channels: 3, trainExamples: 24, testExamples: 1 });
    for (const className of ['circle', 'square', 'triangle', 'cross']) mkdirSync(join(photos, className), { recursive: true });
    for (let index = 0; index < 24; index++) {
      const className = ['circle', 'square', 'triangle', 'cross'][shapes.train.labels[index]];
      const pixels = Buffer.from(shapes.train.images.subarray(index * 1200, (index + 1) * 1200));
      await sharp(pixels, { raw: { width: 20, height: 20, channels: 3 } }).png().toFile(join(photos, className, `${index}.png`));
    }
    const dataset = await loadDataset({ name: 'folder:photos', inputShape: [12, 12, 1], baseDir: dir, progress: noProgress });
    assert.deepEqual(dataset.classNames, ['circle', 'cross', 'square', 'triangle']);
    assert.equal(dataset.train.count + dataset.test.count, 24);
    assert.equal(dataset.test.count, 4, 'round(20 % of 6) = 1 held out per class');
    assert.equal(dataset.train.images.length, dataset.train.count * 12 * 12);

    const events = collector();
    const record = await runTraining(job(dir, writeModel(dir, tinyCnn({ dataset: 'folder:photos' }))), events.emit);
    assert.equal(record?.status, 'completed', JSON.stringify(events.of('failed')));
    assert.deepEqual(record?.evaluation?.classNames, ['circle', 'cross', 'square', 'triangle']);
  });

  it('flips and shifts like Keras ImageDataGenerator', () => {
    const image = tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 2, 3, 1]);
    const draws = [0.1];
    const flipped = augmentBatch(image, { horizontalFlip: true }, () => draws.shift() ?? 0.9);
    assert.deepEqual(Array.from(flipped.dataSync()), [3, 2, 1, 6, 5, 4]);
    const kept = augmentBatch(image, { horizontalFlip: true }, () => 0.9);
    assert.deepEqual(Array.from(kept.dataSync()), [1, 2, 3, 4, 5, 6]);
    // A one-pixel shift to the right repeats the left edge into the uncovered column (fill_mode 'nearest').
    const shifted = augmentBatch(tf.tensor4d([9, 0, 0, 0, 0, 0, 0, 0, 0], [1, 3, 3, 1]), { widthShiftRange: 1 }, () => 1);
    assert.deepEqual(Array.from(shifted.dataSync()).map(Math.round), [9, 9, 0, 0, 0, 0, 0, 0, 0]);
    tf.dispose([image, flipped, kept, shifted]);
  });

  it('trains with augmentation (flip, rotation, shift, zoom)', async () => {
    const dir = temporaryDir();
    const augmentation = { horizontalFlip: true, rotationRange: 15, widthShiftRange: 0.1, heightShiftRange: 0.1, zoomRange: 0.1 };
    const events = collector();
    const record = await runTraining(job(dir, writeModel(dir, tinyCnn({ augmentation }))), events.emit);
    assert.equal(record?.status, 'completed', JSON.stringify(events.of('failed')));
  });

  it('trains the seed-004 MLP (Flatten, BatchNorm, Dense selu lecun_normal) on the real Fashion-MNIST to at least 80 % test accuracy on wasm', async function () {
    this.timeout(400_000);
    const dir = temporaryDir();
    const model = {
      name: 'seed004-mlp-bn-selu',
      inputShape: [28, 28],
      layers: [
        { type: 'Flatten' },
        { type: 'BatchNormalization' },
        { type: 'Dense', units: 200, activation: 'selu', kernelInitializer: 'lecun_normal' },
        { type: 'BatchNormalization' },
        { type: 'Dense', units: 100, activation: 'selu', kernelInitializer: 'lecun_normal' },
        { type: 'BatchNormalization' },
        { type: 'Dense', units: 10, activation: 'softmax' },
      ],
      training: { dataset: 'fashion-mnist', epochs: 2, batch_size: 32, optimizer: 'adam', learning_rate: 0.002, loss: 'sparse_categorical_crossentropy', validation_split: 0.05, backend: 'wasm' },
    };
    const started = Date.now();
    const events = collector();
    const record = await runTraining(job(dir, writeModel(dir, model), { dataDir: fashionDir, trainExamples: 8000, testExamples: 1000 }), events.emit);
    assert.equal(record?.status, 'completed', JSON.stringify(events.of('failed')));
    const accuracy = record?.evaluation?.accuracy ?? 0;
    console.log(`      seed-004 MLP on Fashion-MNIST: test accuracy ${(accuracy * 100).toFixed(1)} % in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    assert.ok(accuracy >= 0.8, `test accuracy ${accuracy}`);
  });
});

// Datasets that are damaged or built to harm: each is refused with what is wrong and what to do,
// before anything trains on it (issue: hostile input).
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { loadDataset } from '../../src/trainer/datasets';
import { parseIdx } from '../../src/trainer/datasets/idx';
import { temporaryDir } from './helpers';

const noProgress = (): void => undefined;

function idx(dims: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((dim, axis) => header.writeUInt32BE(dim, 4 + 4 * axis));
  return Buffer.concat([header, Buffer.from(data)]);
}

/** A Fashion-MNIST folder of gzip IDX files with the given labels (`count` 4×4 images). */
function idxDataset(trainLabels: number[], testLabels: number[]): string {
  const dir = temporaryDir('cnnlab-idx-');
  const write = (prefix: string, labels: number[]): void => {
    writeFileSync(join(dir, `${prefix}-images-idx3-ubyte.gz`), gzipSync(idx([labels.length, 4, 4], new Uint8Array(labels.length * 16).fill(9))));
    writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte.gz`), gzipSync(idx([labels.length], Uint8Array.from(labels))));
  };
  write('train', trainLabels);
  write('t10k', testLabels);
  return dir;
}

const loadIdx = (dataDir: string): ReturnType<typeof loadDataset> =>
  loadDataset({ name: 'fashion-mnist', inputShape: [4, 4, 1], baseDir: dataDir, dataDir, progress: noProgress });

describe('hostile datasets', function () {
  this.timeout(60_000);

  it('keeps every label of a folder dataset with more than 256 classes', async () => {
    const dir = temporaryDir();
    const pixel = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#808080' } }).png().toBuffer();
    const classes = 300;
    for (let label = 0; label < classes; label++) {
      const classDir = join(dir, 'photos', `class${String(label).padStart(3, '0')}`);
      mkdirSync(classDir, { recursive: true });
      for (const name of ['a.png', 'b.png']) writeFileSync(join(classDir, name), pixel);
    }
    const dataset = await loadDataset({ name: 'folder:photos', inputShape: [2, 2, 1], baseDir: dir, progress: noProgress });
    assert.equal(dataset.classNames.length, classes);
    const labels = [...dataset.train.labels, ...dataset.test.labels].sort((a, b) => a - b);
    assert.deepEqual([...new Set(labels)], Array.from({ length: classes }, (_, label) => label));
  });

  it('refuses an IDX label that names no class, with the example and the class count', async () => {
    await assert.rejects(loadIdx(idxDataset([0, 1, 12, 3], [0, 1])), /Example 2 of the training set of 'fashion-mnist' has label 12, but the dataset has 10 classes \(labels 0–9\)/);
  });

  it('refuses an IDX file that holds no examples instead of training to a NaN loss', async () => {
    await assert.rejects(loadIdx(idxDataset([], [0, 1])), /The training set of 'fashion-mnist' holds no images/);
  });

  it('refuses an empty test set instead of reporting an accuracy of 0', async () => {
    await assert.rejects(loadIdx(idxDataset([0, 1], [])), /The test set of 'fashion-mnist' holds no images/);
  });

  it('refuses a gzip bomb by the size its header promises, without unpacking it', () => {
    // 10 images of 28×28 promised, 200 MB of zeros delivered (about 200 KB compressed).
    const bomb = gzipSync(Buffer.concat([idx([10, 28, 28], new Uint8Array(0)), Buffer.alloc(200 * 2 ** 20)]));
    assert.ok(bomb.length < 1_000_000);
    const before = process.memoryUsage().arrayBuffers;
    assert.throws(() => parseIdx(bomb, 'train-images-idx3-ubyte.gz'), /train-images-idx3-ubyte\.gz is not a valid IDX file: it unpacks to more than the 7856 bytes its header promises/);
    assert.ok(process.memoryUsage().arrayBuffers - before < 50 * 2 ** 20, 'nothing near the bomb\'s size was allocated');
  });

  it('refuses a header that promises more than CNN Lab reads from one file', () => {
    const huge = gzipSync(idx([60000, 28000, 28], new Uint8Array(0)));
    assert.throws(() => parseIdx(huge, 'x.gz'), /its header promises \d+ bytes, more than the 1073741824 CNN Lab reads from one file/);
  });

  it('names a class folder that is a dangling link instead of a raw ENOENT', async () => {
    const dir = temporaryDir();
    const pixel = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#808080' } }).png().toBuffer();
    for (const className of ['cats', 'dogs']) {
      mkdirSync(join(dir, 'photos', className), { recursive: true });
      writeFileSync(join(dir, 'photos', className, 'a.png'), pixel);
    }
    symlinkSync(join(dir, 'gone'), join(dir, 'photos', 'birds'));
    await assert.rejects(
      loadDataset({ name: 'folder:photos', inputShape: [2, 2, 1], baseDir: dir, progress: noProgress }),
      (error: Error & { hint?: string }) => /photos\/birds cannot be read \(ENOENT\): a link to something that no longer exists\?/.test(error.message) && /Remove it/.test(error.hint ?? ''),
    );
  });
});

// The download path of the built-in datasets, over real HTTP: a server on 127.0.0.1 stands in
// for the dataset hosts through CNNLAB_DATASET_MIRROR (they are unreachable from the test machines).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createBatchMaker } from '../../src/trainer/batches';
import { DatasetError, loadDataset, type Dataset } from '../../src/trainer/datasets';
import { resolveTraining } from '../../src/trainer/trainingConfig';
import { temporaryDir } from './helpers';

const fashionDir = '/usr/share/datasets/fashion-mnist';
const idxFiles = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];

type Handler = (path: string, request: IncomingMessage, response: ServerResponse) => void;

interface Mirror {
  url: string;
  /** Paths asked for, in order. */
  requests: string[];
  close(): Promise<void>;
}

async function startMirror(handler: Handler): Promise<Mirror> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    const path = request.url ?? '/';
    requests.push(path);
    handler(path, request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/**
 * Serves files in four pieces 300 ms apart: the downloader reports progress at most every 250 ms,
 * and loopback would otherwise deliver a whole file before a second report is due.
 */
function serveSlowly(files: Map<string, Buffer>): Handler {
  return (path, _request, response) => {
    const bytes = files.get(path);
    if (!bytes) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length });
    const pieceSize = Math.ceil(bytes.length / 4);
    let offset = 0;
    const next = (): void => {
      if (response.destroyed) return;
      response.write(bytes.subarray(offset, offset + pieceSize));
      offset += pieceSize;
      if (offset >= bytes.length) response.end();
      else setTimeout(next, 300);
    };
    next();
  };
}

interface Progress {
  message: string;
  fraction?: number;
}

function md5(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}

/** The mirror serves Debian's Fashion-MNIST files as `mnist`: downloads are checked against their digests instead of MNIST's. */
const servedIdxMd5 = Object.fromEntries(idxFiles.map((name) => [name, md5(readFileSync(join(fashionDir, name)))]));

async function load(name: string, cacheDir: string, progress: Progress[] = [], publishedMd5: Record<string, string> = servedIdxMd5): Promise<Dataset> {
  const baseDir = temporaryDir('cnnlab-download-base-');
  return loadDataset({ name, inputShape: name === 'cifar10' ? [32, 32, 3] : [28, 28, 1], baseDir, cacheDir, publishedMd5, progress: (message, fraction) => progress.push({ message, fraction }) });
}

async function rejectsWithDatasetError(promise: Promise<unknown>): Promise<DatasetError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DatasetError, `expected a DatasetError, got ${String(error)}`);
    return error;
  }
  assert.fail('the load succeeded but was expected to fail');
}

function sha256(bytes: Uint8Array | Int32Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A ustar archive of plain files and their folders, as `tar czf` writes cifar-10-binary.tar.gz. */
function tarGz(entries: { name: string; bytes?: Buffer }[]): Buffer {
  const blocks: Buffer[] = [];
  for (const { name, bytes } of entries) {
    const header = Buffer.alloc(512);
    const size = bytes?.length ?? 0;
    header.write(name, 0, 100, 'utf8');
    header.write(bytes ? '0000644\0' : '0000755\0', 100, 'ascii');
    header.write('0000000\0', 108, 'ascii');
    header.write('0000000\0', 116, 'ascii');
    header.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
    header.write(`${Math.floor(Date.now() / 1000).toString(8).padStart(11, '0')}\0`, 136, 'ascii');
    header.write(bytes ? '0' : '5', 156, 'ascii');
    header.write('ustar\0', 257, 'ascii');
    header.write('00', 263, 'ascii');
    // The checksum is taken with its own field read as spaces.
    header.fill(' ', 148, 156);
    const checksum = header.reduce((sum, byte) => sum + byte, 0);
    header.write(`${checksum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
    blocks.push(header);
    if (bytes) blocks.push(bytes, Buffer.alloc((512 - (size % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** A distinct byte for every (record, channel, pixel), so a misplaced channel or row shows. */
function cifarPixel(record: number, channel: number, pixel: number): number {
  return (record * 37 + channel * 101 + pixel * 7) % 256;
}

/** A CIFAR-10 batch in the binary format: label byte, then the red, green and blue planes. */
function cifarBatch(firstRecord: number, records: number): Buffer {
  const bytes = Buffer.alloc(records * 3073);
  for (let index = 0; index < records; index++) {
    const record = firstRecord + index;
    bytes[index * 3073] = record % 10;
    for (let channel = 0; channel < 3; channel++) {
      for (let pixel = 0; pixel < 1024; pixel++) bytes[index * 3073 + 1 + channel * 1024 + pixel] = cifarPixel(record, channel, pixel);
    }
  }
  return bytes;
}

describe('dataset downloads', function () {
  this.timeout(120_000);
  const saved = { mirror: process.env.CNNLAB_DATASET_MIRROR, dataDir: process.env.CNNLAB_DATA_DIR };
  let mirror: Mirror | undefined;

  beforeEach(() => {
    delete process.env.CNNLAB_DATA_DIR;
  });

  afterEach(async () => {
    await mirror?.close();
    mirror = undefined;
    for (const [variable, value] of [['CNNLAB_DATASET_MIRROR', saved.mirror], ['CNNLAB_DATA_DIR', saved.dataDir]] as const) {
      if (value === undefined) delete process.env[variable];
      else process.env[variable] = value;
    }
  });

  async function serve(handler: Handler): Promise<Mirror> {
    mirror = await startMirror(handler);
    process.env.CNNLAB_DATASET_MIRROR = mirror.url;
    return mirror;
  }

  // Debian's Fashion-MNIST folder is found before any download, so the download is exercised as
  // `mnist`: same file names and format, and /usr/share/datasets/mnist is absent here.
  it('downloads the IDX files with progress into the cache, records their SHA-256 and then reads the cache only', async () => {
    const files = new Map(idxFiles.map((name) => [`/mnist/${name}`, readFileSync(join(fashionDir, name))]));
    const server = await serve(serveSlowly(files));
    const cacheDir = temporaryDir('cnnlab-download-cache-');
    const progress: Progress[] = [];

    const downloaded = await load('mnist', cacheDir, progress);

    assert.deepEqual(server.requests, idxFiles.map((name) => `/mnist/${name}`));
    for (const name of idxFiles) {
      const cached = readFileSync(join(cacheDir, 'mnist', name));
      assert.ok(cached.equals(files.get(`/mnist/${name}`) ?? Buffer.alloc(0)), `${name} in the cache differs from the served file`);
      assert.equal(readFileSync(join(cacheDir, 'mnist', `${name}.sha256`), 'utf8').trim(), sha256(cached));
      const reports = progress.filter(({ message }) => message.startsWith(`Downloading ${name}:`));
      assert.ok(reports.length >= 2, `${name}: ${reports.length} progress reports`);
      const fractions = reports.map(({ fraction }) => fraction ?? Number.NaN);
      for (const [index, fraction] of fractions.entries()) {
        assert.ok(fraction > 0 && fraction <= 1, `${name}: fraction ${fraction}`);
        if (index > 0) assert.ok(fraction > fractions[index - 1], `${name}: fractions ${fractions.join(', ')} do not increase`);
      }
    }
    assert.deepEqual(readdirSync(join(cacheDir, 'mnist')).sort(), idxFiles.flatMap((name) => [name, `${name}.sha256`]).sort());

    assert.equal(downloaded.train.count, 60000);
    assert.equal(downloaded.test.count, 10000);
    assert.deepEqual([downloaded.height, downloaded.width, downloaded.channels], [28, 28, 1]);
    assert.equal(downloaded.classNames.length, 10);
    assert.equal(downloaded.train.images.length, 60000 * 28 * 28);
    // The same pixels and labels as the Debian files read directly.
    const local = await load('fashion-mnist', cacheDir);
    assert.equal(sha256(downloaded.train.images), sha256(local.train.images));
    assert.equal(sha256(downloaded.test.labels), sha256(local.test.labels));

    const again = await load('mnist', cacheDir);
    assert.equal(server.requests.length, idxFiles.length, 'the second load went to the server');
    assert.equal(sha256(again.test.images), sha256(downloaded.test.images));
  });

  it('prefers a local folder to the mirror', async () => {
    const server = await serve(serveSlowly(new Map()));
    const cacheDir = temporaryDir('cnnlab-download-cache-');
    const dataset = await load('fashion-mnist', cacheDir);
    assert.equal(dataset.train.count, 60000);
    assert.deepEqual(server.requests, []);
    assert.deepEqual(readdirSync(cacheDir), []);
  });

  it('names a cache file damaged after download and its digests, and downloads it again once deleted', async () => {
    const files = new Map(idxFiles.map((name) => [`/mnist/${name}`, readFileSync(join(fashionDir, name))]));
    const server = await serve((path, _request, response) => {
      const bytes = files.get(path);
      response.writeHead(bytes ? 200 : 404).end(bytes);
    });
    const cacheDir = temporaryDir('cnnlab-download-cache-');
    await load('mnist', cacheDir);
    const damaged = join(cacheDir, 'mnist', 't10k-labels-idx1-ubyte.gz');
    const original = readFileSync(damaged);
    const bytes = Buffer.from(original);
    bytes[bytes.length - 20] ^= 0xff;
    writeFileSync(damaged, bytes);

    const error = await rejectsWithDatasetError(load('mnist', cacheDir));
    assert.ok(error.message.startsWith(`${damaged} is damaged`), error.message);
    assert.ok(error.message.includes(sha256(bytes)) && error.message.includes(sha256(original)), error.message);
    assert.ok(error.hint.includes(`Delete ${damaged}`), error.hint);
    assert.equal(server.requests.length, idxFiles.length);

    // Following the hint: only the deleted file is fetched again.
    rmSync(damaged);
    const reloaded = await load('mnist', cacheDir);
    assert.deepEqual(server.requests.slice(idxFiles.length), ['/mnist/t10k-labels-idx1-ubyte.gz']);
    assert.equal(reloaded.test.count, 10000);
  });

  it('reports an HTTP error with the URL and what to do, leaving nothing in the cache', async () => {
    const server = await serve((_path, _request, response) => response.writeHead(404).end('Not Found'));
    const cacheDir = temporaryDir('cnnlab-download-cache-');
    const error = await rejectsWithDatasetError(load('mnist', cacheDir));
    assert.equal(error.message, `Downloading ${server.url}mnist/train-images-idx3-ubyte.gz failed: HTTP 404.`);
    assert.ok(error.hint.includes('CNNLAB_DATA_DIR'), error.hint);
    assert.deepEqual(readdirSync(join(cacheDir, 'mnist')), []);
  });

  it('reports a connection dropped mid-file and removes the partial download', async () => {
    const bytes = readFileSync(join(fashionDir, 'train-images-idx3-ubyte.gz'));
    const server = await serve((_path, _request, response) => {
      response.writeHead(200, { 'content-length': bytes.length });
      response.write(bytes.subarray(0, 1 << 20), () => setTimeout(() => response.socket?.destroy(), 100));
    });
    const cacheDir = temporaryDir('cnnlab-download-cache-');
    const error = await rejectsWithDatasetError(load('mnist', cacheDir));
    assert.match(error.message, new RegExp(`^Download of ${server.url}mnist/train-images-idx3-ubyte\\.gz was cut off after \\d+ of ${bytes.length} bytes`));
    assert.ok(error.hint.includes('CNNLAB_DATA_DIR'), error.hint);
    assert.deepEqual(readdirSync(join(cacheDir, 'mnist')), []);
  });

  it("refuses a download whose MD5 is not the publishers', keeping nothing", async () => {
    // A well-formed IDX file, but not MNIST's: checked against the digests MNIST publishes.
    const files = new Map(idxFiles.map((name) => [`/mnist/${name}`, readFileSync(join(fashionDir, name))]));
    const server = await serve((path, _request, response) => response.writeHead(200).end(files.get(path)));
    const cacheDir = temporaryDir('cnnlab-download-cache-');
    const baseDir = temporaryDir('cnnlab-download-base-');
    const error = await rejectsWithDatasetError(loadDataset({ name: 'mnist', inputShape: [28, 28, 1], baseDir, cacheDir, progress: () => undefined }));
    assert.equal(
      error.message,
      `${server.url}mnist/train-images-idx3-ubyte.gz did not send the dataset file: its MD5 is ${servedIdxMd5['train-images-idx3-ubyte.gz']}, but the dataset's publishers give f68b3c2dcbeaaa9fbdd348bbdeb94873.`,
    );
    assert.deepEqual(readdirSync(join(cacheDir, 'mnist')), []);
  });

  it('keeps nothing in the cache when the server answers 200 with an HTML page', async () => {
    const server = await serve((_path, _request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Sign in</title>'));
    const cacheDir = temporaryDir('cnnlab-download-cache-');
    const error = await rejectsWithDatasetError(load('mnist', cacheDir));
    assert.match(error.message, new RegExp(`^${server.url}mnist/train-images-idx3-ubyte\\.gz did not send the dataset file: .*not a valid IDX file`));
    assert.deepEqual(readdirSync(join(cacheDir, 'mnist')), []);
  });

  it('keeps nothing in the cache when a body without Content-Length ends early', async () => {
    const bytes = readFileSync(join(fashionDir, 'train-labels-idx1-ubyte.gz'));
    // Chunked, no length: the end looks clean; only the file itself can tell it is cut off.
    await serve((_path, _request, response) => {
      response.writeHead(200);
      response.end(bytes.subarray(0, bytes.length - 1000));
    });
    const cacheDir = temporaryDir('cnnlab-download-cache-');
    const error = await rejectsWithDatasetError(load('mnist', cacheDir));
    assert.match(error.message, /did not send the dataset file: .*(gzip data cannot be read|promises)/);
    assert.deepEqual(readdirSync(join(cacheDir, 'mnist')), []);
  });

  it('gives up on a server that drips bytes slower than the stall timeout, keeping nothing', async () => {
    const server = await serve((_path, _request, response) => {
      response.writeHead(200, { 'content-length': 1000 });
      response.write(Buffer.from([0x1f]));
      // …and then nothing for far longer than the stall timeout.
    });
    const cacheDir = temporaryDir('cnnlab-download-cache-');
    const baseDir = temporaryDir('cnnlab-download-base-');
    const error = await rejectsWithDatasetError(loadDataset({ name: 'mnist', inputShape: [28, 28, 1], baseDir, cacheDir, progress: () => undefined, stallTimeoutMs: 300 }));
    assert.match(error.message, new RegExp(`^Download of ${server.url}mnist/train-images-idx3-ubyte\\.gz was cut off after 1 of 1000 bytes: no data arrived for 0\\.3 s\\.$`));
    assert.deepEqual(readdirSync(join(cacheDir, 'mnist')), []);
  });

  it('reports a connection closed before any answer with the URL and the reason', async () => {
    const server = await serve((_path, request) => request.socket.destroy());
    const cacheDir = temporaryDir('cnnlab-download-cache-');
    const error = await rejectsWithDatasetError(load('mnist', cacheDir));
    assert.ok(error.message.startsWith(`Could not download ${server.url}mnist/train-images-idx3-ubyte.gz: fetch failed (`), error.message);
    assert.ok(error.hint.includes('CNNLAB_DATA_DIR'), error.hint);
    assert.deepEqual(readdirSync(join(cacheDir, 'mnist')), []);
  });

  it('downloads and unpacks the CIFAR-10 binary archive: labels, HWC pixels, class names from batches.meta.txt', async () => {
    const perBatch = 3;
    const batchNames = [1, 2, 3, 4, 5].map((index) => `data_batch_${index}.bin`).concat('test_batch.bin');
    const classNames = ['plane', 'car', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'lorry'];
    const archive = tarGz([
      { name: 'cifar-10-batches-bin/' },
      { name: 'cifar-10-batches-bin/batches.meta.txt', bytes: Buffer.from(`${classNames.join('\n')}\n\n`) },
      ...batchNames.map((name, index) => ({ name: `cifar-10-batches-bin/${name}`, bytes: cifarBatch(index * perBatch, perBatch) })),
      { name: 'cifar-10-batches-bin/readme.html', bytes: Buffer.from('<html></html>\n') },
    ]);
    const server = await serve(serveSlowly(new Map([['/cifar10/cifar-10-binary.tar.gz', archive]])));
    const cacheDir = temporaryDir('cnnlab-download-cache-');
    const progress: Progress[] = [];

    const dataset = await load('cifar10', cacheDir, progress, { 'cifar-10-binary.tar.gz': md5(archive) });

    assert.deepEqual(server.requests, ['/cifar10/cifar-10-binary.tar.gz']);
    const cached = join(cacheDir, 'cifar10', 'cifar-10-binary.tar.gz');
    assert.ok(readFileSync(cached).equals(archive));
    assert.equal(readFileSync(`${cached}.sha256`, 'utf8').trim(), sha256(archive));
    assert.ok(progress.some(({ message }) => message.startsWith('Downloading cifar-10-binary.tar.gz:')));
    assert.deepEqual(dataset.classNames, classNames);
    assert.deepEqual([dataset.height, dataset.width, dataset.channels], [32, 32, 3]);
    assert.equal(dataset.train.count, 5 * perBatch);
    assert.equal(dataset.test.count, perBatch);
    assert.deepEqual([...dataset.train.labels], Array.from({ length: 5 * perBatch }, (_, record) => record % 10));
    assert.deepEqual([...dataset.test.labels], Array.from({ length: perBatch }, (_, index) => (5 * perBatch + index) % 10));

    // Channel-last: pixel (row, column) of record r is at ((r·32 + row)·32 + column)·3 + channel.
    const at = (record: number, row: number, column: number, channel: number): number => ((record * 32 + row) * 32 + column) * 3 + channel;
    for (const [record, row, column] of [[0, 0, 0], [4, 0, 1], [7, 1, 0], [14, 31, 31], [9, 17, 5]]) {
      for (let channel = 0; channel < 3; channel++) {
        assert.equal(dataset.train.images[at(record, row, column, channel)], cifarPixel(record, channel, row * 32 + column), `train record ${record} (${row}, ${column}) channel ${channel}`);
      }
    }
    assert.equal(dataset.test.images[at(2, 10, 20, 1)], cifarPixel(5 * perBatch + 2, 1, 10 * 32 + 20));

    // What the model sees: the same values as float32 in [0, 1], shaped [batch, 32, 32, 3].
    const batches = createBatchMaker([32, 32, 3], [32, 32, 3], 10, 10, resolveTraining({}, 10), Math.random);
    const { x, y } = batches.make(dataset.train, [4, 14], false);
    assert.deepEqual(x.shape, [2, 32, 32, 3]);
    const values = x.dataSync();
    const scaled = (record: number, row: number, column: number, channel: number): number => Math.fround(cifarPixel(record, channel, row * 32 + column) / 255);
    assert.equal(values[((0 * 32 + 0) * 32 + 1) * 3 + 2], scaled(4, 0, 1, 2));
    assert.equal(values[((1 * 32 + 31) * 32 + 31) * 3 + 0], scaled(14, 31, 31, 0));
    x.dispose();
    y.dispose();

    await load('cifar10', cacheDir);
    assert.equal(server.requests.length, 1, 'the second load went to the server');
    assert.ok(!existsSync(`${cached}.part`));
  });
});

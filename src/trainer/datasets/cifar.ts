// CIFAR-10, binary version: cifar-10-binary.tar.gz holds data_batch_1..5.bin and test_batch.bin,
// each record one label byte then 3072 pixel bytes (1024 red, 1024 green, 1024 blue; 32×32 rows),
// and batches.meta.txt, the class names one a line.
import { classNamesOf } from '../../model/vocabulary';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { datasetFile, type FileLocationOptions } from './files';
import { DatasetError, type Dataset, type ImageSplit } from './types';

const SIDE = 32;
const PIXELS = SIDE * SIDE;
const RECORD = 1 + 3 * PIXELS;
const defaultClassNames = classNamesOf('cifar10');
const trainFiles = [1, 2, 3, 4, 5].map((index) => `data_batch_${index}.bin`);
const testFile = 'test_batch.bin';
const metaFile = 'batches.meta.txt';

/** The names batches.meta.txt gives the labels, when it holds one per class; the upstream names otherwise. */
function classNamesFrom(meta: Buffer | undefined): string[] {
  const names = meta?.toString('utf8').split(/\r?\n/).map((line) => line.trim()).filter(Boolean) ?? [];
  return names.length === defaultClassNames.length ? names : [...defaultClassNames];
}

/** Files of a (ustar) tar archive by base name; enough for the CIFAR archive, which holds plain files only. */
function untar(archive: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let offset = 0;
  while (offset + 512 <= archive.length) {
    const header = archive.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(header.subarray(124, 136).toString('utf8').replace(/\0.*$/s, '').trim() || '0', 8);
    const type = String.fromCharCode(header[156]);
    if (type === '0' || type === '\0') files.set(name.split('/').pop() ?? name, archive.subarray(offset + 512, offset + 512 + size));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

/** The files of cifar-10-binary.tar.gz; throws unless it unpacks and holds every batch. */
function unpackArchive(bytes: Buffer, path: string): Map<string, Buffer> {
  let files: Map<string, Buffer>;
  try {
    files = untar(gunzipSync(bytes));
  } catch (error) {
    throw new DatasetError(`${path} cannot be unpacked: ${(error as Error).message}.`, `Delete ${path} so that it is downloaded again.`);
  }
  const missing = [...trainFiles, testFile].filter((name) => !files.has(name));
  if (missing.length > 0) throw new DatasetError(`${path} has no ${missing.join(', ')}.`, `Delete ${path} so that it is downloaded again.`);
  return files;
}

function decodeBatches(batches: { bytes: Buffer; path: string }[]): ImageSplit {
  for (const { bytes, path } of batches) {
    if (bytes.length === 0 || bytes.length % RECORD !== 0) {
      throw new DatasetError(
        `${path} is not a CIFAR-10 binary batch: its size ${bytes.length} is not a multiple of ${RECORD} bytes.`,
        'Replace it with the file from cifar-10-binary.tar.gz (or delete the cached archive to download it again).',
      );
    }
  }
  const count = batches.reduce((sum, { bytes }) => sum + bytes.length / RECORD, 0);
  const images = new Uint8Array(count * 3 * PIXELS);
  const labels = new Int32Array(count);
  let index = 0;
  for (const { bytes } of batches) {
    for (let record = 0; record < bytes.length; record += RECORD, index++) {
      labels[index] = bytes[record];
      // Channel-planar on disk, channel-last (HWC) for tfjs.
      const base = index * 3 * PIXELS;
      for (let pixel = 0; pixel < PIXELS; pixel++) {
        images[base + pixel * 3] = bytes[record + 1 + pixel];
        images[base + pixel * 3 + 1] = bytes[record + 1 + PIXELS + pixel];
        images[base + pixel * 3 + 2] = bytes[record + 1 + 2 * PIXELS + pixel];
      }
    }
  }
  return { images, labels, count };
}

function localBatchDir(options: FileLocationOptions): string | undefined {
  const roots = [options.dataDir, process.env.CNNLAB_DATA_DIR].filter((dir): dir is string => Boolean(dir));
  const candidates = roots.flatMap((root) => [root, join(root, 'cifar10'), join(root, 'cifar-10-batches-bin'), join(root, 'cifar10', 'cifar-10-batches-bin')]);
  return candidates.find((dir) => existsSync(join(dir, testFile)));
}

export async function loadCifar10(options: FileLocationOptions): Promise<Dataset> {
  options.progress('Loading cifar10');
  let read: (name: string) => { bytes: Buffer; path: string };
  let meta: Buffer | undefined;
  const batchDir = localBatchDir(options);
  if (batchDir) {
    read = (name) => ({ bytes: readFileSync(join(batchDir, name)), path: join(batchDir, name) });
    if (existsSync(join(batchDir, metaFile))) meta = readFileSync(join(batchDir, metaFile));
  } else {
    const archive = await datasetFile(
      {
        cacheName: 'cifar10',
        baseUrl: 'https://www.cs.toronto.edu/~kriz/',
        systemDirs: ['/usr/share/datasets/cifar10'],
        // From the CIFAR-10 page.
        publishedMd5: { 'cifar-10-binary.tar.gz': 'c32a1d4ab5d03f1284b67883e8d87530' },
      },
      'cifar-10-binary.tar.gz',
      options,
      unpackArchive,
    );
    const files = unpackArchive(archive.bytes, archive.path);
    read = (name) => {
      const bytes = files.get(name);
      if (!bytes) throw new DatasetError(`${archive.path} has no ${name}.`, `Delete ${archive.path} so that it is downloaded again.`);
      return { bytes, path: `${archive.path}:${name}` };
    };
    meta = files.get(metaFile);
  }
  return {
    name: 'cifar10',
    classNames: classNamesFrom(meta),
    height: SIDE,
    width: SIDE,
    channels: 3,
    train: decodeBatches(trainFiles.map(read)),
    test: decodeBatches([read(testFile)]),
  };
}

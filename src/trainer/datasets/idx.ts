// MNIST and Fashion-MNIST: IDX files (gzip), the format Yann LeCun's MNIST page defines.
import { classNamesOf } from '../../model/vocabulary';
import { constants, gunzipSync } from 'node:zlib';
import { datasetFile, type DatasetSource, type FileLocationOptions } from './files';
import { DatasetError, type Dataset, type ImageSplit } from './types';

const IDX_UNSIGNED_BYTE = 0x08;

function corrupt(path: string, problem: string): DatasetError {
  return new DatasetError(
    `${path} is not a valid IDX file: ${problem}.`,
    `Replace it with the original file (or delete it from the cache to download it again).`,
  );
}

/** The dimensions an IDX header declares, and the header's length; `raw` may hold only a prefix of the file. */
function readHeader(raw: Buffer, path: string): { dims: number[]; headerBytes: number } {
  if (raw.length < 4 || raw[0] !== 0 || raw[1] !== 0) throw corrupt(path, 'it does not start with the IDX magic number 0x0000');
  if (raw[2] !== IDX_UNSIGNED_BYTE) throw corrupt(path, `its data type is 0x${raw[2].toString(16)}, expected 0x08 (unsigned byte)`);
  const rank = raw[3];
  const headerBytes = 4 + 4 * rank;
  if (rank === 0 || raw.length < headerBytes) throw corrupt(path, 'its header is cut short');
  return { dims: Array.from({ length: rank }, (_, axis) => raw.readUInt32BE(4 + 4 * axis)), headerBytes };
}

/** Larger than any dataset CNN Lab reads (Fashion-MNIST's training images unpack to 47 MB). */
const MAX_IDX_BYTES = 2 ** 30;

/**
 * Unpacks a gzip IDX file to no more than its header promises, so that a small file that unpacks
 * to gigabytes (a gzip bomb) is refused instead of filling memory.
 */
function gunzipAsPromised(bytes: Buffer, path: string): Buffer {
  let promised: number;
  try {
    // Deflate unpacks at most about 1,000 times: 4 KB of input is at most 4 MB, and enough for
    // the header. A file that small is unpacked whole, so that a cut-off stream reports as such.
    const headBytes = 4096;
    const head = bytes.length <= headBytes ? gunzipSync(bytes) : gunzipSync(bytes.subarray(0, headBytes), { finishFlush: constants.Z_SYNC_FLUSH });
    const { dims, headerBytes } = readHeader(head, path);
    promised = headerBytes + dims.reduce((product, dim) => product * dim, 1);
  } catch (error) {
    if (error instanceof DatasetError) throw error;
    throw corrupt(path, `the gzip data cannot be read (${(error as Error).message})`);
  }
  if (promised > MAX_IDX_BYTES) throw corrupt(path, `its header promises ${promised} bytes, more than the ${MAX_IDX_BYTES} CNN Lab reads from one file`);
  try {
    return gunzipSync(bytes, { maxOutputLength: promised });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw corrupt(path, `it unpacks to more than the ${promised} bytes its header promises`);
    throw corrupt(path, `the gzip data cannot be read (${(error as Error).message})`);
  }
}

/** Decodes an IDX file of unsigned bytes (gzip or plain) into its dimensions and data. */
export function parseIdx(bytes: Buffer, path: string): { dims: number[]; data: Uint8Array } {
  const raw = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipAsPromised(bytes, path) : bytes;
  const { dims, headerBytes } = readHeader(raw, path);
  const expected = dims.reduce((product, dim) => product * dim, 1);
  const available = raw.length - headerBytes;
  if (available !== expected) throw corrupt(path, `its header promises ${expected} bytes of data (${dims.join('×')}) but it holds ${available}`);
  return { dims, data: new Uint8Array(raw.buffer, raw.byteOffset + headerBytes, expected) };
}

const idxSources: Record<'mnist' | 'fashion-mnist', DatasetSource> = {
  mnist: {
    cacheName: 'mnist',
    baseUrl: 'https://storage.googleapis.com/cvdf-datasets/mnist/',
    systemDirs: ['/usr/share/datasets/mnist'],
    publishedMd5: {
      'train-images-idx3-ubyte.gz': 'f68b3c2dcbeaaa9fbdd348bbdeb94873',
      'train-labels-idx1-ubyte.gz': 'd53e105ee54ea40749a09fcbcd1e9432',
      't10k-images-idx3-ubyte.gz': '9fb629c4189551a2d022fa330f9573f3',
      't10k-labels-idx1-ubyte.gz': 'ec29112dd5afa0611ce80d1b7f02629c',
    },
  },
  'fashion-mnist': {
    cacheName: 'fashion-mnist',
    baseUrl: 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
    systemDirs: ['/usr/share/datasets/fashion-mnist'],
    // From the Fashion-MNIST README. (Debian's package recompresses the files: its .gz digests differ.)
    publishedMd5: {
      'train-images-idx3-ubyte.gz': '8d4fb7e6c68d591d4c3dfef9ec88bf0d',
      'train-labels-idx1-ubyte.gz': '25c81989df183df01b3e8a0aad5dffbe',
      't10k-images-idx3-ubyte.gz': 'bef4ecab320f06d8554ea6380940ec79',
      't10k-labels-idx1-ubyte.gz': 'bb300cfdad3c16e7a12a480ee83cd310',
    },
  },
};

async function loadSplit(source: DatasetSource, prefix: 'train' | 't10k', options: FileLocationOptions): Promise<{ split: ImageSplit; height: number; width: number }> {
  const imagesFile = await datasetFile(source, `${prefix}-images-idx3-ubyte.gz`, options, parseIdx);
  const labelsFile = await datasetFile(source, `${prefix}-labels-idx1-ubyte.gz`, options, parseIdx);
  const images = parseIdx(imagesFile.bytes, imagesFile.path);
  const labels = parseIdx(labelsFile.bytes, labelsFile.path);
  if (images.dims.length !== 3) throw corrupt(imagesFile.path, `it has ${images.dims.length} dimensions, expected 3 (count, rows, columns)`);
  if (labels.dims.length !== 1) throw corrupt(labelsFile.path, `it has ${labels.dims.length} dimensions, expected 1`);
  if (images.dims[0] !== labels.dims[0]) {
    throw corrupt(labelsFile.path, `it holds ${labels.dims[0]} labels for ${images.dims[0]} images in ${imagesFile.path}`);
  }
  return { split: { images: images.data, labels: Int32Array.from(labels.data), count: images.dims[0] }, height: images.dims[1], width: images.dims[2] };
}

export async function loadIdxDataset(name: 'mnist' | 'fashion-mnist', options: FileLocationOptions): Promise<Dataset> {
  const source = idxSources[name];
  options.progress(`Loading ${name}`);
  const train = await loadSplit(source, 'train', options);
  const test = await loadSplit(source, 't10k', options);
  return { name, classNames: [...classNamesOf(name)], height: train.height, width: train.width, channels: 1, train: train.split, test: test.split };
}

// `folder:PATH`: one subfolder per class of JPEG/PNG images (Keras's image_dataset_from_directory
// layout), decoded and resized with sharp to the model's input. A `test` (or `validation`)
// subfolder with the same class folders inside becomes the test set; otherwise 20 % of each
// class is held out for it.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import sharp from 'sharp';
import { seededRandom } from '../../util/random';
import { DatasetError, type Dataset, type ImageSplit, type ProgressReporter } from './types';

const imageExtensions = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif', '.bmp', '.tif', '.tiff']);
const heldOutFolders = ['test', 'validation'];

interface LabelledFile {
  path: string;
  label: number;
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch (error) {
    throw new DatasetError(
      `${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): a link to something that no longer exists?`,
      'Remove it from the dataset folder, or restore what it points to.',
    );
  }
}

function classFolders(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => !name.startsWith('.') && !heldOutFolders.includes(name) && isFolder(join(dir, name)))
    .sort();
}

function imagesOf(dir: string, classNames: string[]): LabelledFile[] {
  return classNames.flatMap((className, label) => {
    const classDir = join(dir, className);
    if (!existsSync(classDir)) return [];
    return readdirSync(classDir)
      .filter((name) => imageExtensions.has(extname(name).toLowerCase()))
      .sort()
      .map((name) => ({ path: join(classDir, name), label }));
  });
}

async function decode(files: LabelledFile[], height: number, width: number, channels: number, progress: ProgressReporter, what: string): Promise<ImageSplit> {
  const exampleBytes = height * width * channels;
  const images = new Uint8Array(files.length * exampleBytes);
  const labels = new Int32Array(files.length);
  for (const [index, file] of files.entries()) {
    let pipeline = sharp(file.path).resize(width, height, { fit: 'fill' }).removeAlpha();
    pipeline = channels === 1 ? pipeline.grayscale() : pipeline.toColourspace('srgb');
    let pixels: Buffer;
    try {
      const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
      if (info.channels !== channels) throw new Error(`decoded to ${info.channels} channels`);
      pixels = data;
    } catch (error) {
      throw new DatasetError(`${file.path} cannot be read as an image: ${(error as Error).message}.`, 'Remove or replace that file.');
    }
    images.set(pixels, index * exampleBytes);
    labels[index] = file.label;
    if (index % 50 === 0) progress(`Decoding ${what} images: ${index}/${files.length}`, index / files.length);
  }
  return { images, labels, count: files.length };
}

export async function loadFolderDataset(
  spec: string,
  baseDir: string,
  size: { height: number; width: number; channels: number },
  progress: ProgressReporter,
  seed = 1234,
): Promise<Dataset> {
  const dir = resolve(baseDir, spec.slice('folder:'.length));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new DatasetError(
      `Dataset folder ${dir} does not exist.`,
      'Give "dataset": "folder:PATH" with PATH relative to the model file (or absolute), holding one subfolder of images per class.',
    );
  }
  const classNames = classFolders(dir);
  if (classNames.length < 2) {
    throw new DatasetError(
      `Dataset folder ${dir} has ${classNames.length} class subfolder(s); at least 2 are needed.`,
      'Put the images of each class in their own subfolder, e.g. cats/ and dogs/.',
    );
  }
  const all = imagesOf(dir, classNames);
  const empty = classNames.filter((_, label) => !all.some((file) => file.label === label));
  if (empty.length > 0) throw new DatasetError(`Class folder(s) ${empty.join(', ')} in ${dir} hold no JPEG/PNG images.`, 'Add images or remove the empty folders.');
  const heldOut = heldOutFolders.map((name) => join(dir, name)).find((path) => existsSync(path));
  let trainFiles: LabelledFile[];
  let testFiles: LabelledFile[];
  if (heldOut) {
    trainFiles = all;
    testFiles = imagesOf(heldOut, classNames);
  } else {
    const random = seededRandom(seed);
    const shuffled = all.map((file) => ({ file, key: random() })).sort((a, b) => a.key - b.key).map(({ file }) => file);
    trainFiles = [];
    testFiles = [];
    for (const [label] of classNames.entries()) {
      const ofClass = shuffled.filter((file) => file.label === label);
      const testCount = Math.max(1, Math.round(ofClass.length * 0.2));
      testFiles.push(...ofClass.slice(0, testCount));
      trainFiles.push(...ofClass.slice(testCount));
    }
  }
  const { height, width, channels } = size;
  return {
    name: spec,
    classNames,
    height,
    width,
    channels,
    train: await decode(trainFiles, height, width, channels, progress, 'training'),
    test: await decode(testFiles, height, width, channels, progress, 'test'),
  };
}

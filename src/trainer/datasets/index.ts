// One entry for every dataset a training block can name.
import { loadCifar10 } from './cifar';
import { loadFolderDataset } from './folder';
import { loadIdxDataset } from './idx';
import { generateShapes } from './shapes';
import { BUILT_IN_DATASET_NAMES, builtInDataset, FOLDER_DATASET_PREFIX } from '../../model/vocabulary';
import { DatasetError, firstExamples, type Dataset, type ImageSplit, type ProgressReporter } from './types';

export { DatasetError, type Dataset, type ImageSplit } from './types';

export interface DatasetRequest {
  /** `shapes`, `mnist`, `fashion-mnist`, `cifar10` or `folder:PATH`. */
  name: string;
  /** The model's per-example input shape: `shapes` and `folder:` are made to fit it. */
  inputShape: number[];
  /** Folder `folder:` paths are relative to (the model file's folder). */
  baseDir: string;
  dataDir?: string;
  cacheDir?: string;
  trainExamples?: number;
  testExamples?: number;
  seed?: number;
  progress: ProgressReporter;
  /** A download that receives nothing for this long is abandoned (default: 60 s). */
  stallTimeoutMs?: number;
  /** Digests that replace the publishers' ones (tests serve files of their own through a mirror). */
  publishedMd5?: Record<string, string>;
}

/** Image size for generated and folder datasets: [h, w] gives 1 channel, [h, w, c] gives c. */
function imageSizeFor(inputShape: number[], dataset: string): { height: number; width: number; channels: number } {
  const [height, width, channels = 1] = inputShape;
  if (inputShape.length < 2 || inputShape.length > 3 || (channels !== 1 && channels !== 3)) {
    throw new DatasetError(
      `The model's input shape [${inputShape.join(', ')}] is not an image shape, so '${dataset}' cannot be fitted to it.`,
      'Give the first layer an input shape of [height, width, 1] (grayscale) or [height, width, 3] (colour).',
    );
  }
  return { height, width, channels };
}

export async function loadDataset(request: DatasetRequest): Promise<Dataset> {
  const files = { dataDir: request.dataDir, cacheDir: request.cacheDir, progress: request.progress, stallTimeoutMs: request.stallTimeoutMs, publishedMd5: request.publishedMd5 };
  let dataset: Dataset;
  const builtIn = builtInDataset(request.name)?.name;
  if (builtIn === 'shapes') {
    dataset = generateShapes({ ...imageSizeFor(request.inputShape, 'shapes'), trainExamples: request.trainExamples, testExamples: request.testExamples, seed: request.seed });
  } else if (builtIn === 'mnist' || builtIn === 'fashion-mnist') {
    dataset = await loadIdxDataset(builtIn, files);
  } else if (builtIn === 'cifar10') {
    dataset = await loadCifar10(files);
  } else if (request.name.startsWith(FOLDER_DATASET_PREFIX)) {
    dataset = await loadFolderDataset(request.name, request.baseDir, imageSizeFor(request.inputShape, request.name), request.progress, request.seed);
  } else {
    throw new DatasetError(
      `Unknown dataset '${request.name}'.`,
      `Use one of ${BUILT_IN_DATASET_NAMES.join(', ')}, or ${FOLDER_DATASET_PREFIX}PATH for a folder with one subfolder of images per class.`,
    );
  }
  const exampleBytes = dataset.height * dataset.width * dataset.channels;
  const chosen = {
    ...dataset,
    train: firstExamples(dataset.train, request.trainExamples, exampleBytes),
    test: firstExamples(dataset.test, request.testExamples, exampleBytes),
  };
  checkSplit(chosen, 'training', chosen.train);
  checkSplit(chosen, 'test', chosen.test);
  return chosen;
}

/** Refuses an empty split or a label that names no class, before anything trains on it. */
function checkSplit(dataset: Dataset, which: 'training' | 'test', split: ImageSplit): void {
  if (split.count === 0) {
    throw new DatasetError(
      `The ${which} set of '${dataset.name}' holds no images.`,
      which === 'test' ? 'Give the dataset a test split (for a folder dataset: a test/ folder with images, or leave it out to hold out 20 %).' : 'Check the dataset files, or the --train-examples option.',
    );
  }
  const classes = dataset.classNames.length;
  const bad = split.labels.findIndex((label) => label < 0 || label >= classes);
  if (bad >= 0) {
    throw new DatasetError(
      `Example ${bad} of the ${which} set of '${dataset.name}' has label ${split.labels[bad]}, but the dataset has ${classes} classes (labels 0–${classes - 1}).`,
      'The label file is damaged or belongs to another dataset: replace it with the original file.',
    );
  }
}

// In-memory image datasets: pixels stay uint8 (HWC, row-major) until a batch is made, so that
// CIFAR-10's 50 000 images cost 150 MB rather than 600 MB as float32.
import { UserError } from '../../util/userError';

export interface ImageSplit {
  /** count × height × width × channels bytes, 0–255. */
  images: Uint8Array;
  /** Class index per image (32-bit: a folder dataset may have more than 256 classes). */
  labels: Int32Array;
  count: number;
}

export interface Dataset {
  /** As the user wrote it: `shapes`, `mnist`, `folder:./photos`… */
  name: string;
  classNames: string[];
  height: number;
  width: number;
  channels: number;
  train: ImageSplit;
  test: ImageSplit;
}

/** Bad dataset input (missing folder, corrupt file, mismatch); `hint` says what to do. */
export class DatasetError extends UserError {
  constructor(
    message: string,
    override readonly hint: string,
  ) {
    super(message, hint);
  }
}

export type ProgressReporter = (message: string, fraction?: number) => void;

/** Keeps the first `limit` examples (all when `limit` is absent or larger). */
export function firstExamples(split: ImageSplit, limit: number | undefined, exampleBytes: number): ImageSplit {
  if (limit === undefined || limit >= split.count) return split;
  return { images: split.images.subarray(0, limit * exampleBytes), labels: split.labels.subarray(0, limit), count: limit };
}

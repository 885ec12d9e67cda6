// The trainer reports each batch's loss and accuracy as running means over the epoch so far
// (what Keras's progress bar shows). Plotted as they are, they reset at every epoch and drop
// like sudden learning. These recover the batches' own values from consecutive running means.
// No imports: usable from the panel and from exports alike.

/**
 * The weight of the running mean after batch `batch` (from 0) of an epoch: examples seen so far,
 * when the batch size is known (the last batch of an epoch may be smaller), else batches seen.
 */
export function examplesSeen(batch: number, batchSize: number | undefined, trainExamples: number | undefined): number {
  if (batchSize === undefined || batchSize <= 0) return batch + 1;
  const seen = (batch + 1) * batchSize;
  return trainExamples !== undefined && trainExamples > 0 ? Math.min(seen, trainExamples) : seen;
}

/**
 * The mean of the batches between two reports of the same epoch, from the running means over
 * the epoch so far at each: (mean·seen − previousMean·previousSeen) / (seen − previousSeen).
 * For consecutive batches, the value of the later batch itself. Without a previous report in the
 * epoch, the running mean is already the mean of the batches so far.
 */
export function batchValue(mean: number, seen: number, previous?: { mean: number; seen: number }): number {
  if (!previous || !(seen > previous.seen)) return mean;
  return (mean * seen - previous.mean * previous.seen) / (seen - previous.seen);
}

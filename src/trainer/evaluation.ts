// Test-set evaluation after training: loss, accuracy, confusion matrix, per-class accuracy and the
// worst misclassified examples as PNG files in the run folder.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import type { EvaluationResult } from '../runs/format';
import type { Dataset } from './datasets';
import type { BatchMaker } from './batches';

const MISCLASSIFIED_FOLDER = 'misclassified';
const MISCLASSIFIED_KEPT = 24;
const CHUNK = 256;

export async function evaluateOnTest(model: tf.LayersModel, dataset: Dataset, batches: BatchMaker, runDir: string): Promise<EvaluationResult> {
  const classes = dataset.classNames.length;
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const wrong: { index: number; trueClass: number; predictedClass: number; confidence: number }[] = [];
  let lossSum = 0;
  let correct = 0;
  const count = dataset.test.count;
  for (let start = 0; start < count; start += CHUNK) {
    const indices = Array.from({ length: Math.min(CHUNK, count - start) }, (_, offset) => start + offset);
    const { x, y } = batches.make(dataset.test, indices, false);
    const [loss, predictions] = tf.tidy(() => {
      const output = model.predict(x) as tf.Tensor;
      return [batches.lossOf(y, output), batches.classProbabilities(output)];
    });
    lossSum += (await loss.data())[0] * indices.length;
    const probabilities = (await predictions.array()) as number[][];
    tf.dispose([x, y, loss, predictions]);
    for (const [offset, row] of probabilities.entries()) {
      const index = indices[offset];
      const trueClass = dataset.test.labels[index];
      const predictedClass = row.indexOf(Math.max(...row));
      confusion[trueClass][predictedClass] += 1;
      if (predictedClass === trueClass) correct += 1;
      else wrong.push({ index, trueClass, predictedClass, confidence: row[predictedClass] });
    }
  }
  const perClassAccuracy = confusion.map((row, label) => {
    const total = row.reduce((sum, value) => sum + value, 0);
    return total === 0 ? 0 : row[label] / total;
  });
  // The most confident mistakes teach the most, so those are the ones kept.
  wrong.sort((a, b) => b.confidence - a.confidence);
  const kept = wrong.slice(0, MISCLASSIFIED_KEPT);
  const folder = join(runDir, MISCLASSIFIED_FOLDER);
  if (kept.length > 0) mkdirSync(folder, { recursive: true });
  const { height, width, channels } = dataset;
  const exampleBytes = height * width * channels;
  const misclassified: EvaluationResult['misclassified'] = [];
  for (const [rank, example] of kept.entries()) {
    const file = `${MISCLASSIFIED_FOLDER}/${String(rank).padStart(2, '0')}-true-${example.trueClass}-pred-${example.predictedClass}.png`;
    const pixels = Buffer.from(dataset.test.images.subarray(example.index * exampleBytes, (example.index + 1) * exampleBytes));
    await sharp(pixels, { raw: { width, height, channels: channels as 1 | 3 } }).png().toFile(join(runDir, file));
    misclassified.push({ file, trueClass: example.trueClass, predictedClass: example.predictedClass, confidence: example.confidence });
  }
  return {
    loss: count === 0 ? 0 : lossSum / count,
    accuracy: count === 0 ? 0 : correct / count,
    classNames: dataset.classNames,
    confusion,
    perClassAccuracy,
    misclassified,
  };
}

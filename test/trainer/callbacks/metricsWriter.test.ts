import assert from 'node:assert/strict';
import { readRun } from '../../../src/runs/store';
import type { BatchEnd } from '../../../src/trainer/callbacks/callback';
import { MetricsWriter } from '../../../src/trainer/callbacks/metricsWriter';
import { openRun } from './helpers';

const batchEnd = (batch: number, epoch = 0): BatchEnd => ({ epoch, batch, step: epoch * 4 + batch, size: 8, seen: (batch + 1) * 8, logs: { loss: 1 / (batch + 1), acc: batch / 4 } });

describe('callbacks: MetricsWriter', () => {
  it('writes the last batch of each group and every epoch to metrics.jsonl, as the run folder reads them back', async () => {
    const writer = openRun();
    const metrics = new MetricsWriter(writer);
    for (const batch of [0, 1, 2]) metrics.onBatchEnd(batchEnd(batch));
    metrics.onBatchGroupEnd();
    metrics.onBatchEnd(batchEnd(3));
    metrics.onBatchGroupEnd();
    metrics.onEpochEnd(0, { loss: 0.3, acc: 0.6, val_loss: 0.4, val_acc: 0.5, lr: 0.001 });

    const lines = (await readRun(writer.runDir)).metrics.map(({ time, ...line }) => {
      assert.ok(Math.abs(time - Date.now()) < 60_000, 'stamped with the time written');
      return line;
    });
    assert.deepEqual(lines, [
      { kind: 'batch', epoch: 0, batch: 2, step: 2, seen: 24, logs: { loss: 1 / 3, acc: 0.5 } },
      { kind: 'batch', epoch: 0, batch: 3, step: 3, seen: 32, logs: { loss: 0.25, acc: 0.75 } },
      { kind: 'epoch', epoch: 0, logs: { loss: 0.3, acc: 0.6, val_loss: 0.4, val_acc: 0.5, lr: 0.001 } },
    ]);
  });

  it('writes no batch line for a group without a new batch', async () => {
    const writer = openRun();
    const metrics = new MetricsWriter(writer);
    metrics.onBatchGroupEnd();
    metrics.onBatchEnd(batchEnd(0));
    metrics.onBatchGroupEnd();
    metrics.onBatchGroupEnd();
    assert.deepEqual((await readRun(writer.runDir)).metrics.map((line) => line.kind === 'batch' && line.batch), [0]);
  });
});

import assert from 'node:assert/strict';
import type { BatchEnd } from '../../../src/trainer/callbacks/callback';
import { Progress, progressEvent } from '../../../src/trainer/callbacks/progress';
import { collector } from '../helpers';

const batchEnd = (epoch: number, batch: number): BatchEnd => ({ epoch, batch, step: epoch * 3 + batch, size: 16, seen: (batch + 1) * 16, logs: { loss: 1, acc: 0.5 } });
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('callbacks: Progress', () => {
  it('sends each group of batches with the images per second over the group, then the epoch with its duration', async () => {
    const events = collector();
    const progress = new Progress(events.emit);
    progress.onEpochBegin();
    await sleep(20);
    progress.onBatchEnd(batchEnd(1, 0));
    progress.onBatchEnd(batchEnd(1, 1));
    progress.onBatchGroupEnd(1);
    progress.onBatchEnd(batchEnd(1, 2));
    progress.onBatchGroupEnd(1);
    progress.onEpochEnd(1, { loss: 0.5, acc: 0.75, lr: 0.01 });

    const groups = events.of('batches');
    assert.deepEqual(groups.map((group) => [group.epoch, group.items.map((item) => item.step)]), [[1, [3, 4]], [1, [5]]]);
    assert.deepEqual(groups[0].items[0], { batch: 0, step: 3, seen: 16, logs: { loss: 1, acc: 0.5 } });
    // 32 images in the 20 ms (at least) since the epoch began.
    assert.ok(groups[0].imagesPerSecond > 0 && groups[0].imagesPerSecond <= 32 / 0.02, `${groups[0].imagesPerSecond} images/s`);
    const [epoch] = events.of('epoch');
    assert.deepEqual({ epoch: epoch.epoch, logs: epoch.logs }, { epoch: 1, logs: { loss: 0.5, acc: 0.75, lr: 0.01 } });
    assert.ok(epoch.seconds >= 0.02 && epoch.seconds < 60, `${epoch.seconds} s`);
    assert.deepEqual(events.events.map((event) => event.type), ['batches', 'batches', 'epoch']);
  });

  it('starts every epoch with an empty group', () => {
    const events = collector();
    const progress = new Progress(events.emit);
    progress.onEpochBegin();
    progress.onBatchEnd(batchEnd(0, 0));
    progress.onEpochBegin();
    progress.onBatchEnd(batchEnd(1, 0));
    progress.onBatchGroupEnd(1);
    assert.deepEqual(events.of('batches').map((group) => group.items.map((item) => item.step)), [[3]]);
  });

  it('makes progress events with a fraction only when one is known', () => {
    assert.deepEqual(progressEvent('Downloading', 0.25), { type: 'progress', message: 'Downloading', fraction: 0.25 });
    assert.deepEqual(progressEvent('Reducing'), { type: 'progress', message: 'Reducing' });
  });
});

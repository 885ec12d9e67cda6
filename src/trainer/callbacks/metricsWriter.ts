// metrics.jsonl: one line for each group of batches (the last batch of the group, whose running
// means cover the epoch so far) and one for each epoch.
import type { Logs } from '../../runs/format';
import type { RunWriter } from '../../runs/store';
import type { BatchEnd, Callback } from './callback';

export class MetricsWriter implements Callback {
  private last: BatchEnd | undefined;

  constructor(private readonly writer: Pick<RunWriter, 'appendMetrics'>) {}

  onBatchEnd(batch: BatchEnd): void {
    this.last = batch;
  }

  onBatchGroupEnd(): void {
    if (!this.last) return;
    const { epoch, batch, step, seen, logs } = this.last;
    this.writer.appendMetrics({ kind: 'batch', epoch, batch, step, seen, logs, time: Date.now() });
    this.last = undefined;
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    this.writer.appendMetrics({ kind: 'epoch', epoch, logs, time: Date.now() });
  }
}

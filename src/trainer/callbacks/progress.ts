// What the host shows while a run trains: a `batches` event for each group of batches, with the
// speed over that group, and an `epoch` event with the epoch's logs and duration.
import type { TrainerEvent } from '../../channels/trainer';
import type { Logs } from '../../runs/format';
import type { BatchEnd, Callback, EmitEvent } from './callback';

type BatchItem = Extract<TrainerEvent, { type: 'batches' }>['items'][number];

export class Progress implements Callback {
  private epochStart = 0;
  private groupStart = 0;
  private groupImages = 0;
  private items: BatchItem[] = [];

  constructor(private readonly emit: EmitEvent) {}

  onEpochBegin(): void {
    this.epochStart = Date.now();
    this.startGroup();
  }

  onBatchEnd({ batch, step, seen, size, logs }: BatchEnd): void {
    this.items.push({ batch, step, seen, logs });
    this.groupImages += size;
  }

  onBatchGroupEnd(epoch: number): void {
    const seconds = Math.max((Date.now() - this.groupStart) / 1000, 1e-3);
    this.emit({ type: 'batches', epoch, items: this.items, imagesPerSecond: this.groupImages / seconds });
    this.startGroup();
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    this.emit({ type: 'epoch', epoch, logs, seconds: (Date.now() - this.epochStart) / 1000 });
  }

  private startGroup(): void {
    this.items = [];
    this.groupStart = Date.now();
    this.groupImages = 0;
  }
}

/** A `progress` event: a line of text for the user, with how far along when that is known. */
export function progressEvent(message: string, fraction?: number): TrainerEvent {
  return { type: 'progress', message, ...(fraction === undefined ? {} : { fraction }) };
}

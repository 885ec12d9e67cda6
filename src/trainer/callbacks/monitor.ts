// Keras's improvement test, shared by the checkpoint, early stopping and learning-rate reduction.
import type { Logs } from '../../runs/format';
import { higherIsBetter } from '../trainingConfig';

export function epochCount(count: number): string {
  return `${count} epoch${count === 1 ? '' : 's'}`;
}

export class Monitor {
  best: number;
  /** Epochs since the last improvement. */
  wait = 0;
  private readonly sign: number;

  constructor(
    readonly name: string,
    private readonly minDelta = 0,
  ) {
    this.sign = higherIsBetter(name) ? 1 : -1;
    this.best = -this.sign * Infinity;
  }

  /** Whether `logs` improve on the best so far (and records it); unknown monitors never improve. */
  improves(logs: Logs): boolean {
    const value = logs[this.name];
    if (value === undefined || !Number.isFinite(value)) {
      this.wait += 1;
      return false;
    }
    if (this.sign * (value - this.best) > this.minDelta) {
      this.best = value;
      this.wait = 0;
      return true;
    }
    this.wait += 1;
    return false;
  }

  /** For messages: `val_loss has not improved for 3 epochs`. */
  describeWait(): string {
    return `${this.name} has not improved for ${epochCount(this.wait)}`;
  }
}

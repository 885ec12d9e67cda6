// Keras-style training callbacks: the loop (src/trainer/fit.ts) calls each hook of every callback
// in list order and awaits it, so a callback placed later sees what earlier ones did in the same
// hook (the `last` model is saved after early stopping has restored the best weights).
import type { TrainerEvent } from '../../channels/trainer';
import type { Logs } from '../../runs/format';

type Awaitable = void | Promise<void>;

/** Sends a TrainerEvent to the host (the extension, or the CLI's printer). */
export type EmitEvent = (event: TrainerEvent) => void;

/** One trained batch, as the loop reports it. */
export interface BatchEnd {
  epoch: number;
  /** Index within the epoch. */
  batch: number;
  /** Index over the whole run; a resumed run continues the count of the run it resumes. */
  step: number;
  /** Examples in this batch. */
  size: number;
  /** Examples trained on so far in the epoch: the weight of the running means in `logs`. */
  seen: number;
  /** Running means over the epoch so far, as Keras's progress bar shows them. */
  logs: Logs;
}

/** How training ended: `stopped` when a stop was requested mid-epoch (the run can be resumed), else `completed`. */
export type FitOutcome = 'completed' | 'stopped';

export interface Callback {
  onEpochBegin?(epoch: number): Awaitable;
  onBatchBegin?(batch: number): Awaitable;
  onBatchEnd?(batch: BatchEnd): Awaitable;
  /**
   * The batches since the last group (at least one) form one report: at most a few groups a second,
   * and one at the end of every epoch (one that a stop cut short too), so that disk and host are
   * not flooded.
   */
  onBatchGroupEnd?(epoch: number): Awaitable;
  /** `logs`: loss, acc, val_loss and val_acc (with validation data), lr. */
  onEpochEnd?(epoch: number, logs: Logs): Awaitable;
  onTrainEnd?(outcome: FitOutcome): Awaitable;
}

/** How callbacks end training early; the loop reads it between batches and between epochs. */
export class TrainingControl {
  /** Ends training once the current epoch's callbacks have run, as Keras's `model.stop_training`. */
  stopTraining = false;
  /** Ends training before the next batch, leaving the epoch unfinished: the run ends `stopped`. */
  interrupted = false;
}

/** Every hook of the list's callbacks, one after another in list order. */
export class CallbackList implements Required<Callback> {
  constructor(private readonly callbacks: readonly Callback[]) {}

  onEpochBegin(epoch: number): Promise<void> {
    return this.each((callback) => callback.onEpochBegin?.(epoch));
  }

  onBatchBegin(batch: number): Promise<void> {
    return this.each((callback) => callback.onBatchBegin?.(batch));
  }

  onBatchEnd(batch: BatchEnd): Promise<void> {
    return this.each((callback) => callback.onBatchEnd?.(batch));
  }

  onBatchGroupEnd(epoch: number): Promise<void> {
    return this.each((callback) => callback.onBatchGroupEnd?.(epoch));
  }

  onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    return this.each((callback) => callback.onEpochEnd?.(epoch, logs));
  }

  onTrainEnd(outcome: FitOutcome): Promise<void> {
    return this.each((callback) => callback.onTrainEnd?.(outcome));
  }

  private async each(hook: (callback: Callback) => Awaitable): Promise<void> {
    for (const callback of this.callbacks) await hook(callback);
  }
}

// The user's Stop (the host's `stop` message, SIGINT, a closed parent): training ends before the
// next batch, and the run ends `stopped` with its model saved, so that it can be resumed.
import type { Callback, TrainingControl } from './callback';

export class StopRequest implements Callback {
  constructor(
    private readonly control: TrainingControl,
    private readonly signal?: AbortSignal,
  ) {}

  async onBatchBegin(): Promise<void> {
    // Lets the IPC `stop` message (a macrotask) in before the signal is read.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.signal?.aborted) this.control.interrupted = true;
  }
}

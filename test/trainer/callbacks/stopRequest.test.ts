import assert from 'node:assert/strict';
import { TrainingControl } from '../../../src/trainer/callbacks/callback';
import { StopRequest } from '../../../src/trainer/callbacks/stopRequest';

describe('callbacks: StopRequest', () => {
  it('interrupts training before the next batch once the signal is aborted', async () => {
    const control = new TrainingControl();
    const stop = new AbortController();
    const request = new StopRequest(control, stop.signal);
    await request.onBatchBegin();
    assert.equal(control.interrupted, false);
    stop.abort();
    await request.onBatchBegin();
    assert.deepEqual({ interrupted: control.interrupted, stopTraining: control.stopTraining }, { interrupted: true, stopTraining: false });
  });

  it('lets a stop message that is already queued (a macrotask, as IPC messages are) arrive before it looks', async () => {
    const control = new TrainingControl();
    const stop = new AbortController();
    setImmediate(() => stop.abort());
    await new StopRequest(control, stop.signal).onBatchBegin();
    assert.equal(control.interrupted, true);
  });

  it('never interrupts a run trained without a signal', async () => {
    const control = new TrainingControl();
    await new StopRequest(control).onBatchBegin();
    assert.equal(control.interrupted, false);
  });
});

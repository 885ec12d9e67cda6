// The run panel's lifecycle states (issue 10 items 2–4): a resumed run names the run it continues
// and its steps go on from the earlier curve; a deleted run says so and offers nothing but Close;
// a failed run shows its failure and only the actions that can work.
import { strict as assert } from 'node:assert';
import { availableActions, displayStatus, initialState, reduce, type ViewState } from '../../webview/src/logic/state';
import type { TrainerEvent } from '../../src/channels/trainer';
import type { HostToWebview } from '../../src/channels/webview';
import type { MetricsLine } from '../../src/runs/format';
import { emptySummary, record, twoEpochs } from './fixtures';

const backend = { name: 'cpu' as const, device: 'CPU (pure JS)', skipped: [] };

function apply(state: ViewState, messages: HostToWebview[], now = 0): ViewState {
  return messages.reduce((s, m) => reduce(s, m, now), state);
}

function runOf(state: ViewState) {
  assert.equal(state.mode, 'run');
  return (state as Extract<ViewState, { mode: 'run' }>).run;
}

function started(runId: string, epochs = 4): TrainerEvent {
  return { type: 'started', runId, runDir: `/w/.cnnlab/runs/${runId}`, backend, summary: emptySummary, epochs, stepsPerEpoch: 2, examples: { train: 64, validation: 16, test: 16 } };
}

describe('run panel: resumed runs', () => {
  it('names the earlier run from the record, then as the host titles it', () => {
    let state = reduce(initialState(), { type: 'load', record: record({ id: 'run-2', resumedFrom: 'run-1', status: 'running' }), metrics: twoEpochs }, 0);
    assert.deepEqual(runOf(state).continues, { runId: 'run-1', title: 'run-1', exists: true });
    state = reduce(state, { type: 'continues', runId: 'run-2', from: { runId: 'run-1', title: 'cnn #1 · shapes', exists: true } }, 0);
    assert.deepEqual(runOf(state).continues, { runId: 'run-1', title: 'cnn #1 · shapes', exists: true });
    // Reloading the same run keeps the host's name for the earlier run.
    state = reduce(state, { type: 'load', record: record({ id: 'run-2', resumedFrom: 'run-1', status: 'running' }), metrics: twoEpochs }, 0);
    assert.equal(runOf(state).continues?.title, 'cnn #1 · shapes');
  });

  it('continues the step axis after the copied history: no step collides, no point is dropped', () => {
    // The resumed run's folder holds epochs 0–1 (steps 0–3) copied from the earlier run; the trainer goes on at step 2 × 2.
    let state = apply(initialState(), [
      { type: 'starting', modelFile: 'models/cnn.model.json', dataset: 'shapes', epochs: 4 },
      { type: 'load', record: record({ id: 'run-2', resumedFrom: 'run-1', status: 'running', epochsCompleted: 2, epochsPlanned: 4 }), metrics: twoEpochs },
      { type: 'live', canStop: true },
      { type: 'event', event: started('run-2') },
      { type: 'event', event: { type: 'batches', epoch: 2, items: [{ batch: 0, step: 4, logs: { loss: 0.9, acc: 0.75 } }, { batch: 1, step: 5, logs: { loss: 0.8, acc: 0.8 } }], imagesPerSecond: 100 } },
      { type: 'event', event: { type: 'epoch', epoch: 2, logs: { loss: 0.85, acc: 0.78 }, seconds: 1 } },
    ]);
    const run = runOf(state);
    assert.deepEqual(run.batchSeries.loss.map((point) => point.x), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(run.epochSeries.loss.map((point) => point.x), [1, 2, 3]);
    assert.equal(run.epochsCompleted, 3);
    assert.equal(run.canStop, true);
    assert.equal(run.continues?.runId, 'run-1');
    state = reduce(state, { type: 'event', event: { type: 'batches', epoch: 3, items: [{ batch: 0, step: 6, logs: { loss: 0.7, acc: 0.85 } }], imagesPerSecond: 100 } }, 0);
    assert.equal(runOf(state).batchSeries.loss.at(-1)?.x, 6);
  });

  it('says when the earlier run is no longer on disk', () => {
    const state = apply(initialState(), [
      { type: 'load', record: record({ id: 'run-2', resumedFrom: 'run-1' }), metrics: twoEpochs },
      { type: 'continues', runId: 'run-2', from: { runId: 'run-1', title: 'run-1', exists: false } },
    ]);
    assert.equal(runOf(state).continues?.exists, false);
  });
});

describe('run panel: deleted runs', () => {
  it('a panel restored after a reload whose run is gone says so instead of "Loading run…" forever', () => {
    const run = runOf(reduce(initialState(), { type: 'gone', runId: 'run-1', folder: '.cnnlab/runs/run-1' }, 0));
    assert.deepEqual(run.gone, { folder: '.cnnlab/runs/run-1' });
    assert.equal(displayStatus(run), 'deleted');
    assert.deepEqual(availableActions(run), []);
  });

  it('a run deleted while shown keeps its curves but offers no action and no Stop', () => {
    const state = apply(initialState(), [
      { type: 'load', record: record({ status: 'running' }), metrics: twoEpochs },
      { type: 'live', canStop: true },
      { type: 'gone', runId: 'run-1', folder: '.cnnlab/runs/run-1' },
    ]);
    const run = runOf(state);
    assert.equal(run.batchSeries.loss.length, 4);
    assert.equal(run.canStop, false);
    assert.equal(displayStatus(run), 'deleted');
    assert.deepEqual(availableActions(run), []);
  });

  it('a gone message for another run changes nothing', () => {
    const state = apply(initialState(), [
      { type: 'load', record: record(), metrics: twoEpochs },
      { type: 'gone', runId: 'other', folder: '.cnnlab/runs/other' },
    ]);
    assert.equal(runOf(state).gone, undefined);
  });
});

describe('run panel: failed runs and the actions offered', () => {
  it('a run that fails while preparing shows the failure and hint, not "Preparing · Loading mnist"', () => {
    const state = apply(initialState(), [
      { type: 'starting', modelFile: 'models/cnn.model.json', dataset: 'mnist', epochs: 5 },
      { type: 'event', event: { type: 'progress', message: 'Loading mnist', fraction: 0.4 } },
      { type: 'event', event: { type: 'failed', message: 'mnist could not be downloaded', hint: 'Set cnnLab.dataDir to a folder holding the files.', record: record({ status: 'failed', epochsCompleted: 0 }) } },
    ]);
    const run = runOf(state);
    assert.equal(run.status, 'failed');
    assert.equal(run.progressMessage, undefined);
    assert.equal(run.progressFraction, undefined);
    assert.deepEqual(run.error, { message: 'mnist could not be downloaded', hint: 'Set cnnLab.dataDir to a folder holding the files.' });
    // No saved model, no metrics: only what works.
    assert.deepEqual(availableActions(run), ['revealFolder', 'rerun']);
  });

  it('takes the hint from the record when the event has none', () => {
    const state = apply(initialState(), [
      { type: 'starting', modelFile: 'm.model.json', dataset: 'shapes', epochs: 1 },
      { type: 'event', event: { type: 'failed', message: 'boom', record: record({ status: 'failed', error: { message: 'boom', hint: 'try again' } }) } },
    ]);
    assert.equal(runOf(state).error?.hint, 'try again');
  });

  it('a failed run from disk shows record.error', () => {
    const run = runOf(reduce(initialState(), { type: 'load', record: record({ status: 'failed', error: { message: 'Out of memory', hint: 'Use a smaller batch.' } }), metrics: [] }, 0));
    assert.deepEqual(run.error, { message: 'Out of memory', hint: 'Use a smaller batch.' });
    assert.deepEqual(availableActions(run), ['revealFolder', 'rerun']);
  });

  it('offers CSV and TensorBoard with metrics, Export Model only with a saved model', () => {
    let state = reduce(initialState(), { type: 'load', record: record({ status: 'failed' }), metrics: twoEpochs }, 0);
    assert.deepEqual(availableActions(runOf(state)), ['exportCsv', 'exportTensorBoard', 'revealFolder', 'rerun']);
    state = reduce(state, { type: 'files', runId: 'run-1', savedModel: true }, 0);
    assert.deepEqual(availableActions(runOf(state)), ['exportModel', 'exportCsv', 'exportTensorBoard', 'revealFolder', 'rerun']);
    // Files of another run are not this run's.
    const other = reduce(reduce(initialState(), { type: 'load', record: record(), metrics: [] }, 0), { type: 'files', runId: 'run-9', savedModel: true }, 0);
    assert.equal(runOf(other).savedModel, undefined);
  });

  it('a checkpoint during a live run makes Export Model available', () => {
    const metrics: MetricsLine[] = [];
    const state = apply(initialState(), [
      { type: 'load', record: record({ status: 'running' }), metrics },
      { type: 'event', event: { type: 'checkpoint', epoch: 0, which: 'best', path: '/w/.cnnlab/runs/run-1/model/best' } },
    ]);
    assert.ok(availableActions(runOf(state)).includes('exportModel'));
  });

  it('a run without an id yet offers nothing', () => {
    const state = reduce(initialState(), { type: 'starting', modelFile: 'm.model.json', dataset: 'shapes', epochs: 1 }, 0);
    assert.deepEqual(availableActions(runOf(state)), []);
  });
});

import { strict as assert } from 'node:assert';
import { formatClock, initialState, progressOf, reduce, type ViewState } from '../../webview/src/logic/state';
import { drawnPoints, familyKeys, runLines } from '../../webview/src/logic/chartData';
import type { TrainerEvent } from '../../src/channels/trainer';
import type { HostToWebview } from '../../src/channels/webview';
import { emptySummary, record, twoEpochs } from './fixtures';

const backend = { name: 'cpu' as const, device: 'CPU (pure JS)', skipped: [] };
const started: TrainerEvent = {
  type: 'started',
  runId: 'run-1',
  runDir: '/w/.cnnlab/runs/run-1',
  backend,
  summary: emptySummary,
  epochs: 4,
  stepsPerEpoch: 2,
  examples: { train: 64, validation: 16, test: 16 },
};

function apply(state: ViewState, messages: HostToWebview[], now = 0): ViewState {
  return messages.reduce((s, m) => reduce(s, m, now), state);
}

function runOf(state: ViewState) {
  assert.equal(state.mode, 'run');
  return (state as Extract<ViewState, { mode: 'run' }>).run;
}

describe('panel state reducer', () => {
  it('builds curves from a run on disk, epochs numbered from 1', () => {
    const run = runOf(reduce(initialState(), { type: 'load', record: record(), metrics: twoEpochs }, 0));
    assert.equal(run.status, 'completed');
    // Running means 2.0, 1.6 | 1.2, 1.0 over batches of 32: the batches' own losses are 2.0, 1.2 | 1.2, 0.8.
    assert.deepEqual(run.batchSeries.loss.map((p) => [p.x, Math.round(p.y * 1e9) / 1e9]), [[0, 2], [1, 1.2], [2, 1.2], [3, 0.8]]);
    assert.deepEqual(run.epochSeries.val_acc.map((p) => [p.x, p.y]), [[1, 0.35], [2, 0.6]]);
    assert.deepEqual(run.epochEndStep, { 1: 1, 2: 3 });
    // Epoch 1 ends at step 1, epoch 2 at step 3: two steps per epoch.
    assert.equal(run.stepsPerEpoch, 2);
    // The record says 3 epochs completed; metrics hold 2 — the record wins.
    assert.equal(run.epochsCompleted, 3);
  });

  it('follows a live run from starting to finished', () => {
    let state = apply(initialState(), [
      { type: 'starting', modelFile: 'cnn.model.json', dataset: 'shapes', epochs: 4 },
      { type: 'live', canStop: true },
    ], 1000);
    assert.equal(runOf(state).status, 'starting');
    assert.equal(runOf(state).canStop, true);
    state = apply(state, [
      { type: 'event', event: { type: 'progress', message: 'Generating shapes', fraction: 0.5 } },
      { type: 'event', event: started },
      { type: 'event', event: { type: 'batches', epoch: 0, items: [{ batch: 0, step: 0, logs: { loss: 2 } }, { batch: 1, step: 1, logs: { loss: 1 } }], imagesPerSecond: 120 } },
      { type: 'event', event: { type: 'epoch', epoch: 0, logs: { loss: 1.5, val_loss: 1.6 }, seconds: 1 } },
      { type: 'event', event: { type: 'batches', epoch: 1, items: [{ batch: 0, step: 2, logs: { loss: 0.9 } }], imagesPerSecond: 130 } },
    ], 1000);
    const run = runOf(state);
    assert.equal(run.status, 'running');
    assert.equal(run.runId, 'run-1');
    assert.equal(run.epochsCompleted, 1);
    assert.equal(run.imagesPerSecond, 130);
    assert.equal(run.progressMessage, undefined);
    // One epoch of four done plus one batch of two in the second: 1.5 / 4.
    assert.equal(progressOf(run, 11_000).fraction, 0.375);
    // 10 s for 37.5 % → 10 · 0.625 / 0.375 = 16.67 s left.
    assert.ok(Math.abs((progressOf(run, 11_000).etaSeconds ?? 0) - 50 / 3) < 1e-9);
    state = apply(state, [
      { type: 'event', event: { type: 'finished', status: 'stopped', record: record({ status: 'stopped', epochsCompleted: 1, epochsPlanned: 4 }) } },
    ], 12_000);
    assert.equal(runOf(state).status, 'stopped');
    assert.equal(runOf(state).canStop, false);
    assert.equal(progressOf(runOf(state), 99_000).etaSeconds, undefined);
  });

  it('ignores batches and epochs it already has, so replays after a load are harmless', () => {
    let state = reduce(initialState(), { type: 'load', record: record({ status: 'running', endedAt: undefined }), metrics: twoEpochs }, 0);
    state = apply(state, [
      { type: 'event', event: { type: 'batches', epoch: 1, items: [{ batch: 1, step: 3, logs: { loss: 9 } }, { batch: 0, step: 4, logs: { loss: 0.8 } }], imagesPerSecond: 1 } },
      { type: 'event', event: { type: 'epoch', epoch: 1, logs: { loss: 9 }, seconds: 1 } },
    ]);
    const run = runOf(state);
    assert.deepEqual(run.batchSeries.loss.map((p) => Math.round(p.y * 1e9) / 1e9), [2, 1.2, 1.2, 0.8, 0.8]);
    assert.deepEqual(run.epochSeries.loss.map((p) => p.y), [1.8, 1.1]);
  });

  it('keeps images for the run on screen only, and records failures', () => {
    let state = reduce(initialState(), { type: 'load', record: record(), metrics: [] }, 0);
    state = apply(state, [
      { type: 'images', runId: 'other', images: [{ file: 'x.png', dataUri: 'data:image/png;base64,AA' }] },
      { type: 'images', runId: 'run-1', images: [{ file: 'm/0.png', dataUri: 'data:image/png;base64,BB' }] },
      { type: 'event', event: { type: 'failed', message: 'Out of memory', hint: 'Lower the batch size' } },
    ]);
    const run = runOf(state);
    assert.deepEqual(run.images, { 'm/0.png': 'data:image/png;base64,BB' });
    assert.equal(run.status, 'failed');
    assert.deepEqual(run.error, { message: 'Out of memory', hint: 'Lower the batch size' });
  });

  it('switches to compare mode with one view per run, and counts versions', () => {
    const state = reduce(initialState(), { type: 'compare', runs: [{ record: record(), metrics: twoEpochs, name: 'cnn #1' }, { record: record({ id: 'run-2' }), metrics: [], name: 'fast lr' }] }, 0);
    assert.equal(state.mode, 'compare');
    assert.equal(state.version, 1);
    assert.deepEqual(state.mode === 'compare' && state.runs.map((r) => r.runId), ['run-1', 'run-2']);
    // The names the Runs view gives them (numbered among the model's runs), not ones made from the records alone.
    assert.deepEqual(state.mode === 'compare' && state.runs.map((r) => r.name), ['cnn #1', 'fast lr']);
  });

  it('formats clocks', () => {
    assert.equal(formatClock(42), '0:42');
    assert.equal(formatClock(247), '4:07');
    assert.equal(formatClock(3909), '1:05:09');
  });
});

describe('chart lines', () => {
  const run = runOf(reduce(initialState(), { type: 'load', record: record(), metrics: twoEpochs }, 0));

  it('finds the loss and accuracy logs under their Keras names', () => {
    assert.deepEqual(familyKeys(run, 'loss'), { train: 'loss', validation: 'val_loss' });
    assert.deepEqual(familyKeys(run, 'accuracy'), { train: 'acc', validation: 'val_acc' });
  });

  it('per epoch: train and validation lines against the epoch number', () => {
    const lines = runLines(run, 'loss', { granularity: 'epoch', smoothing: { kind: 'ema', beta: 0.5 }, maxPoints: 100, showRaw: true });
    assert.deepEqual(lines.map((l) => [l.label, l.role, l.points.map((p) => p.y)]), [
      ['loss', 'train', [1.8, 1.1]],
      ['val_loss', 'validation', [1.7, 1.3]],
    ]);
  });

  it('per batch: raw and smoothed train lines, validation placed at each epoch\'s last step', () => {
    const lines = runLines(run, 'loss', { granularity: 'batch', smoothing: { kind: 'moving-average', window: 2 }, maxPoints: 100, showRaw: true });
    const rounded = (y: number): number => Math.round(y * 1e9) / 1e9;
    assert.deepEqual(lines.map((l) => [l.faint, l.points.map((p) => [p.x, rounded(p.y)])]), [
      [true, [[0, 2], [1, 1.2], [2, 1.2], [3, 0.8]]],
      [false, [[0, 2], [1, 1.6], [2, 1.2], [3, 1.0]]],
      [false, [[1, 1.7], [3, 1.3]]],
    ]);
    assert.equal(drawnPoints(lines), 10);
    const overlaid = runLines(run, 'loss', { granularity: 'batch', smoothing: { kind: 'moving-average', window: 2 }, maxPoints: 100, showRaw: false });
    assert.deepEqual(overlaid.map((l) => l.label), ['loss (batch, smoothed)', 'val_loss']);
  });
});

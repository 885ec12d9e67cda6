import { strict as assert } from 'node:assert';
import type { TrainerEvent } from '../../src/channels/trainer';
import type { HostToWebview } from '../../src/channels/webview';
import type { MetricsLine } from '../../src/runs/format';
import { batchValue, examplesSeen } from '../../webview/src/logic/batchValues';
import { runLines } from '../../webview/src/logic/chartData';
import { initialState, reduce, type RunView, type ViewState } from '../../webview/src/logic/state';
import { emptySummary, record } from './fixtures';

/** What src/trainer/train.ts reports: per batch, the running means over the epoch so far, weighted by batch size. */
interface Simulated {
  /** The batches' own values, per epoch. */
  raw: { loss: number; acc: number }[][];
  events: TrainerEvent[];
  /** metrics.jsonl: one batch line per reported group (its last batch), then the epoch line. */
  lines: MetricsLine[];
}

function simulate(epochs: number, trainExamples: number, batchSize: number, value: (step: number) => { loss: number; acc: number }, groupSize = 1, reportSeen = false): Simulated {
  const steps = Math.ceil(trainExamples / batchSize);
  const raw: Simulated['raw'] = [];
  const events: TrainerEvent[] = [
    { type: 'started', runId: 'run-1', runDir: '/r', backend: { name: 'cpu', device: 'CPU', skipped: [] }, summary: emptySummary, epochs, stepsPerEpoch: steps, examples: { train: trainExamples, validation: 0, test: 10 } },
  ];
  const lines: MetricsLine[] = [];
  let step = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    raw.push([]);
    let lossSum = 0;
    let accSum = 0;
    let seen = 0;
    let pending: { batch: number; step: number; logs: Record<string, number>; seen?: number }[] = [];
    const flush = (): void => {
      if (pending.length === 0) return;
      const last = pending[pending.length - 1];
      lines.push({ kind: 'batch', epoch, batch: last.batch, step: last.step, logs: last.logs, time: step, ...(reportSeen ? { seen: last.seen } : {}) } as MetricsLine);
      events.push({ type: 'batches', epoch, items: pending, imagesPerSecond: 1 });
      pending = [];
    };
    for (let batch = 0; batch < steps; batch++) {
      const n = Math.min(batchSize, trainExamples - batch * batchSize);
      const own = value(step);
      raw[epoch].push(own);
      lossSum += own.loss * n;
      accSum += own.acc * n;
      seen += n;
      pending.push({ batch, step, logs: { loss: lossSum / seen, acc: accSum / seen }, ...(reportSeen ? { seen } : {}) });
      step += 1;
      if (pending.length === groupSize) flush();
    }
    flush();
    const logs = { loss: lossSum / seen, acc: accSum / seen };
    lines.push({ kind: 'epoch', epoch, logs, time: step });
    events.push({ type: 'epoch', epoch, logs, seconds: 1 });
  }
  return { raw, events, lines };
}

function live(events: TrainerEvent[]): RunView {
  let state: ViewState = reduce(initialState(), { type: 'starting', modelFile: 'cnn.model.json', dataset: 'mnist', epochs: 2 }, 0);
  for (const event of events) state = reduce(state, { type: 'event', event } satisfies HostToWebview, 0);
  assert.equal(state.mode, 'run');
  return (state as Extract<ViewState, { mode: 'run' }>).run;
}

function fromDisk(lines: MetricsLine[], batchSize?: number): RunView {
  const state = reduce(initialState(), { type: 'load', record: record({ training: batchSize === undefined ? {} : { batchSize } }), metrics: lines }, 0);
  assert.equal(state.mode, 'run');
  return (state as Extract<ViewState, { mode: 'run' }>).run;
}

function near(actual: readonly number[], expected: readonly number[], tolerance = 1e-9): void {
  assert.equal(actual.length, expected.length, `${actual.length} values, expected ${expected.length}`);
  actual.forEach((value, i) => assert.ok(Math.abs(value - expected[i]) <= tolerance, `index ${i}: ${value} ≠ ${expected[i]}`));
}

// A model learning steadily: loss falls 2.0 → 0.4 and accuracy rises over 2 epochs of 12 batches, with noise.
const learning = (step: number) => ({ loss: 2 - step / 15 + 0.05 * Math.sin(step * 1.7), acc: Math.min(1, 0.1 + step / 30 + 0.02 * Math.cos(step)) });

describe('per-batch curves are batch values, not running means that reset each epoch', () => {
  it('a live run plots each batch\'s own loss and accuracy', () => {
    const sim = simulate(2, 384, 32, learning);
    const run = live(sim.events);
    near(run.batchSeries.loss.map((p) => p.y), sim.raw.flat().map((v) => v.loss));
    near(run.batchSeries.acc.map((p) => p.y), sim.raw.flat().map((v) => v.acc));
    assert.deepEqual(run.batchSeries.loss.map((p) => p.x), sim.raw.flat().map((_, step) => step));
  });

  it('no drop at the epoch boundary: a steadily falling loss stays steady across it', () => {
    const steady = (step: number) => ({ loss: 2 - step / 20, acc: step / 40 });
    const sim = simulate(2, 384, 32, steady);
    const plotted = live(sim.events).batchSeries.loss.map((p) => p.y);
    // Batch 11 of epoch 1 (step 11) to batch 0 of epoch 2 (step 12): one step's fall, 0.05.
    assert.ok(Math.abs(plotted[11] - plotted[12] - 0.05) < 1e-9, `${plotted[11]} → ${plotted[12]}`);
    // The running means the trainer sends fall by 0.3 there: the false "sudden learning".
    const items = sim.events.flatMap((event) => (event.type === 'batches' ? event.items : []));
    assert.ok(items[11].logs.loss - items[12].logs.loss > 0.25);
  });

  it('the epoch curve stays the epoch mean', () => {
    const sim = simulate(2, 384, 32, learning);
    const run = live(sim.events);
    const epochMeans = sim.raw.map((batches) => batches.reduce((sum, v) => sum + v.loss, 0) / batches.length);
    near(run.epochSeries.loss.map((p) => p.y), epochMeans);
    const lines = runLines(run, 'loss', { granularity: 'epoch', smoothing: { kind: 'none' }, maxPoints: 2000, showRaw: false });
    near(lines[0].points.map((p) => p.y), epochMeans);
    const batchLines = runLines(run, 'loss', { granularity: 'batch', smoothing: { kind: 'none' }, maxPoints: 2000, showRaw: false });
    near(batchLines[0].points.map((p) => p.y), sim.raw.flat().map((v) => v.loss));
  });

  it('a run read from disk (one line per reported group) plots each group\'s mean, weighted by batch size', () => {
    // 100 examples, batch 32: batches of 32, 32, 32, 4; the trainer wrote every third batch and the last.
    const sim = simulate(2, 100, 32, learning, 3);
    const run = fromDisk(sim.lines, 32);
    const sizes = [32, 32, 32, 4];
    const groupMean = (batches: { loss: number }[], from: number, to: number): number => {
      let sum = 0;
      let count = 0;
      for (let i = from; i < to; i++) {
        sum += batches[i].loss * sizes[i];
        count += sizes[i];
      }
      return sum / count;
    };
    // The last group's size is not on disk (100 is not), so it is weighed as a full batch: exact up to it.
    const plotted = run.batchSeries.loss.map((p) => p.y);
    assert.deepEqual(run.batchSeries.loss.map((p) => p.x), [2, 3, 6, 7]);
    near([plotted[0], plotted[2]], [groupMean(sim.raw[0], 0, 3), groupMean(sim.raw[1], 0, 3)]);
  });

  it('uses the examples seen when the trainer reports them: exact even for a smaller last batch', () => {
    const sim = simulate(2, 100, 32, learning, 1, true);
    near(live(sim.events).batchSeries.loss.map((p) => p.y), sim.raw.flat().map((v) => v.loss));
    near(fromDisk(sim.lines).batchSeries.acc.map((p) => p.y), sim.raw.flat().map((v) => v.acc));
  });

  it('works out the weights from the batch index and size', () => {
    assert.equal(examplesSeen(0, 32, 100), 32);
    assert.equal(examplesSeen(2, 32, 100), 96);
    assert.equal(examplesSeen(3, 32, 100), 100, 'the last batch holds the 4 left over');
    assert.equal(examplesSeen(3, undefined, 100), 4, 'without a batch size, batches count the same');
    assert.equal(examplesSeen(3, 32, undefined), 128);
  });

  it('recovers a batch value from two running means (hand-worked)', () => {
    // Batches of 32 with losses 2.0 then 1.0: running means 2.0 (32 seen) then 1.5 (64 seen).
    assert.equal(batchValue(1.5, 64, { mean: 2, seen: 32 }), 1);
    // Last batch of 4 with loss 0.5 after 96 at mean 1.0: running mean (96 + 2) / 100 = 0.98.
    assert.ok(Math.abs(batchValue(0.98, 100, { mean: 1, seen: 96 }) - 0.5) < 1e-12);
    // The first report of an epoch is its own mean.
    assert.equal(batchValue(0.7, 32), 0.7);
    assert.equal(batchValue(0.7, 32, { mean: 0.9, seen: 32 }), 0.7, 'no change in count: nothing to recover');
  });
});

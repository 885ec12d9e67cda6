// The training panel's cost per update on a 100k-batch-point run: what one trainer message costs
// the page (reducer), what one redraw's data preparation costs (smoothing the full series, then
// min/max decimation to ≤ 2000 points per line, for both charts), and a full load from disk.
// Medians over repeats; chart.js drawing itself is excluded (it needs a canvas and only ever sees ≤ 2000 points per line).

import { performance } from 'node:perf_hooks';
import type { HostToWebview } from '../src/channels/webview';
import type { MetricsLine, RunRecord } from '../src/runs/format';
import { runLines, type ChartOptions } from '../webview/src/logic/chartData';
import { decimateMinMax, type Point } from '../webview/src/logic/decimate';
import { smooth } from '../webview/src/logic/smooth';
import { initialState, reduce, type ViewState } from '../webview/src/logic/state';

const EPOCHS = 100;
const STEPS_PER_EPOCH = 1000;
const BATCH_POINTS = EPOCHS * STEPS_PER_EPOCH;
const REPEATS = 31;

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(repeats: number, body: (repeat: number) => void): number {
  const samples: number[] = [];
  for (let repeat = 0; repeat < repeats; repeat++) {
    const start = performance.now();
    body(repeat);
    samples.push(performance.now() - start);
  }
  return median(samples);
}

function syntheticMetrics(): MetricsLine[] {
  const lines: MetricsLine[] = [];
  let step = 0;
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    for (let batch = 0; batch < STEPS_PER_EPOCH; batch++) {
      const t = step / BATCH_POINTS;
      // Deterministic noise: the figures must not depend on a random draw.
      const noise = Math.sin(step * 12.9898) * 0.05;
      lines.push({ kind: 'batch', epoch, batch, step, logs: { loss: 2 * Math.exp(-4 * t) + noise + 0.1, acc: 1 - 0.9 * Math.exp(-4 * t) + noise }, time: 1_700_000_000_000 + step });
      step += 1;
    }
    const t = step / BATCH_POINTS;
    lines.push({ kind: 'epoch', epoch, logs: { loss: 2 * Math.exp(-4 * t) + 0.1, acc: 1 - 0.9 * Math.exp(-4 * t), val_loss: 2 * Math.exp(-3.5 * t) + 0.15, val_acc: 0.97 - 0.9 * Math.exp(-3.5 * t) }, time: 1_700_000_000_000 + step });
  }
  return lines;
}

const record = {
  id: 'bench',
  modelFile: 'bench.model.json',
  modelSource: '{}',
  ir: { name: 'bench', format: 'json', topology: 'sequential', layers: [], inputs: [], outputs: [] },
  summary: { name: 'bench', topology: 'sequential', layers: [], totalParams: 0, trainableParams: 0, nonTrainableParams: 0, flops: 0, weightBytes: 0, diagnostics: [] },
  dataset: 'shapes',
  training: {},
  status: 'running',
  startedAt: new Date(0).toISOString(),
  epochsCompleted: EPOCHS,
  epochsPlanned: EPOCHS + 10,
} satisfies RunRecord;

const metrics = syntheticMetrics();
const values = metrics.filter((line) => line.kind === 'batch').map((line) => line.logs.loss);
const points: Point[] = values.map((y, x) => ({ x, y }));

let state: ViewState = initialState();
const loadMs = time(7, () => {
  state = reduce(initialState(), { type: 'load', record, metrics }, 0);
});
if (state.mode !== 'run') throw new Error('bench: load did not produce a run');
const run = state.run;

// One live message: a group of 10 batches, as the trainer sends several times a second.
let nextStep = BATCH_POINTS;
const messageMs = time(REPEATS * 10, () => {
  const items = Array.from({ length: 10 }, (_, i) => ({ batch: i, step: nextStep + i, logs: { loss: 0.2, acc: 0.95 } }));
  nextStep += 10;
  const message: HostToWebview = { type: 'event', event: { type: 'batches', epoch: EPOCHS, items, imagesPerSecond: 500 } };
  state = reduce(state, message, 0);
});

function frame(options: ChartOptions): number {
  return time(REPEATS, () => {
    runLines(run, 'loss', options);
    runLines(run, 'accuracy', options);
  });
}
const base = { granularity: 'batch' as const, maxPoints: 2000, showRaw: true };
// The live loop: a message arrives, then the page redraws with the smoothed curves extended.
const liveUpdateMs = time(REPEATS, () => {
  const items = Array.from({ length: 10 }, (_, i) => ({ batch: i, step: nextStep + i, logs: { loss: 0.2, acc: 0.95 } }));
  nextStep += 10;
  state = reduce(state, { type: 'event', event: { type: 'batches', epoch: EPOCHS, items, imagesPerSecond: 500 } }, 0);
  const options: ChartOptions = { ...base, smoothing: { kind: 'ema', beta: 0.9 } };
  runLines(run, 'loss', options);
  runLines(run, 'accuracy', options);
});
const frameEma = frame({ ...base, smoothing: { kind: 'ema', beta: 0.9 } });
const frameMovingAverage = frame({ ...base, smoothing: { kind: 'moving-average', window: 50 } });
const frameNone = frame({ ...base, smoothing: { kind: 'none' } });
const frameEpoch = frame({ ...base, granularity: 'epoch', smoothing: { kind: 'ema', beta: 0.9 } });
const drawn = runLines(run, 'loss', { ...base, smoothing: { kind: 'ema', beta: 0.9 } }).map((line) => line.points.length);

const decimateMs = time(REPEATS, () => decimateMinMax(points, 2000));
const emaMs = time(REPEATS, () => smooth(values, { kind: 'ema', beta: 0.9 }));
const movingAverageMs = time(REPEATS, () => smooth(values, { kind: 'moving-average', window: 50 }));

const rows: [string, number][] = [
  [`load from disk: ${metrics.length} metrics lines → view state`, loadMs],
  ['one live message (10 batches) → reducer', messageMs],
  ['one live update: message (10 batches) + redraw of both charts, EMA β 0.9', liveUpdateMs],
  ['one redraw, both charts, per batch, EMA β 0.9', frameEma],
  ['one redraw, both charts, per batch, moving average 50', frameMovingAverage],
  ['one redraw, both charts, per batch, no smoothing', frameNone],
  ['one redraw, both charts, per epoch', frameEpoch],
  [`  decimate ${BATCH_POINTS} points → ≤ 2000`, decimateMs],
  [`  EMA over ${BATCH_POINTS} points`, emaMs],
  [`  moving average (50) over ${BATCH_POINTS} points`, movingAverageMs],
];
console.log(`panel update cost, ${BATCH_POINTS} batch points + ${EPOCHS} epochs, median of ${REPEATS} (load: 7, message: ${REPEATS * 10})`);
for (const [label, ms] of rows) console.log(`${ms.toFixed(3).padStart(10)} ms  ${label}`);
console.log(`points drawn per loss line (raw, smoothed, validation): ${drawn.join(', ')}`);
console.log(`live updates at ≤ 10 redraws/s (100 ms throttle) use ${(liveUpdateMs / 100 * 100).toFixed(1)} % of the page's time`);

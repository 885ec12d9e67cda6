import { strict as assert } from 'node:assert';
import { decimateMinMax, type Point } from '../../webview/src/logic/decimate';
import { IncrementalSmoother, smooth } from '../../webview/src/logic/smooth';

function close(actual: readonly number[], expected: readonly number[], tolerance = 1e-9): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((value, i) => assert.ok(Math.abs(value - expected[i]) <= tolerance, `index ${i}: ${value} ≠ ${expected[i]}`));
}

describe('decimateMinMax', () => {
  it('returns short series unchanged', () => {
    const points = [{ x: 0, y: 1 }, { x: 1, y: 2 }, { x: 2, y: 0 }];
    assert.deepEqual(decimateMinMax(points, 2000), points);
  });

  it('keeps the minimum and maximum of each bucket, in order, plus both ends', () => {
    // 10 points, limit 6 → 2 buckets over the 8 inner points: [1..4] and [5..8].
    const ys = [5, 3, 9, 1, 4, 2, 8, 7, 0, 6];
    const points = ys.map((y, x) => ({ x, y }));
    const out = decimateMinMax(points, 6);
    // Bucket 1 (x 1–4: 3, 9, 1, 4): max 9 at x 2 before min 1 at x 3. Bucket 2 (x 5–8: 2, 8, 7, 0): max 8 at x 6, min 0 at x 8.
    assert.deepEqual(out.map((p) => p.x), [0, 2, 3, 6, 8, 9]);
  });

  it('draws a 100k-point series with at most 2000 points and keeps its spikes', () => {
    const points: Point[] = [];
    for (let i = 0; i < 100_000; i++) points.push({ x: i, y: Math.sin(i / 500) + (i % 7) * 0.01 });
    points[31_337].y = 50;
    points[77_001].y = -50;
    const out = decimateMinMax(points, 2000);
    assert.ok(out.length <= 2000, `${out.length} points`);
    assert.ok(out.length >= 1900);
    assert.ok(out.some((p) => p.x === 31_337 && p.y === 50));
    assert.ok(out.some((p) => p.x === 77_001 && p.y === -50));
    assert.equal(out[0].x, 0);
    assert.equal(out[out.length - 1].x, 99_999);
    for (let i = 1; i < out.length; i++) assert.ok(out[i].x > out[i - 1].x);
  });

  it('skips NaN values inside buckets', () => {
    const points = [0, NaN, NaN, 3, NaN, 5, 6, NaN, 1, 2].map((y, x) => ({ x, y }));
    const out = decimateMinMax(points, 4);
    // One bucket over x 1–8: min 1 at x 8, max 6 at x 6.
    assert.deepEqual(out.map((p) => p.x), [0, 6, 8, 9]);
  });
});

describe('smoothing', () => {
  it('moving average over a trailing window, shorter at the start', () => {
    close(smooth([1, 2, 3, 4, 10], { kind: 'moving-average', window: 2 }), [1, 1.5, 2.5, 3.5, 7]);
    close(smooth([2, 4, 6, 8], { kind: 'moving-average', window: 3 }), [2, 3, 4, 6]);
  });

  it('moving average leaves NaN out of the window', () => {
    const out = smooth([1, NaN, 3, 5], { kind: 'moving-average', window: 2 });
    assert.ok(Number.isNaN(out[1]));
    // Window of 2 at index 2 holds indices 1–2; only 3 is finite.
    close([out[0], out[2], out[3]], [1, 3, 4]);
  });

  it('EMA with bias correction matches hand-worked values', () => {
    // β = 0.5, x = 1, 2, 3:
    // s1 = 0.5·0 + 0.5·1 = 0.5      → 0.5 / (1 − 0.5)   = 1
    // s2 = 0.5·0.5 + 0.5·2 = 1.25   → 1.25 / (1 − 0.25) = 1.6666…
    // s3 = 0.5·1.25 + 0.5·3 = 2.125 → 2.125 / (1 − 0.125) = 2.428571…
    close(smooth([1, 2, 3], { kind: 'ema', beta: 0.5 }), [1, 5 / 3, 17 / 7]);
    // β = 0.9, x = 10, 0: s1 = 1 → 1/0.1 = 10; s2 = 0.9 → 0.9/0.19 = 4.7368…
    close(smooth([10, 0], { kind: 'ema', beta: 0.9 }), [10, 0.9 / 0.19]);
  });

  it('EMA of a constant stays at the constant from the first step (no start-up bias)', () => {
    close(smooth([0.7, 0.7, 0.7, 0.7], { kind: 'ema', beta: 0.99 }), [0.7, 0.7, 0.7, 0.7], 1e-12);
  });

  it('smooth() dispatches on the kind, and none copies', () => {
    const values = [3, 1, 2];
    const copy = smooth(values, { kind: 'none' });
    assert.deepEqual(copy, values);
    assert.notEqual(copy, values);
    close(smooth(values, { kind: 'moving-average', window: 3 }), [3, 2, 2]);
    close(smooth(values, { kind: 'ema', beta: 0 }), values);
  });
});

describe('IncrementalSmoother', () => {
  const values = [3, 1, NaN, 4, 1, 5, 9, 2, 6, 5];
  const points = values.map((y, x) => ({ x, y }));
  const same = (a: readonly number[], b: readonly number[]): void =>
    a.forEach((value, i) => assert.ok(Object.is(value, b[i]) || Math.abs(value - b[i]) < 1e-12, `index ${i}: ${value} ≠ ${b[i]}`));

  for (const smoothing of [{ kind: 'ema', beta: 0.8 }, { kind: 'moving-average', window: 3 }, { kind: 'none' }] as const) {
    it(`extends a growing series exactly as smoothing it whole (${smoothing.kind})`, () => {
      const smoother = new IncrementalSmoother();
      const grown: { x: number; y: number }[] = [];
      for (const point of points) {
        grown.push(point);
        smoother.update(grown, smoothing);
      }
      const result = smoother.update(grown, smoothing);
      assert.deepEqual(result.map((p) => p.x), points.map((p) => p.x));
      same(result.map((p) => p.y), smooth(values, smoothing));
    });
  }

  it('starts over when the smoothing changes', () => {
    const smoother = new IncrementalSmoother();
    smoother.update(points, { kind: 'ema', beta: 0.5 });
    same(smoother.update(points, { kind: 'moving-average', window: 2 }).map((p) => p.y), smooth(values, { kind: 'moving-average', window: 2 }));
  });
});

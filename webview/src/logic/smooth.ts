// Smoothing of noisy per-batch curves. Non-finite values (a NaN loss) pass through as they are
// and do not enter the running state, so one bad batch does not poison the rest of the curve.

export type Smoothing =
  | { kind: 'none' }
  /** Trailing mean of the last `window` values (fewer at the start). */
  | { kind: 'moving-average'; window: number }
  /** Exponential moving average with start-up bias correction (as Adam and TensorBoard do). */
  | { kind: 'ema'; beta: number };

export function smooth(values: readonly number[], smoothing: Smoothing): number[] {
  switch (smoothing.kind) {
    case 'none':
      return values.slice();
    case 'moving-average':
      return movingAverage(values, smoothing.window);
    case 'ema':
      return emaDebiased(values, smoothing.beta);
  }
}

export function movingAverage(values: readonly number[], window: number): number[] {
  const size = Math.max(1, Math.floor(window));
  const out = new Array<number>(values.length);
  let sum = 0;
  let count = 0;
  // Indices of the finite values inside the window, so a NaN never enters the sum.
  const inWindow: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (Number.isFinite(value)) {
      inWindow.push(i);
      sum += value;
      count += 1;
    }
    while (inWindow.length > 0 && inWindow[0] <= i - size) {
      sum -= values[inWindow.shift() as number];
      count -= 1;
    }
    out[i] = Number.isFinite(value) && count > 0 ? sum / count : value;
  }
  return out;
}

/**
 * s_t = β·s_{t−1} + (1−β)·x_t with s_0 = 0, shown as s_t / (1 − β^t): without the division the
 * curve would start near zero and creep up, which reads as a fake improvement in the first steps.
 */
export function emaDebiased(values: readonly number[], beta: number): number[] {
  const b = Math.min(Math.max(beta, 0), 0.9999);
  const out = new Array<number>(values.length);
  let state = 0;
  let betaPower = 1;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (!Number.isFinite(value)) {
      out[i] = value;
      continue;
    }
    state = b * state + (1 - b) * value;
    betaPower *= b;
    out[i] = state / (1 - betaPower);
  }
  return out;
}

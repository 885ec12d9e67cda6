// Smoothing of noisy per-batch curves. Non-finite values (a NaN loss) pass through as they are
// and do not enter the running state, so one bad batch does not poison the rest of the curve.

export type Smoothing =
  | { kind: 'none' }
  /** Trailing mean of the last `window` values (fewer at the start). */
  | { kind: 'moving-average'; window: number }
  /** Exponential moving average with start-up bias correction (as Adam and TensorBoard do). */
  | { kind: 'ema'; beta: number };

/** Smooths a whole series at once (the same numbers the incremental smoother gives as it grows). */
export function smooth(values: readonly number[], smoothing: Smoothing): number[] {
  return new IncrementalSmoother().update(values.map((y, x) => ({ x, y })), smoothing).map((point) => point.y);
}

function sameSmoothing(a: Smoothing, b: Smoothing): boolean {
  if (a.kind === 'ema' && b.kind === 'ema') return a.beta === b.beta;
  if (a.kind === 'moving-average' && b.kind === 'moving-average') return Math.floor(a.window) === Math.floor(b.window);
  return a.kind === b.kind;
}

/**
 * Smooths a series that only grows, continuing from where the previous call stopped: a live run
 * redraws several times a second, and re-smoothing 100k points each time would dominate the page.
 * Gives exactly what `smooth` gives on the whole series (see the tests).
 */
export class IncrementalSmoother {
  private smoothing: Smoothing = { kind: 'none' };
  private readonly out: { x: number; y: number }[] = [];
  private emaState = 0;
  private betaPower = 1;
  private windowSum = 0;
  private windowCount = 0;

  update(raw: readonly { x: number; y: number }[], smoothing: Smoothing): readonly { x: number; y: number }[] {
    if (!sameSmoothing(smoothing, this.smoothing) || raw.length < this.out.length) this.reset(smoothing);
    for (let i = this.out.length; i < raw.length; i++) this.out.push({ x: raw[i].x, y: this.next(raw, i) });
    return this.out;
  }

  private reset(smoothing: Smoothing): void {
    this.smoothing = smoothing;
    this.out.length = 0;
    this.emaState = 0;
    this.betaPower = 1;
    this.windowSum = 0;
    this.windowCount = 0;
  }

  private next(raw: readonly { y: number }[], i: number): number {
    const value = raw[i].y;
    const smoothing = this.smoothing;
    switch (smoothing.kind) {
      case 'none':
        return value;
      case 'ema': {
        // s_t = β·s_{t−1} + (1−β)·x_t with s_0 = 0, shown as s_t / (1 − β^t): without the division
        // the curve would start near zero and creep up, which reads as a fake improvement.
        if (!Number.isFinite(value)) return value;
        const b = Math.min(Math.max(smoothing.beta, 0), 0.9999);
        this.emaState = b * this.emaState + (1 - b) * value;
        this.betaPower *= b;
        return this.emaState / (1 - this.betaPower);
      }
      case 'moving-average': {
        // Sum and count of the finite values among indices (i − size, i].
        const size = Math.max(1, Math.floor(smoothing.window));
        if (Number.isFinite(value)) {
          this.windowSum += value;
          this.windowCount += 1;
        }
        const leaving = i - size >= 0 ? raw[i - size].y : NaN;
        if (Number.isFinite(leaving)) {
          this.windowSum -= leaving;
          this.windowCount -= 1;
        }
        return Number.isFinite(value) && this.windowCount > 0 ? this.windowSum / this.windowCount : value;
      }
    }
  }
}

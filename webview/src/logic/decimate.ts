// Min/max-per-bucket decimation: a 100k-point series drawn as every point would cost the
// canvas far more than the screen can show. Keeping each bucket's lowest and highest point
// (in their original order) preserves spikes and the visual envelope, which an average
// or a stride would hide; the first and last points are always kept so the line spans the run.

export interface Point {
  x: number;
  y: number;
}

/** Returns at most `maxPoints` points (≥ 4) of `points`, keeping each bucket's extremes. */
export function decimateMinMax(points: readonly Point[], maxPoints: number): Point[] {
  const limit = Math.max(4, Math.floor(maxPoints));
  if (points.length <= limit) return points.slice();
  const inner = points.length - 2;
  // Two points per bucket, plus the first and the last point.
  const buckets = Math.floor((limit - 2) / 2);
  const out: Point[] = [points[0]];
  for (let bucket = 0; bucket < buckets; bucket++) {
    const start = 1 + Math.floor((bucket * inner) / buckets);
    const end = 1 + Math.floor(((bucket + 1) * inner) / buckets);
    let minIndex = -1;
    let maxIndex = -1;
    for (let i = start; i < end; i++) {
      const y = points[i].y;
      if (!Number.isFinite(y)) continue;
      if (minIndex < 0 || y < points[minIndex].y) minIndex = i;
      if (maxIndex < 0 || y > points[maxIndex].y) maxIndex = i;
    }
    if (minIndex < 0) continue;
    if (minIndex === maxIndex) out.push(points[minIndex]);
    else if (minIndex < maxIndex) out.push(points[minIndex], points[maxIndex]);
    else out.push(points[maxIndex], points[minIndex]);
  }
  out.push(points[points.length - 1]);
  return out;
}

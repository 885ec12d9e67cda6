// The one seeded random number generator of CNN Lab: training, the generated datasets and the
// tests all draw from it, so that a seed names the same numbers everywhere.

/** mulberry32: tiny, fast and reproducible across platforms, unlike Math.random. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

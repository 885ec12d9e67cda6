// Units shared by the editor (lenses, hovers, the summary view) and the training panel, so a
// number reads the same everywhere: `2.1 MFLOPs` (SI prefixes, lower-case k for kilo) and
// `636.93 KB` (powers of 1024, two decimals, as Keras's model.summary() prints memory).
// No imports: the webview bundles this file as it is.

const byteUnits = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

/**
 * Memory size the way Keras's summary prints it (`636.93 KB`): powers of 1024, two decimals.
 * Integer arithmetic reproduces Python's `{:.2f}`, which rounds exact ties to even
 * (1,152 bytes is `1.12 KB` there, where JavaScript's `toFixed` would say `1.13`).
 */
export function formatBytes(bytes: number): string {
  const whole = BigInt(Math.max(0, Math.round(bytes)));
  let unitIndex = 0;
  let divisor = 1n;
  while (unitIndex < byteUnits.length - 1 && whole >= divisor * 1024n) {
    divisor *= 1024n;
    unitIndex += 1;
  }
  const scaled = whole * 100n;
  let hundredths = scaled / divisor;
  const twiceRemainder = (scaled % divisor) * 2n;
  if (twiceRemainder > divisor || (twiceRemainder === divisor && hundredths % 2n === 1n)) {
    hundredths += 1n;
  }
  const integerPart = hundredths / 100n;
  const fraction = String(hundredths % 100n).padStart(2, '0');
  return `${integerPart}.${fraction} ${byteUnits[unitIndex]}`;
}

/** SI prefixes, as TensorFlow's profiler prints them: lower-case `k` for kilo (`43.3 kFLOPs`). */
export const flopPrefixes = ['', 'k', 'M', 'G', 'T', 'P'] as const;

/** FLOPs with an SI prefix and one decimal (`2.1 MFLOPs`); exact below a thousand (`640 FLOPs`). */
export function formatFlops(flops: number): string {
  if (flops < 1000) return `${String(Math.round(flops))} FLOPs`;
  let prefixIndex = 0;
  let value = flops;
  // Compare the rounded value, so 999,960 reads `1.0 MFLOPs` rather than `1000.0 kFLOPs`.
  while (prefixIndex < flopPrefixes.length - 1 && Number(value.toFixed(1)) >= 1000) {
    value /= 1000;
    prefixIndex += 1;
  }
  return `${value.toFixed(1)} ${flopPrefixes[prefixIndex]}FLOPs`;
}

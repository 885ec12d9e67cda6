// What the trainer child prints that is known to be harmless, and the filter that keeps it out of
// the CNN Lab output channel. Everything else — real warnings and errors — goes through unchanged.
// No `vscode` import, so it is unit-tested with plain mocha.

export interface NoisePattern {
  /** What the message is, for tests and for whoever extends this list. */
  name: string;
  /** A line of the message; matched against the line without its trailing whitespace. */
  line: RegExp;
  /** Lines that frame the message (a banner's `=====` rules): dropped only right before and right after a matching line. */
  framedBy?: RegExp;
}

/** Known noise, one entry per message. Add here; nothing else needs to change. */
export const trainerOutputNoise: readonly NoisePattern[] = [
  {
    // tfjs-backend-cpu's console.warn on first use in Node, framed by two lines of `=`.
    name: 'tfjs "running in Node.js" banner',
    line: /^Hi, looks like you are running TensorFlow\.js in Node\.js\. To speed things up dramatically, install our node backend/,
    framedBy: /^=+$/,
  },
  {
    // Dawn (the webgpu package) on every adapter request: `Warning: maxDynamicUniformBuffersPerPipelineLayout
    // artificially reduced from 1000000 to 16 to fit dynamic offset allocation limit.`
    name: 'Dawn "artificially reduced" limit warning',
    line: /\bmaxDynamic(?:Uniform|Storage)BuffersPerPipelineLayout artificially reduced from \d+ to \d+ to fit dynamic offset allocation limit\b/,
  },
];

/** Whether one line (on its own) is a known noise line. */
export function isNoiseLine(line: string, patterns: readonly NoisePattern[] = trainerOutputNoise): boolean {
  const text = line.trimEnd();
  return patterns.some((pattern) => pattern.line.test(text));
}

/**
 * Turns a child's output chunks into lines and passes on the ones that are not known noise.
 * Chunks may split lines anywhere; a possible banner rule is held back until the next line shows
 * whether it frames noise. Call `end()` when the stream ends, to pass on what is still held.
 */
export class NoiseFilter {
  private partial = '';
  /** A framing line held back, and the patterns whose message it might open. */
  private held: { line: string; patterns: NoisePattern[] } | undefined;
  /** After a framed noise line: the closing rule to drop if it comes next. */
  private closing: RegExp | undefined;
  /** Lines dropped so far. */
  dropped = 0;

  constructor(
    private readonly emit: (line: string) => void,
    private readonly patterns: readonly NoisePattern[] = trainerOutputNoise,
  ) {}

  write(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.line(line.replace(/\r$/, ''));
  }

  end(): void {
    if (this.partial !== '') this.line(this.partial.replace(/\r$/, ''));
    this.partial = '';
    this.release();
    this.closing = undefined;
  }

  private line(raw: string): void {
    const text = raw.trimEnd();
    if (text.trim() === '') return; // Blank lines carry nothing (the banner starts with one).
    const closing = this.closing;
    this.closing = undefined;
    if (closing?.test(text)) {
      this.dropped += 1;
      return;
    }
    const noise = this.patterns.find((pattern) => pattern.line.test(text));
    if (noise) {
      if (this.held && noise.framedBy && this.held.patterns.includes(noise)) {
        this.held = undefined;
        this.dropped += 1;
      } else {
        this.release();
      }
      this.dropped += 1;
      this.closing = noise.framedBy;
      return;
    }
    this.release();
    const opens = this.patterns.filter((pattern) => pattern.framedBy?.test(text));
    if (opens.length > 0) this.held = { line: raw, patterns: opens };
    else this.emit(raw);
  }

  private release(): void {
    if (this.held) this.emit(this.held.line);
    this.held = undefined;
  }
}

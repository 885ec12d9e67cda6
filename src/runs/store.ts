// Runs on disk: `.cnnlab/runs/<run-id>/` with run.json, metrics.jsonl, model/ and summary.txt.
// Pure Node (no vscode, no tfjs): the trainer writes through RunWriter, the extension and the CLI read.
// Every write leaves a readable run whatever moment the writer dies at: run.json is replaced
// atomically (temp file + rename), metrics.jsonl only grows, and a torn last line is ignored on read.
//
// Run folders come from anywhere (a cloned repository may carry a `.cnnlab` folder), so:
// - a run IS its folder: its id is the folder's name, never the `id` written inside run.json
//   (a copied folder is a second run, and `"id": "../.."` names nothing);
// - run folders, run.json and metrics.jsonl that are symbolic links are not followed: such a run is
//   listed as unreadable, with why, and nothing is ever written through a link;
// - one bad run is one unreadable row (`scanRuns`), never an empty list.
import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, appendFileSync, type Stats } from 'node:fs';
import { constants as fsConstants } from 'node:fs';
import { lstat, open, readdir, readFile, readlink, realpath, rm, unlink } from 'node:fs/promises';
import { basename, dirname, join, relative, isAbsolute, sep } from 'node:path';
import type { Logs, MetricsLine, RunRecord, RunStatus } from './format';

export const RUN_FILE = 'run.json';
export const METRICS_FILE = 'metrics.jsonl';
export const SUMMARY_FILE = 'summary.txt';
export const MODEL_DIR = 'model';

/** Larger than any run.json CNN Lab writes (the model source snapshot is the big part). */
const MAX_RUN_FILE_BYTES = 64 * 1024 * 1024;
/** A temporary file older than this is left over from a killed writer, whatever its pid says. */
const STALE_TEMPORARY_MS = 10 * 60 * 1000;
/**
 * A temporary file younger than this is never removed, even when its writer's pid looks dead: a
 * writer in another pid namespace (a container sharing the folder) is invisible here.
 */
const FRESH_TEMPORARY_MS = 30 * 1000;

/** `<base>/.cnnlab/runs`: the workspace folder for the extension, the current folder for the CLI. */
export function runsDirFor(baseDir: string): string {
  return join(baseDir, '.cnnlab', 'runs');
}

/**
 * `20261122-054820-123-shapes-cnn-k3f9`: sorts by start time as plain text, stays readable in a
 * file explorer, and the random tail keeps two runs started in the same millisecond apart.
 */
export function createRunId(modelName: string, now: Date = new Date()): string {
  const pad = (value: number, width = 2): string => String(value).padStart(width, '0');
  const stamp =
    `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}` +
    `-${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}-${pad(now.getUTCMilliseconds(), 3)}`;
  const slug =
    modelName
      .toLowerCase()
      .replace(/\.model\.(json|ts)$/, '')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'model';
  const tail = Math.floor(Math.random() * 36 ** 4)
    .toString(36)
    .padStart(4, '0');
  return `${stamp}-${slug}-${tail}`;
}

/**
 * Whether `id` can name a run folder: one plain path segment (no separators, not `.` or `..`, no
 * control characters or characters Windows forbids in names). Run ids are folder names.
 */
export function isPlainRunId(id: unknown): id is string {
  return (
    typeof id === 'string' &&
    id.length > 0 &&
    id.length <= 255 &&
    id !== '.' &&
    id !== '..' &&
    id.trim() === id &&
    // eslint-disable-next-line no-control-regex
    !/[/\\:*?"<>|\u0000-\u001f\u007f]/.test(id)
  );
}

function assertPlainRunId(id: unknown, where: string): asserts id is string {
  if (!isPlainRunId(id)) {
    throw new Error(`${JSON.stringify(id)} (${where}) is not a run id: a run id is the name of one folder under .cnnlab/runs, without "/", "\\" or "..". Pick the run from the Runs view, or give the folder's name.`);
  }
}

/** Whether `child` is `parent` itself or lies below it (both already resolved). */
export function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && rel.split(sep)[0] !== '..');
}

/** The run folder for an id or a path the user typed (CLI `--resume`). Refuses `.`, `..` and other non-ids. */
export function runDirFor(runsDir: string, idOrPath: string): string {
  if (idOrPath.includes('/') || idOrPath.includes('\\')) return idOrPath;
  assertPlainRunId(idOrPath, 'the run to resume');
  return join(runsDir, idOrPath);
}

function temporaryName(path: string): string {
  return `${path}.${process.pid}.${Math.floor(Math.random() * 36 ** 6).toString(36)}.tmp`;
}

/** Matches only the temporary files CNN Lab's writers make: `<name>.<pid>.tmp` and `<name>.<pid>.<random>.tmp`. */
const TEMPORARY_FILE = /^[^/\\]+\.(\d{1,10})(?:\.[0-9a-z]{1,12})?\.tmp$/;

/** Replaces `path` in one rename, through a new temporary file that cannot be a planted link. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const temporary = temporaryName(path);
  // 'wx' = O_CREAT|O_EXCL: never opens (or follows) something already there, such as a planted link.
  const fd = openSync(temporary, 'wx');
  try {
    try {
      writeFileSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // already renamed or never created
    }
    throw error;
  }
}

function writeRecordFile(runDir: string, record: RunRecord): void {
  writeFileAtomic(join(runDir, RUN_FILE), `${JSON.stringify(record, null, 2)}\n`);
}

/** Writes one run as it goes. Synchronous on purpose: a line written is on disk before training continues. */
export class RunWriter {
  private current: RunRecord;
  /**
   * While the run is `running` the writer keeps its run folder open, so that another process can
   * prove this process is the run's trainer (Linux: /proc/<pid>/fd) before it signals it, instead
   * of trusting a pid read from a file. See src/runs/trainerProcess.ts.
   */
  private folderHandle: number | undefined;

  private constructor(
    readonly runDir: string,
    record: RunRecord,
  ) {
    this.current = record;
  }

  /** Creates `<runsDir>/<record.id>/` and its run.json; fails if that run folder already exists. */
  static create(runsDir: string, record: RunRecord): RunWriter {
    assertPlainRunId(record.id, 'the id of a new run');
    mkdirSync(runsDir, { recursive: true });
    const runDir = join(runsDir, record.id);
    mkdirSync(runDir);
    const writer = new RunWriter(runDir, record);
    writer.holdFolder();
    writeRecordFile(runDir, record);
    return writer;
  }

  get record(): RunRecord {
    return this.current;
  }

  get modelDir(): string {
    return join(this.runDir, MODEL_DIR);
  }

  /**
   * Merges `patch` into run.json and replaces the file atomically. The name and tags are the user's,
   * given from the Runs view while the run trains: they are taken from the file as it is now, so
   * that a rename is never undone by the trainer's next write.
   */
  update(patch: Partial<RunRecord>): RunRecord {
    this.current = { ...withUserNaming(this.runDir, this.current), ...patch };
    writeRecordFile(this.runDir, this.current);
    if (this.current.status !== 'running') this.releaseFolder();
    return this.current;
  }

  appendMetrics(line: MetricsLine): void {
    appendFileSync(join(this.runDir, METRICS_FILE), `${JSON.stringify(line)}\n`, { flush: true });
  }

  /** Starts metrics.jsonl with the curve of the run this one resumes, so the new run shows the whole history. */
  appendMetricsHistory(lines: MetricsLine[]): void {
    if (lines.length === 0) return;
    appendFileSync(join(this.runDir, METRICS_FILE), lines.map((line) => `${JSON.stringify(line)}\n`).join(''), { flush: true });
  }

  writeSummary(text: string): void {
    writeFileAtomic(join(this.runDir, SUMMARY_FILE), text.endsWith('\n') ? text : `${text}\n`);
  }

  private holdFolder(): void {
    if (process.platform !== 'linux' || this.current.pid !== process.pid) return;
    try {
      this.folderHandle = openSync(this.runDir, 'r');
    } catch {
      // Without the handle, Stop from another window refuses; training is not affected.
    }
  }

  private releaseFolder(): void {
    if (this.folderHandle === undefined) return;
    try {
      closeSync(this.folderHandle);
    } catch {
      // already closed
    }
    this.folderHandle = undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Reading

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/**
 * run.json of `runDir` as it is at this instant, read synchronously (so that a write can follow in
 * the same step), not checked; undefined when it cannot be read. Never a link, never larger than a
 * run.json.
 */
function recordNow(runDir: string): Record<string, unknown> | undefined {
  let handle: number | undefined;
  try {
    handle = openSync(join(runDir, RUN_FILE), fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0));
    const info = fstatSync(handle);
    if (!info.isFile() || info.size > MAX_RUN_FILE_BYTES) return undefined;
    const parsed: unknown = JSON.parse(readFileSync(handle, 'utf8'));
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  } finally {
    if (handle !== undefined) closeSync(handle);
  }
}

/** `record` with the label and tags that `runDir`'s run.json holds now; `record` itself when the file cannot be read. */
function withUserNaming(runDir: string, record: RunRecord): RunRecord {
  const onDisk = recordNow(runDir);
  if (!onDisk) return record;
  const named: RunRecord = { ...record };
  delete named.label;
  delete named.tags;
  if (typeof onDisk.label === 'string') named.label = onDisk.label;
  if (Array.isArray(onDisk.tags) && onDisk.tags.every((tag) => typeof tag === 'string')) named.tags = onDisk.tags as string[];
  return named;
}

/** A line longer than this is not one CNN Lab wrote (an epoch line is a few hundred bytes): skipped unread. */
export const MAX_METRICS_LINE_BYTES = 1024 * 1024;
/** Bytes read (and parsed) at a time; the event loop runs between two reads. */
const METRICS_CHUNK_BYTES = 64 * 1024;
/** More log values in one line than any model has metrics: the line is skipped. */
const MAX_LOGS_PER_LINE = 256;
/** Largest time a Date can hold (ms); metrics times are ms since the epoch, or seconds. */
const MAX_TIME = 8.64e15;

const KNOWN_LINE_FIELDS = new Set(['kind', 'epoch', 'batch', 'step', 'logs', 'time']);
const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/**
 * The metrics line in `value`, rebuilt from the fields CNN Lab writes, or undefined when it is not
 * one: not an object, an unknown kind, an epoch/batch/step that is not a whole number ≥ 0, a time
 * that is not a number a date can hold (`1e300`, `"soon"`), logs that are not an object of numbers.
 * A `null` log value is what JSON makes of NaN and Infinity: that value is left out, the line kept.
 */
export function toMetricsLine(value: unknown): MetricsLine | undefined {
  if (!isObject(value) || !isObject(value.logs) || !isCount(value.epoch)) return undefined;
  const time = value.time;
  if (typeof time !== 'number' || !Number.isFinite(time) || time < 0 || time > MAX_TIME) return undefined;
  const entries = Object.entries(value.logs);
  if (entries.length > MAX_LOGS_PER_LINE) return undefined;
  const logs: [string, number][] = [];
  for (const [name, logValue] of entries) {
    if (logValue === null) continue;
    if (typeof logValue !== 'number' || !Number.isFinite(logValue)) return undefined;
    logs.push([name, logValue]);
  }
  // fromEntries defines own properties: a "__proto__" log name stays a plain name.
  const cleanLogs = Object.fromEntries(logs) as Logs;
  // Other fields are kept when they are numbers (a newer trainer may add one, such as `seen`); anything else is dropped.
  const extra = Object.fromEntries(Object.entries(value).filter(([key, field]) => !KNOWN_LINE_FIELDS.has(key) && typeof field === 'number' && Number.isFinite(field)).slice(0, 16));
  if (value.kind === 'epoch') return { ...extra, kind: 'epoch', epoch: value.epoch, logs: cleanLogs, time };
  if (value.kind === 'batch' && isCount(value.batch) && isCount(value.step)) {
    return { ...extra, kind: 'batch', epoch: value.epoch, batch: value.batch, step: value.step, logs: cleanLogs, time };
  }
  return undefined;
}

/** What reading a metrics.jsonl found. */
export interface MetricsCount {
  /** Metrics lines read. */
  lines: number;
  /** Lines skipped because they are not metrics lines CNN Lab can use (see `toMetricsLine`, `MAX_METRICS_LINE_BYTES`). */
  skipped: number;
}

export interface MetricsStreamOptions {
  /** Longest line read; longer ones are skipped without being held in memory. */
  maxLineBytes?: number;
  /** Bytes read at a time. */
  chunkBytes?: number;
  /** Called after each chunk's lines were visited (an exporter writes what it gathered). */
  afterChunk?: () => Promise<void>;
}

/**
 * Streams metrics.jsonl at `path` line by line, calling `visit` with every metrics line, and counts
 * the lines skipped. Never holds more than one chunk and one line in memory, whatever the size of
 * the file (a 1.25 GB file cannot be one string), and awaits a read between chunks, so the
 * extension host keeps running. A last line without its newline that does not parse is the line
 * being written (or torn by a kill): ignored, not counted. The file is opened without following a
 * link (where the platform can say so).
 */
export async function streamMetricsFile(path: string, visit: (line: MetricsLine) => void, options: MetricsStreamOptions = {}): Promise<MetricsCount> {
  const maxLineBytes = options.maxLineBytes ?? MAX_METRICS_LINE_BYTES;
  const chunkBytes = Math.max(1, options.chunkBytes ?? METRICS_CHUNK_BYTES);
  const count: MetricsCount = { lines: 0, skipped: 0 };
  const handle = await open(path, fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0));
  try {
    const buffer = Buffer.allocUnsafe(chunkBytes);
    /** The start of the current line, from earlier chunks. */
    let pieces: Buffer[] = [];
    let pieceBytes = 0;
    /** The current line is longer than `maxLineBytes`: skip to its end. */
    let overlong = false;
    const takeLine = (bytes: Buffer | undefined, last: boolean): void => {
      if (overlong) {
        overlong = false;
        count.skipped += 1;
        return;
      }
      const whole = pieces.length === 0 ? (bytes ?? Buffer.alloc(0)) : Buffer.concat(bytes ? [...pieces, bytes] : pieces);
      pieces = [];
      pieceBytes = 0;
      const text = whole.toString('utf8');
      if (text.trim() === '') return;
      let line: MetricsLine | undefined;
      try {
        line = toMetricsLine(JSON.parse(text));
      } catch {
        line = undefined;
      }
      if (line) {
        count.lines += 1;
        visit(line);
      } else if (!last) {
        count.skipped += 1;
      }
    };
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, chunkBytes, null);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      let from = 0;
      while (from < bytesRead) {
        const newline = chunk.indexOf(10, from);
        const end = newline === -1 ? bytesRead : newline;
        if (!overlong) {
          if (pieceBytes + (end - from) > maxLineBytes) {
            overlong = true;
            pieces = [];
            pieceBytes = 0;
          } else if (newline === -1) {
            // Copied: the buffer is reused for the next chunk.
            pieces.push(Buffer.from(chunk.subarray(from, end)));
            pieceBytes += end - from;
          }
        }
        if (newline === -1) break;
        takeLine(overlong ? undefined : chunk.subarray(from, end), false);
        from = newline + 1;
      }
      if (options.afterChunk) await options.afterChunk();
    }
    if (overlong || pieceBytes > 0) takeLine(undefined, true);
    if (options.afterChunk) await options.afterChunk();
  } finally {
    await handle.close();
  }
  return count;
}

/**
 * Keeps a bounded, evenly spread sample of a stream of metrics lines: at most about `limit` batch
 * lines and `limit` epoch lines (every line while there are fewer; then every 2nd, 4th… — the
 * stride doubles each time the sample fills), always the first and the last of each kind, and with
 * each kept epoch line the batch line just before it (where the panel places the epoch on the
 * step axis). Lines come out in file order.
 */
class MetricsSample {
  private readonly batches = new Thinned<{ seq: number; line: MetricsLine }>();
  private readonly epochs = new Thinned<{ seq: number; line: MetricsLine; before?: { seq: number; line: MetricsLine } }>();
  private seq = 0;
  private previousBatch: { seq: number; line: MetricsLine } | undefined;
  private lastBatch: { seq: number; line: MetricsLine } | undefined;

  constructor(private readonly limit: number) {}

  add(line: MetricsLine): void {
    const item = { seq: this.seq++, line };
    if (line.kind === 'batch') {
      this.batches.add(item, this.limit);
      this.previousBatch = item;
      this.lastBatch = item;
    } else {
      this.epochs.add({ ...item, before: this.previousBatch }, this.limit);
      this.previousBatch = undefined;
    }
  }

  get thinned(): boolean {
    return this.batches.stride > 1 || this.epochs.stride > 1;
  }

  lines(): MetricsLine[] {
    const bySeq = new Map<number, MetricsLine>();
    for (const item of this.batches.items()) bySeq.set(item.seq, item.line);
    if (this.lastBatch) bySeq.set(this.lastBatch.seq, this.lastBatch.line);
    for (const item of this.epochs.items()) {
      bySeq.set(item.seq, item.line);
      if (item.before) bySeq.set(item.before.seq, item.before.line);
    }
    return [...bySeq.entries()].sort((a, b) => a[0] - b[0]).map(([, line]) => line);
  }
}

class Thinned<T> {
  private kept: T[] = [];
  private last: T | undefined;
  private count = 0;
  stride = 1;

  add(item: T, limit: number): void {
    if (this.count % this.stride === 0) {
      this.kept.push(item);
      if (this.kept.length > Math.max(2, limit)) {
        this.kept = this.kept.filter((_, index) => index % 2 === 0);
        this.stride *= 2;
      }
    }
    this.count += 1;
    this.last = item;
  }

  items(): T[] {
    return this.last !== undefined && this.kept.at(-1) !== this.last ? [...this.kept, this.last] : this.kept;
  }
}

/** What was read of a run's metrics.jsonl, beside the lines themselves. */
export interface MetricsInfo extends MetricsCount {
  /** Lines handed back: fewer than `lines` when the history was sampled (`maxLines`). */
  kept: number;
}

export interface ReadMetricsOptions {
  /**
   * At most about this many batch lines and as many epoch lines, evenly spread over the run (the
   * panel: a history of millions of lines is drawn from a sample). Default: every line.
   */
  maxLines?: number;
  maxLineBytes?: number;
  chunkBytes?: number;
  afterChunk?: () => Promise<void>;
}

/** "3 unreadable lines in metrics.jsonl skipped", with the sampling said too; undefined when there is nothing to say. */
export function describeMetricsInfo(info: MetricsInfo | MetricsCount): string | undefined {
  const parts: string[] = [];
  if (info.skipped > 0) parts.push(`${info.skipped.toLocaleString('en-US')} unreadable line${info.skipped === 1 ? '' : 's'} in ${METRICS_FILE} skipped`);
  if ('kept' in info && info.kept < info.lines) parts.push(`showing ${info.kept.toLocaleString('en-US')} of ${info.lines.toLocaleString('en-US')} metrics lines, evenly spread`);
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/** lstat that says ENOENT as undefined. */
async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function linkTarget(path: string): Promise<string> {
  try {
    return await readlink(path);
  } catch {
    return '?';
  }
}

/** A file of a run that must be a plain file in the folder: not a link (which could lead anywhere), not a folder. */
async function checkRunFile(path: string, what: string, maxBytes: number = MAX_RUN_FILE_BYTES): Promise<'missing' | 'file'> {
  const info = await lstatOrUndefined(path);
  if (!info) return 'missing';
  if (info.isSymbolicLink()) {
    throw new Error(`${path} is a symbolic link (to ${await linkTarget(path)}); CNN Lab reads only the ${what} a run writes itself and does not follow links. Replace the link by the file, or delete the run folder.`);
  }
  if (!info.isFile()) throw new Error(`${path} is not a file; the run cannot be shown. Delete the run folder if it is not needed.`);
  if (info.size > maxBytes) {
    throw new Error(`${path} is ${Math.round(info.size / 1024 / 1024)} MB, larger than any ${what} CNN Lab writes; the run cannot be shown. Delete the run folder if it is not needed.`);
  }
  return 'file';
}

/**
 * Streams the metrics.jsonl of the run folder `runDir` (any size: it is never read as one string)
 * to `visit`. A missing file holds no lines; a link is refused.
 */
export async function streamRunMetrics(runDir: string, visit: (line: MetricsLine) => void, options: MetricsStreamOptions = {}): Promise<MetricsCount> {
  const path = join(runDir, METRICS_FILE);
  if ((await checkRunFile(path, METRICS_FILE, Infinity)) === 'missing') return { lines: 0, skipped: 0 };
  try {
    return await streamMetricsFile(path, visit, options);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { lines: 0, skipped: 0 };
    if (code === 'ELOOP') throw new Error(`${path} is a symbolic link; CNN Lab reads only the ${METRICS_FILE} a run writes itself and does not follow links.`, { cause: error });
    throw error;
  }
}

async function readMetrics(runDir: string, options: ReadMetricsOptions = {}): Promise<{ metrics: MetricsLine[]; info: MetricsInfo }> {
  if (options.maxLines === undefined) {
    const metrics: MetricsLine[] = [];
    const count = await streamRunMetrics(runDir, (line) => metrics.push(line), options);
    return { metrics, info: { ...count, kept: metrics.length } };
  }
  const sample = new MetricsSample(options.maxLines);
  const count = await streamRunMetrics(runDir, (line) => sample.add(line), options);
  const metrics = sample.lines();
  return { metrics, info: { ...count, kept: metrics.length } };
}

const RUN_STATUSES = new Set<RunStatus>(['running', 'completed', 'stopped', 'failed', 'interrupted']);

/** What is wrong with a parsed run.json, in words; undefined when the host can show it. */
export function recordProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'it is not a JSON object';
  const wrong: string[] = [];
  const need = (key: string, ok: (field: unknown) => boolean, what: string, optional = false): void => {
    const field = value[key];
    if (field === undefined ? !optional : !ok(field)) wrong.push(`"${key}" ${field === undefined ? 'is missing' : `is not ${what}`}`);
  };
  const isString = (field: unknown): boolean => typeof field === 'string';
  const isLogs = (field: unknown): boolean => isObject(field);
  need('id', isString, 'a string');
  need('modelFile', (field) => typeof field === 'string' && field !== '', 'a file path');
  need('dataset', isString, 'a string');
  need('status', (field) => RUN_STATUSES.has(field as RunStatus), `one of ${[...RUN_STATUSES].join(', ')}`);
  need('startedAt', isString, 'a date string');
  need('epochsCompleted', isFiniteNumber, 'a number');
  need('epochsPlanned', isFiniteNumber, 'a number');
  need('label', isString, 'a string', true);
  need('tags', (field) => Array.isArray(field) && field.every(isString), 'a list of strings', true);
  need('endedAt', isString, 'a date string', true);
  need('pid', (field) => Number.isSafeInteger(field), 'a whole number', true);
  need('modelSource', isString, 'a string', true);
  need('training', isObject, 'an object', true);
  need('ir', isObject, 'an object', true);
  need('summary', isObject, 'an object', true);
  need('resumedFrom', isString, 'a string', true);
  need('initialWeights', (field) => isObject(field) && isString(field.from), 'an object with a "from" file', true);
  need('exampleLimits', (field) => isObject(field) && [field.train, field.test].every((limit) => limit === undefined || Number.isSafeInteger(limit)), 'an object with whole "train" and "test" counts', true);
  need('finalMetrics', isLogs, 'an object', true);
  need('bestMetrics', isLogs, 'an object', true);
  need('backend', (field) => isObject(field) && isString(field.name) && isString(field.device), 'an object with "name" and "device"', true);
  need('error', (field) => isObject(field) && isString(field.message) && (field.hint === undefined || isString(field.hint)), 'an object with a "message"', true);
  need(
    'evaluation',
    (field) => isObject(field) && isFiniteNumber(field.accuracy) && (field.misclassified === undefined || (Array.isArray(field.misclassified) && field.misclassified.every((item) => isObject(item) && isString(item.file)))),
    'an evaluation with an "accuracy"',
    true,
  );
  return wrong.length > 0 ? wrong.join(', ') : undefined;
}

/** run.json of the run folder `runDir`, checked; its `id` is the folder's name whatever the file says. */
async function readRecord(runDir: string): Promise<RunRecord> {
  const path = join(runDir, RUN_FILE);
  if ((await checkRunFile(path, RUN_FILE)) === 'missing') throw new Error(`${runDir} is not a CNN Lab run: it has no ${RUN_FILE}.`);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${runDir} is not a CNN Lab run: it has no ${RUN_FILE}.`, { cause: error });
    throw new Error(`${path} cannot be read (${(error as Error).message}); the run cannot be shown.`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not valid JSON (${(error as Error).message.slice(0, 200)}); the run cannot be shown. Delete the folder if it is not needed.`, { cause: error });
  }
  const problem = recordProblem(parsed);
  if (problem) throw new Error(`${path} is not a CNN Lab run record: ${problem}. Delete the run folder if it is not needed, or fix the file.`);
  return { ...(parsed as RunRecord), id: basename(runDir) };
}

/** Whether a process with this id may exist on this machine. Junk (≤ 1, fractions, non-numbers) never does. */
export function isProcessAlive(pid: unknown): boolean {
  // pid 0 and -1 address process groups and "every process"; pid 1 is init, never a trainer.
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 1) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Linux: whether process `pid` holds the run folder open, as a RunWriter does while `running`
 * (true/false), or undefined when that cannot be told (no /proc, no permission, the process is gone).
 */
export async function holdsRunFolder(pid: number, runDir: string): Promise<boolean | undefined> {
  if (process.platform !== 'linux' || !Number.isSafeInteger(pid) || pid <= 1) return undefined;
  let target: string;
  try {
    target = await realpath(runDir);
  } catch {
    return undefined;
  }
  let fds: string[];
  try {
    fds = await readdir(`/proc/${pid}/fd`);
  } catch {
    return undefined;
  }
  for (const fd of fds) {
    try {
      if ((await readlink(`/proc/${pid}/fd/${fd}`)) === target) return true;
    } catch {
      continue; // closed meanwhile
    }
  }
  return false;
}

type EpochLine = Extract<MetricsLine, { kind: 'epoch' }>;

function epochLines(metrics: MetricsLine[]): EpochLine[] {
  return metrics.filter((line): line is EpochLine => line.kind === 'epoch');
}

function isoOrUndefined(time: number): string | undefined {
  const date = new Date(time);
  return Number.isFinite(date.getTime()) ? date.toISOString() : undefined;
}

/**
 * A `running` run whose trainer is gone becomes `interrupted`, keeping every epoch that reached
 * metrics.jsonl (an epoch line is written before run.json is updated, so the metrics are the truth).
 */
function markInterrupted(record: RunRecord, metrics: MetricsLine[]): RunRecord {
  const epochs = epochLines(metrics);
  const last = epochs.at(-1);
  const lastTime = metrics.at(-1)?.time;
  const pid = Number.isSafeInteger(record.pid) ? record.pid : '?';
  const interrupted: RunRecord = {
    ...record,
    status: 'interrupted',
    epochsCompleted: Math.max(record.epochsCompleted, last ? last.epoch + 1 : 0),
    endedAt: (lastTime !== undefined ? isoOrUndefined(lastTime) : undefined) ?? record.endedAt ?? record.startedAt,
    error: record.error ?? {
      message: `The trainer process (pid ${pid}) ended without finishing the run.`,
      hint: 'Resume the run to continue from its last saved model, or start a new one.',
    },
  };
  delete interrupted.pid;
  if (last) interrupted.finalMetrics = last.logs as Logs;
  return interrupted;
}

/**
 * Whether a `running` run's trainer is still at work: its process exists and is not provably
 * someone else (Linux: a process that does not hold the run folder the way its writer does).
 */
export async function isRunLive(record: RunRecord, runDir: string): Promise<boolean> {
  if (record.status !== 'running' || record.pid === undefined || !isProcessAlive(record.pid)) return false;
  return (await holdsRunFolder(record.pid, runDir)) !== false;
}

/**
 * The record to show for `asRead`, a run.json read a moment ago: a `running` run whose trainer is
 * provably gone becomes `interrupted`, and the mark is kept on disk. A trainer writes its last
 * run.json before it lets go of the run folder, so run.json is read again once the trainer is seen
 * gone: a run that finished between the first read and the check keeps the status it finished
 * with, instead of a stale `running` overwriting it as `interrupted`.
 */
export async function recordAsItStands(runDir: string, asRead: RunRecord): Promise<RunRecord> {
  if (asRead.status !== 'running' || (await isRunLive(asRead, runDir))) return asRead;
  const now = await readRecord(runDir);
  if (now.status !== 'running' || now.pid !== asRead.pid) return now;
  // Only the last epoch line and the last time matter for the mark: a sample of one per kind keeps them.
  const interrupted = markInterrupted(now, (await readMetrics(runDir, { maxLines: 1 })).metrics);
  await persistRecord(runDir, interrupted);
  return interrupted;
}

/**
 * Persists the interrupted mark when the run folder is a real folder (not a link); a read-only
 * checkout or a run folder that changed meanwhile keeps the mark in memory only.
 */
async function persistRecord(runDir: string, record: RunRecord): Promise<void> {
  try {
    const folder = await lstat(runDir);
    if (!folder.isDirectory() || folder.isSymbolicLink()) return;
    writeRecordFile(runDir, record);
  } catch {
    // shown as interrupted all the same
  }
}

/** run.json of one run alone (no metrics read), checked; refuses a run folder that is a link. */
export async function readRunRecord(runDir: string): Promise<RunRecord> {
  await requireRunFolder(runDir);
  return readRecord(runDir);
}

async function requireRunFolder(runDir: string): Promise<void> {
  const folder = await lstatOrUndefined(runDir);
  if (!folder) throw new Error(`${runDir} does not exist; the run may have been deleted. Refresh the Runs view.`);
  if (folder.isSymbolicLink()) {
    throw new Error(`${runDir} is a symbolic link (to ${await linkTarget(runDir)}); CNN Lab does not follow links out of .cnnlab/runs. Move the run folder itself there instead.`);
  }
  if (!folder.isDirectory()) throw new Error(`${runDir} is not a run folder.`);
}

/**
 * run.json and metrics.jsonl of one run, tolerant of a torn last metrics line and of lines that are
 * not metrics lines (skipped, and counted in `metricsInfo`). Every line by default; `maxLines` reads
 * a bounded sample (the panel). Refuses a run folder that is a link.
 */
export async function readRun(runDir: string, options: ReadMetricsOptions = {}): Promise<{ record: RunRecord; metrics: MetricsLine[]; metricsInfo: MetricsInfo }> {
  await requireRunFolder(runDir);
  const record = await recordAsItStands(runDir, await readRecord(runDir));
  // Read after the record is settled: a run that ended meanwhile has written its last lines.
  const { metrics, info } = await readMetrics(runDir, options);
  return { record, metrics, metricsInfo: info };
}

/** One folder under `.cnnlab/runs`: a run that can be shown, or one that cannot, and why. */
export type RunListing = { id: string; runDir: string; record: RunRecord; problem?: undefined } | { id: string; runDir: string; record?: undefined; problem: string };

/**
 * Removes the temporary files a killed writer left in a run folder (`<name>.<pid>[.<random>].tmp`,
 * in the folder and in model/ up to two levels down). Only regular files are touched, never links
 * or folders. A file stays while it is younger than 30 s, or younger than ten minutes when its
 * writer's pid is still alive.
 */
export async function cleanTemporaryFiles(runDir: string, depth = 3): Promise<string[]> {
  const removed: string[] = [];
  let entries;
  try {
    entries = await readdir(runDir, { withFileTypes: true });
  } catch {
    return removed;
  }
  for (const entry of entries) {
    const path = join(runDir, entry.name);
    if (entry.isDirectory() && depth > 1 && (depth < 3 || entry.name === MODEL_DIR)) {
      removed.push(...(await cleanTemporaryFiles(path, depth - 1)));
      continue;
    }
    const match = TEMPORARY_FILE.exec(entry.name);
    if (!match || !entry.isFile()) continue;
    try {
      const info = await lstat(path);
      if (!info.isFile()) continue;
      const age = Date.now() - info.mtimeMs;
      const writerMayBeWriting = age < FRESH_TEMPORARY_MS || (isProcessAlive(Number(match[1])) && age < STALE_TEMPORARY_MS);
      if (writerMayBeWriting) continue;
      await unlink(path);
      removed.push(path);
    } catch {
      continue;
    }
  }
  return removed;
}

async function listOne(runsDir: string, realRunsDir: string, name: string): Promise<RunListing | undefined> {
  const runDir = join(runsDir, name);
  const unreadable = (problem: string): RunListing => ({ id: name, runDir, problem });
  try {
    const info = await lstatOrUndefined(runDir);
    if (!info) return undefined; // deleted while listing
    if (info.isSymbolicLink()) {
      return unreadable(`The run folder ${runDir} is a symbolic link (to ${await linkTarget(runDir)}); CNN Lab does not follow links in .cnnlab/runs. Remove the link, or move the run folder itself there.`);
    }
    if (!info.isDirectory()) return undefined; // a stray file, not a run
    if (!isPlainRunId(name)) return unreadable(`The folder name ${JSON.stringify(name)} cannot be a run id. Rename the folder.`);
    const real = await realpath(runDir);
    if (dirname(real) !== realRunsDir) return unreadable(`The run folder ${runDir} resolves to ${real}, outside ${realRunsDir}. Move the run folder into .cnnlab/runs.`);
    await cleanTemporaryFiles(runDir);
    if ((await lstatOrUndefined(join(runDir, RUN_FILE))) === undefined) return undefined; // being created or deleted
    const asRead = await readRecord(runDir);
    await checkRunFile(join(runDir, METRICS_FILE), METRICS_FILE, Infinity); // a run listed can be opened, whatever the size of its metrics
    return { id: name, runDir, record: await recordAsItStands(runDir, asRead) };
  } catch (error) {
    return unreadable(error instanceof Error ? error.message : String(error));
  }
}

/**
 * The entries of `dir`, the folder of `what` ("runs", "experiments"), newest first (their ids begin
 * with the time they were made); undefined when it does not exist. Throws, saying what to do, when
 * `dir` itself cannot be read.
 */
export async function listFolderNewestFirst(dir: string, what: string): Promise<string[] | undefined> {
  try {
    return (await readdir(dir)).sort().reverse();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new Error(`Cannot list ${what} in ${dir} (${code ?? (error as Error).message}). Check that it is a folder you can read, or delete it.`, { cause: error });
  }
}

/**
 * Every folder under `runsDir`, newest first (ids sort by start time): a run, or an unreadable run
 * with why. Folders without run.json (a run being created or deleted at this moment) and stray files
 * are left out. Throws only when `runsDir` itself cannot be read; a missing one holds no runs.
 */
export async function scanRuns(runsDir: string): Promise<RunListing[]> {
  const names = await listFolderNewestFirst(runsDir, 'runs');
  // A run folder must resolve to a folder directly inside the real runs folder (see listOne).
  const realRunsDir = names && (await realpath(runsDir).catch(() => undefined));
  if (!names || !realRunsDir) return []; // no runs folder, or it went away meanwhile
  const listings: RunListing[] = [];
  for (const name of names) {
    const listing = await listOne(runsDir, realRunsDir, name);
    if (listing) listings.push(listing);
  }
  return listings;
}

/** The runs under `runsDir` that can be shown, newest first (see `scanRuns` for the unreadable ones too). */
export async function listRuns(runsDir: string): Promise<RunRecord[]> {
  return (await scanRuns(runsDir)).flatMap((listing) => (listing.record ? [listing.record] : []));
}

/** Refuses to write into a run folder that is a link or not a folder. */
async function requireRealRunFolder(runDir: string): Promise<void> {
  const info = await lstatOrUndefined(runDir);
  if (!info || info.isSymbolicLink() || !info.isDirectory()) {
    throw new Error(`${runDir} is not a run folder inside .cnnlab/runs${info?.isSymbolicLink() ? ' (it is a symbolic link)' : ''}; nothing was changed.`);
  }
}

/** What the Runs view may change on a run. */
export type RunPatch = Pick<Partial<RunRecord>, 'label' | 'tags'>;

/**
 * Gives a run the user's name and tags, at any time: a trainer still writing the run keeps them (see
 * RunWriter.update). run.json is read again and replaced in one synchronous step, so that a record
 * the trainer writes meanwhile (an epoch, the end of the run) is not undone by an older one.
 */
export async function updateRun(runDir: string, patch: RunPatch): Promise<RunRecord> {
  await requireRealRunFolder(runDir);
  const checked = await readRecord(runDir);
  const now = recordNow(runDir);
  const latest = now && recordProblem(now) === undefined ? (now as unknown as RunRecord) : checked;
  const record: RunRecord = { ...latest, ...patch, id: checked.id };
  writeRecordFile(runDir, record);
  return record;
}

/** Marks a run failed from outside its writer (the trainer's last-resort error handler). */
export async function markRunFailed(runDir: string, error: { message: string; hint?: string }): Promise<RunRecord> {
  await requireRealRunFolder(runDir);
  const record: RunRecord = { ...(await readRecord(runDir)), status: 'failed', endedAt: new Date().toISOString(), error };
  delete record.pid;
  writeRecordFile(runDir, record);
  return record;
}

/**
 * Deletes the run folder `runDir`, which must be a real folder directly inside `runsDir` (after
 * resolving links) with a run.json in it. A link in place of a run folder is removed itself, never
 * what it points to.
 */
export async function deleteRun(runDir: string, runsDir: string = dirname(runDir)): Promise<void> {
  const name = basename(runDir);
  const refuse = (why: string): Error => new Error(`Refused to delete ${runDir}: ${why}. Nothing was deleted; delete it by hand if it must go.`);
  if (!isPlainRunId(name) || join(runsDir, name) !== join(runDir)) throw refuse('it is not a folder directly inside the runs folder');
  const info = await lstatOrUndefined(runDir);
  if (!info) return; // already gone
  if (info.isSymbolicLink()) {
    await unlink(runDir);
    return;
  }
  if (!info.isDirectory()) throw refuse('it is not a folder');
  let real: string;
  let realRunsDir: string;
  try {
    [real, realRunsDir] = await Promise.all([realpath(runDir), realpath(runsDir)]);
  } catch (error) {
    throw refuse(`its place on disk cannot be resolved (${(error as Error).message})`);
  }
  if (dirname(real) !== realRunsDir) throw refuse(`it resolves to ${real}, outside ${realRunsDir}`);
  if ((await lstatOrUndefined(join(runDir, RUN_FILE))) === undefined) throw new Error(`${runDir} is not a CNN Lab run: it has no ${RUN_FILE}. Nothing was deleted.`);
  await rm(real, { recursive: true, force: true });
}

/**
 * The real path of `file` (relative to the run folder, as run.json records it) when it is a
 * regular file inside the run folder after resolving links; undefined otherwise.
 */
export async function resolveRunFile(runDir: string, file: string): Promise<string | undefined> {
  try {
    const [realRun, real] = await Promise.all([realpath(runDir), realpath(join(runDir, file))]);
    if (real === realRun || !isInside(realRun, real)) return undefined;
    return (await lstat(real)).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}

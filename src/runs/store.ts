// Runs on disk: `.cnnlab/runs/<run-id>/` with run.json, metrics.jsonl, model/ and summary.txt.
// Pure Node (no vscode, no tfjs): the trainer writes through RunWriter, the extension and the CLI read.
// Every write leaves a readable run whatever moment the writer dies at: run.json is replaced
// atomically (temp file + rename), metrics.jsonl only grows, and a torn last line is ignored on read.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync, appendFileSync } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logs, MetricsLine, RunRecord } from '../protocol';

export const RUN_FILE = 'run.json';
export const METRICS_FILE = 'metrics.jsonl';
export const SUMMARY_FILE = 'summary.txt';
export const MODEL_DIR = 'model';

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

function writeFileAtomic(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}

function writeRecordFile(runDir: string, record: RunRecord): void {
  writeFileAtomic(join(runDir, RUN_FILE), `${JSON.stringify(record, null, 2)}\n`);
}

/** Writes one run as it goes. Synchronous on purpose: a line written is on disk before training continues. */
export class RunWriter {
  private current: RunRecord;

  private constructor(
    readonly runDir: string,
    record: RunRecord,
  ) {
    this.current = record;
  }

  /** Creates `<runsDir>/<record.id>/` and its run.json; fails if that run folder already exists. */
  static create(runsDir: string, record: RunRecord): RunWriter {
    mkdirSync(runsDir, { recursive: true });
    const runDir = join(runsDir, record.id);
    mkdirSync(runDir);
    const writer = new RunWriter(runDir, record);
    writeRecordFile(runDir, record);
    return writer;
  }

  get record(): RunRecord {
    return this.current;
  }

  get modelDir(): string {
    return join(this.runDir, MODEL_DIR);
  }

  /** Merges `patch` into run.json and replaces the file atomically. */
  update(patch: Partial<RunRecord>): RunRecord {
    this.current = { ...this.current, ...patch };
    writeRecordFile(this.runDir, this.current);
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
}

function parseMetrics(text: string): MetricsLine[] {
  const metrics: MetricsLine[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      metrics.push(JSON.parse(line) as MetricsLine);
    } catch {
      // Only the line being written when the process died can be torn; everything before it is whole.
    }
  }
  return metrics;
}

async function readMetrics(runDir: string): Promise<MetricsLine[]> {
  try {
    return parseMetrics(await readFile(join(runDir, METRICS_FILE), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function readRecord(runDir: string): Promise<RunRecord> {
  const path = join(runDir, RUN_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`${runDir} is not a CNN Lab run: it has no ${RUN_FILE}.`);
    }
    throw error;
  }
  try {
    return JSON.parse(text) as RunRecord;
  } catch (error) {
    throw new Error(`${path} is not valid JSON (${(error as Error).message}); the run cannot be shown. Delete the folder if it is not needed.`);
  }
}

/** Whether a process with this id still exists on this machine. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

type EpochLine = Extract<MetricsLine, { kind: 'epoch' }>;

function epochLines(metrics: MetricsLine[]): EpochLine[] {
  return metrics.filter((line): line is EpochLine => line.kind === 'epoch');
}

/**
 * A `running` run whose trainer is gone becomes `interrupted`, keeping every epoch that reached
 * metrics.jsonl (an epoch line is written before run.json is updated, so the metrics are the truth).
 */
function markInterrupted(record: RunRecord, metrics: MetricsLine[]): RunRecord {
  const epochs = epochLines(metrics);
  const last = epochs.at(-1);
  const lastTime = metrics.at(-1)?.time;
  const interrupted: RunRecord = {
    ...record,
    status: 'interrupted',
    epochsCompleted: Math.max(record.epochsCompleted, last ? last.epoch + 1 : 0),
    endedAt: lastTime !== undefined ? new Date(lastTime).toISOString() : record.endedAt ?? record.startedAt,
    error: record.error ?? {
      message: `The trainer process (pid ${record.pid ?? '?'}) ended without finishing the run.`,
      hint: 'Resume the run to continue from its last saved model, or start a new one.',
    },
  };
  delete interrupted.pid;
  if (last) interrupted.finalMetrics = last.logs as Logs;
  return interrupted;
}

function needsInterruptedMark(record: RunRecord): boolean {
  return record.status === 'running' && (record.pid === undefined || !isProcessAlive(record.pid));
}

/** run.json and metrics.jsonl of one run, tolerant of a torn last metrics line. */
export async function readRun(runDir: string): Promise<{ record: RunRecord; metrics: MetricsLine[] }> {
  const [record, metrics] = await Promise.all([readRecord(runDir), readMetrics(runDir)]);
  if (needsInterruptedMark(record)) {
    const interrupted = markInterrupted(record, metrics);
    writeRecordFile(runDir, interrupted);
    return { record: interrupted, metrics };
  }
  return { record, metrics };
}

/**
 * Every run under `runsDir`, newest first (ids sort by start time). Folders without a readable
 * run.json are skipped: a run being created or deleted at this moment must not break the list.
 */
export async function listRuns(runsDir: string): Promise<RunRecord[]> {
  let names: string[];
  try {
    names = await readdir(runsDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const records: RunRecord[] = [];
  for (const name of names.sort().reverse()) {
    const runDir = join(runsDir, name);
    if (!(await stat(runDir)).isDirectory()) continue;
    try {
      let record = await readRecord(runDir);
      if (needsInterruptedMark(record)) {
        record = markInterrupted(record, await readMetrics(runDir));
        writeRecordFile(runDir, record);
      }
      records.push(record);
    } catch {
      continue;
    }
  }
  return records;
}

/** What the sidebar may change on a finished run. */
export type RunPatch = Pick<Partial<RunRecord>, 'label' | 'tags'>;

export async function updateRun(runDir: string, patch: RunPatch): Promise<RunRecord> {
  const record = { ...(await readRecord(runDir)), ...patch };
  writeRecordFile(runDir, record);
  return record;
}

/** Marks a run failed from outside its writer (the trainer's last-resort error handler). */
export async function markRunFailed(runDir: string, error: { message: string; hint?: string }): Promise<RunRecord> {
  const record: RunRecord = { ...(await readRecord(runDir)), status: 'failed', endedAt: new Date().toISOString(), error };
  delete record.pid;
  writeRecordFile(runDir, record);
  return record;
}

export async function deleteRun(runDir: string): Promise<void> {
  await readRecord(runDir); // refuse to delete a folder that is not a run
  await rm(runDir, { recursive: true, force: true });
}

/** The run folder for an id or a path the user typed (CLI `--resume`). */
export function runDirFor(runsDir: string, idOrPath: string): string {
  return idOrPath.includes('/') || idOrPath.includes('\\') ? idOrPath : join(runsDir, idOrPath);
}

// TensorBoard scalar logs: an events file is a sequence of TFRecords, each holding one
// serialized `tensorflow.Event` protobuf. Written by hand because the only pieces needed are a
// CRC-32C, a TFRecord frame and three tiny messages; the maintained protobuf libraries
// (protobufjs, @bufbuild/protobuf) would need TensorFlow's .proto files and code generation for
// about sixty lines of encoder, and no maintained small npm package writes TF event files.
// `tensorBoardLogs` is pure and returns bytes; `writeTensorBoardLogs` streams a run's metrics.jsonl
// of any size into the two events files, a chunk at a time, so the extension host keeps running.

import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { MetricsLine } from './format';
import { streamRunMetrics, type MetricsCount } from './store';

// ---------------------------------------------------------------------------------------------
// CRC-32C (Castagnoli), reflected polynomial 0x82F63B78, as TFRecord requires.

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = CRC32C_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** TFRecord stores CRCs masked, because a CRC of data that itself embeds CRCs is weak. */
export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = crc32c(bytes);
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** uint64 length, masked CRC of the length, data, masked CRC of the data — all little-endian. */
export function tfRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + 4 + data.length + 4);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length, true);
  view.setUint32(4, Math.floor(data.length / 2 ** 32), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Protobuf wire format: just the field kinds an Event with scalar summaries uses.

const UTF8 = new TextEncoder();
const SCRATCH = new DataView(new ArrayBuffer(8));

class ProtoWriter {
  private readonly bytes: number[] = [];

  varint(value: number): void {
    let rest = value;
    while (rest >= 0x80) {
      this.bytes.push((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    this.bytes.push(rest);
  }

  tag(field: number, wireType: 0 | 1 | 2 | 5): void {
    this.varint(field * 8 + wireType);
  }

  double(field: number, value: number): void {
    this.tag(field, 1);
    SCRATCH.setFloat64(0, value, true);
    for (let i = 0; i < 8; i++) this.bytes.push(SCRATCH.getUint8(i));
  }

  float(field: number, value: number): void {
    this.tag(field, 5);
    SCRATCH.setFloat32(0, value, true);
    for (let i = 0; i < 4; i++) this.bytes.push(SCRATCH.getUint8(i));
  }

  uint(field: number, value: number): void {
    this.tag(field, 0);
    this.varint(value);
  }

  bytesField(field: number, value: Uint8Array): void {
    this.tag(field, 2);
    this.varint(value.length);
    for (const byte of value) this.bytes.push(byte);
  }

  string(field: number, value: string): void {
    this.bytesField(field, UTF8.encode(value));
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

export interface ScalarEvent {
  /** Seconds since the epoch. */
  wallTime: number;
  step: number;
  values: { tag: string; value: number }[];
}

/** Event{1: wall_time double, 2: step int64, 5: summary{1: value{1: tag, 2: simple_value float}}}. */
export function encodeScalarEvent(event: ScalarEvent): Uint8Array {
  const summary = new ProtoWriter();
  for (const { tag, value } of event.values) {
    const item = new ProtoWriter();
    item.string(1, tag);
    item.float(2, value);
    summary.bytesField(1, item.finish());
  }
  const out = new ProtoWriter();
  out.double(1, event.wallTime);
  out.uint(2, Math.max(0, Math.floor(event.step)));
  out.bytesField(5, summary.finish());
  return out.finish();
}

/** The first record of every events file: Event{wall_time, file_version: "brain.Event:2"}. */
export function encodeFileVersionEvent(wallTime: number): Uint8Array {
  const out = new ProtoWriter();
  out.double(1, wallTime);
  out.string(3, 'brain.Event:2');
  return out.finish();
}

export function eventsFile(wallTime: number, events: readonly ScalarEvent[]): Uint8Array {
  const records = [tfRecord(encodeFileVersionEvent(wallTime)), ...events.map((event) => tfRecord(encodeScalarEvent(event)))];
  const out = new Uint8Array(records.reduce((sum, record) => sum + record.length, 0));
  let offset = 0;
  for (const record of records) {
    out.set(record, offset);
    offset += record.length;
  }
  return out;
}

/** metrics.jsonl times in milliseconds or seconds since the epoch, or seconds since the start. */
export function wallTimeSeconds(time: number, startedAtSeconds: number): number {
  if (time > 1e11) return time / 1000;
  if (time > 1e9) return time;
  return startedAtSeconds + time;
}

export interface TensorBoardLogs {
  /** Bytes of `train/events.out.tfevents.*`. */
  train: Uint8Array;
  /** Bytes of `validation/events.out.tfevents.*`. */
  validation: Uint8Array;
}

/** The events one metrics line becomes: batch logs and epoch logs go to `train`, `val_*` epoch logs to `validation`. */
function lineEvents(line: MetricsLine, startedAtSeconds: number): { train?: ScalarEvent; validation?: ScalarEvent } {
  const wallTime = wallTimeSeconds(line.time, startedAtSeconds);
  if (line.kind === 'batch') {
    const values = Object.entries(line.logs)
      .filter(([, value]) => Number.isFinite(value))
      .map(([name, value]) => ({ tag: `batch_${name}`, value }));
    return values.length > 0 ? { train: { wallTime, step: line.step, values } } : {};
  }
  const trainValues: ScalarEvent['values'] = [];
  const validationValues: ScalarEvent['values'] = [];
  for (const [name, value] of Object.entries(line.logs)) {
    if (!Number.isFinite(value)) continue;
    if (name.startsWith('val_')) validationValues.push({ tag: `epoch_${name.slice(4)}`, value });
    else trainValues.push({ tag: `epoch_${name}`, value });
  }
  return {
    train: trainValues.length > 0 ? { wallTime, step: line.epoch, values: trainValues } : undefined,
    validation: validationValues.length > 0 ? { wallTime, step: line.epoch, values: validationValues } : undefined,
  };
}

/**
 * The layout Keras's TensorBoard callback writes: `train/` and `validation/` runs with tags
 * `epoch_loss`, `epoch_acc`… (the `val_` prefix dropped, so TensorBoard overlays train and
 * validation on one chart) plus `batch_*` tags against the global step in `train/`.
 */
export function tensorBoardLogs(metrics: readonly MetricsLine[], startedAtSeconds: number): TensorBoardLogs {
  const train: ScalarEvent[] = [];
  const validation: ScalarEvent[] = [];
  for (const line of metrics) {
    const events = lineEvents(line, startedAtSeconds);
    if (events.train) train.push(events.train);
    if (events.validation) validation.push(events.validation);
  }
  return { train: eventsFile(startedAtSeconds, train), validation: eventsFile(startedAtSeconds, validation) };
}

export interface TensorBoardExport extends MetricsCount {
  /** The two events files written. */
  files: { train: string; validation: string };
}

/** Records gathered before they are written. */
const WRITE_BYTES = 1024 * 1024;

/**
 * Streams the metrics of the run folder `runDir` into `<logDir>/train/<fileName>` and
 * `<logDir>/validation/<fileName>` (the layout of `tensorBoardLogs`), never holding the whole
 * history in memory and awaiting a write between chunks. Lines that are not metrics lines are
 * skipped and counted.
 */
export async function writeTensorBoardLogs(runDir: string, logDir: string, fileName: string, startedAtSeconds: number): Promise<TensorBoardExport> {
  const files = { train: join(logDir, 'train', fileName), validation: join(logDir, 'validation', fileName) };
  await mkdir(join(logDir, 'train'), { recursive: true });
  await mkdir(join(logDir, 'validation'), { recursive: true });
  const train = await open(files.train, 'w');
  try {
    const validation = await open(files.validation, 'w');
    try {
      const header = tfRecord(encodeFileVersionEvent(startedAtSeconds));
      const pending = { train: [header], validation: [header] };
      let pendingBytes = 0;
      const flush = async (): Promise<void> => {
        const [trainBytes, validationBytes] = [Buffer.concat(pending.train), Buffer.concat(pending.validation)];
        pending.train = [];
        pending.validation = [];
        pendingBytes = 0;
        if (trainBytes.length > 0) await train.write(trainBytes);
        if (validationBytes.length > 0) await validation.write(validationBytes);
      };
      const count = await streamRunMetrics(
        runDir,
        (line) => {
          const events = lineEvents(line, startedAtSeconds);
          for (const split of ['train', 'validation'] as const) {
            const event = events[split];
            if (!event) continue;
            const record = tfRecord(encodeScalarEvent(event));
            pending[split].push(record);
            pendingBytes += record.length;
          }
        },
        { afterChunk: async () => (pendingBytes >= WRITE_BYTES ? flush() : undefined) },
      );
      await flush();
      return { ...count, files };
    } finally {
      await validation.close();
    }
  } finally {
    await train.close();
  }
}

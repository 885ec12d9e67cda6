// metrics.jsonl from anywhere (issue 9, item 9): bad lines are skipped and counted, never drop a
// run or break an export; a file of any size is streamed a chunk at a time, never read as one string.
import { strict as assert } from 'node:assert';
import { appendFileSync, closeSync, mkdtempSync, openSync, readFileSync, readdirSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MetricsLine } from '../../src/runs/format';
import { writeMetricsCsv } from '../../src/runs/csv';
import { describeMetricsInfo, readRun, runsDirFor, scanRuns, streamMetricsFile } from '../../src/runs/store';
import { writeTensorBoardLogs } from '../../src/runs/tensorboard';
import { plantRun, sampleRecord } from '../trainer/runFolders';

function runsFolder(): { base: string; runsDir: string } {
  const base = mkdtempSync(join(tmpdir(), 'cnnlab-metrics-'));
  return { base, runsDir: runsDirFor(join(base, 'ws')) };
}

const epoch = (n: number, logs: Record<string, unknown> = { loss: 1 / (n + 1), val_loss: 2 / (n + 1) }, time = 1_767_225_600_000 + n): string => JSON.stringify({ kind: 'epoch', epoch: n, logs, time });
const batch = (epochIndex: number, step: number): string => JSON.stringify({ kind: 'batch', epoch: epochIndex, batch: step % 100, step, logs: { loss: 1 / (step + 1), acc: step / 1e6 }, time: 1_767_225_600_000 + step });

/** Lines CNN Lab never writes; each must be skipped and counted. */
const BAD_LINES = [
  'null',
  '1',
  '"x"',
  'true',
  '[]',
  '{}',
  '{"kind":"epoch","epoch":0,"time":1}',
  '{"kind":"epoch","epoch":0,"logs":{"loss":1},"time":1e300}',
  '{"kind":"epoch","epoch":0,"logs":{"loss":1},"time":"soon"}',
  '{"kind":"epoch","epoch":0,"logs":{"loss":1},"time":-5}',
  '{"kind":"epoch","epoch":1e300,"logs":{"loss":1},"time":1}',
  '{"kind":"epoch","epoch":-1,"logs":{"loss":1},"time":1}',
  '{"kind":"batch","epoch":0,"batch":0,"step":0.5,"logs":{"loss":1},"time":1}',
  '{"kind":"epoch","epoch":"1","logs":null,"time":2}',
  '{"kind":"epoch","epoch":1,"logs":{"loss":"x","acc":{}},"time":3}',
  '{"kind":"epoch","epoch":1,"logs":{"loss":[1]},"time":3}',
  '{"kind":"later","epoch":1,"logs":{},"time":3}',
  '{"kind":"epo',
];

describe('metrics.jsonl with bad lines: skipped and counted, the run kept (issue 9.9)', () => {
  it('lists, reads and exports a run whose metrics.jsonl holds null, scalars, no logs, times of 1e300 or "soon", non-number values, and counts every skipped line', async () => {
    const { base, runsDir } = runsFolder();
    const runDir = plantRun(runsDir, 'bad-lines', sampleRecord('bad-lines', { epochsCompleted: 3, epochsPlanned: 3 }));
    // A log named like an Object.prototype member, and a null value (what JSON makes of NaN).
    const good = [batch(0, 0), epoch(0), epoch(1, { loss: 0.5, constructor: 2, toString: 3 }), epoch(2, { loss: null, val_loss: 0.25 })];
    const lines = [good[0], ...BAD_LINES.slice(0, 9), good[1], ...BAD_LINES.slice(9), good[2], good[3]];
    writeFileSync(join(runDir, 'metrics.jsonl'), `${lines.join('\n')}\n`);

    const listings = await scanRuns(runsDir);
    assert.equal(listings.length, 1);
    assert.equal(listings[0].problem, undefined, 'the run is listed as readable');

    const { metrics, metricsInfo } = await readRun(runDir);
    assert.deepEqual(metrics.map((line) => `${line.kind}${line.epoch}`), ['batch0', 'epoch0', 'epoch1', 'epoch2']);
    assert.deepEqual({ lines: metricsInfo.lines, skipped: metricsInfo.skipped }, { lines: 4, skipped: BAD_LINES.length });
    assert.deepEqual(Object.keys(metrics[3].logs), ['val_loss'], 'a null (NaN) log value is left out, the line kept');
    assert.equal(describeMetricsInfo(metricsInfo), `${BAD_LINES.length} unreadable lines in metrics.jsonl skipped`);

    const csvPath = join(base, 'out.csv');
    const csv = await writeMetricsCsv(runDir, csvPath);
    assert.deepEqual({ rows: csv.rows, skipped: csv.skipped }, { rows: 4, skipped: BAD_LINES.length });
    const csvLines = readFileSync(csvPath, 'utf8').trimEnd().split('\r\n');
    assert.equal(csvLines[0], 'kind,epoch,batch,step,time,loss,acc,val_loss,constructor,toString');
    assert.equal(csvLines.length, 5);
    assert.ok(!/function|native code/.test(csvLines.join('\n')), 'a missing "constructor" log is an empty cell, not Object.prototype.constructor');
    assert.equal(csvLines[2], `epoch,0,,,${1_767_225_600_000},1,,2,,`);

    const tb = await writeTensorBoardLogs(runDir, join(base, 'tb'), 'events.out.tfevents.1.test', 1_767_225_600);
    assert.deepEqual({ lines: tb.lines, skipped: tb.skipped }, { lines: 4, skipped: BAD_LINES.length });
    assert.ok(statSync(tb.files.train).size > 100 && statSync(tb.files.validation).size > 50);
  });

  it('ignores a torn last line without its newline (the line being written), and counts it once it is followed by more', async () => {
    const { runsDir } = runsFolder();
    const runDir = plantRun(runsDir, 'torn', sampleRecord('torn'));
    writeFileSync(join(runDir, 'metrics.jsonl'), `${epoch(0)}\n{"kind":"epoch","epo`);
    assert.deepEqual((await readRun(runDir)).metricsInfo, { lines: 1, skipped: 0, kept: 1 });
    appendFileSync(join(runDir, 'metrics.jsonl'), `\n${epoch(1)}`);
    assert.deepEqual((await readRun(runDir)).metricsInfo, { lines: 2, skipped: 1, kept: 2 }, 'a whole last line without a newline is read');
  });
});

describe('metrics.jsonl of any size is streamed, never one string (issue 9.9)', function () {
  this.timeout(60_000);

  it('splits lines across chunk boundaries and skips a line longer than the limit without holding it', async () => {
    const { base } = runsFolder();
    const path = join(base, 'metrics.jsonl');
    const long = JSON.stringify({ kind: 'epoch', epoch: 5, logs: { loss: 1, pad: 0 }, time: 1, junk: 'x'.repeat(10_000) });
    const lines = [epoch(0), batch(0, 1), long, epoch(1), 'null', `${batch(1, 2)}\r`, '', epoch(2)];
    writeFileSync(path, lines.join('\n'));
    const seen: MetricsLine[] = [];
    for (const chunkBytes of [3, 64, 1000, 1 << 20]) {
      seen.length = 0;
      const count = await streamMetricsFile(path, (line) => seen.push(line), { maxLineBytes: 1000, chunkBytes });
      assert.deepEqual(count, { lines: 5, skipped: 2 }, `chunks of ${chunkBytes} bytes`);
      assert.deepEqual(seen.map((line) => `${line.kind}${line.epoch}`), ['epoch0', 'batch0', 'epoch1', 'batch1', 'epoch2'], `chunks of ${chunkBytes} bytes`);
    }
    // The same long line is fine under the default limit (1 MB), and its junk field is not carried.
    seen.length = 0;
    assert.deepEqual(await streamMetricsFile(path, (line) => seen.push(line)), { lines: 6, skipped: 1 });
    assert.equal((seen[2] as unknown as Record<string, unknown>).junk, undefined);
  });

  it('lists and reads a run whose metrics.jsonl is over the old 64 MB cap (100 MB, sparse), a chunk at a time in bounded memory', async function () {
    const { runsDir } = runsFolder();
    const runDir = plantRun(runsDir, 'huge', sampleRecord('huge', { status: 'stopped' }));
    const path = join(runDir, 'metrics.jsonl');
    writeFileSync(path, `${epoch(0)}\n`);
    // A hole of zero bytes (no newline: one 100 MB line), then two good lines: nothing is written to
    // disk. The same holds at any size: the file is never one string (V8's longest is 512 MB, a
    // 1.25 GB file failed with "Invalid string length"), as the memory bound below shows.
    const fd = openSync(path, 'r+');
    writeSync(fd, `\n${epoch(1)}\n${epoch(2)}\n`, 100 * 1024 * 1024);
    closeSync(fd);
    assert.ok(statSync(path).size > 100 * 1024 * 1024);

    const listings = await scanRuns(runsDir);
    assert.equal(listings[0].problem, undefined, `the run is listed: ${listings[0].problem}`);
    let peak = 0;
    const baseline = process.memoryUsage();
    const { metrics, metricsInfo } = await readRun(runDir, {
      afterChunk: async () => {
        const now = process.memoryUsage();
        peak = Math.max(peak, now.heapUsed - baseline.heapUsed + (now.arrayBuffers - baseline.arrayBuffers));
      },
    });
    assert.deepEqual(metrics.map((line) => line.epoch), [0, 1, 2]);
    assert.deepEqual(metricsInfo, { lines: 3, skipped: 1, kept: 3 }, 'the 100 MB line of zeros is one unreadable line');
    assert.ok(peak < 24 * 1024 * 1024, `memory grew by ${Math.round(peak / 1024 / 1024)} MB while reading 100 MB`);
  });

  it('reads a long history for the panel as an evenly spread sample: first and last lines, every epoch line and the batch before it, in file order', async () => {
    const { runsDir } = runsFolder();
    const runDir = plantRun(runsDir, 'long', sampleRecord('long'));
    const lines: string[] = [];
    let step = 0;
    for (let e = 0; e < 40; e++) {
      for (let b = 0; b < 1500; b++) lines.push(batch(e, step++));
      lines.push(epoch(e, undefined, 1_767_225_600_000 + step - 0.5));
    }
    writeFileSync(join(runDir, 'metrics.jsonl'), `${lines.join('\n')}\n`);
    const whole = await readRun(runDir);
    assert.equal(whole.metrics.length, 60_040, 'every line by default (resume copies the history)');

    const { metrics, metricsInfo } = await readRun(runDir, { maxLines: 1000 });
    assert.equal(metricsInfo.lines, 60_040);
    assert.equal(metricsInfo.kept, metrics.length);
    assert.ok(metrics.length <= 1000 + 1 + 40 + 40, `${metrics.length} lines kept`);
    assert.match(describeMetricsInfo(metricsInfo) ?? '', /^showing 1,\d{3} of 60,040 metrics lines, evenly spread$/);
    const batches = metrics.filter((line): line is Extract<MetricsLine, { kind: 'batch' }> => line.kind === 'batch');
    assert.ok(batches.length >= 500, 'at least half the limit: the sample is not starved');
    assert.equal(batches[0].step, 0);
    assert.equal(batches.at(-1)?.step, step - 1);
    assert.deepEqual(metrics.filter((line) => line.kind === 'epoch').map((line) => line.epoch), [...Array(40).keys()]);
    for (let i = 1; i < metrics.length; i++) assert.ok(metrics[i].time >= metrics[i - 1].time, 'file order');
    // Each epoch line comes right after the last batch of its epoch: the panel puts the epoch at that step.
    for (let i = 0; i < metrics.length; i++) {
      const line = metrics[i];
      if (line.kind === 'epoch') assert.deepEqual([metrics[i - 1].kind, (metrics[i - 1] as { step: number }).step], ['batch', 1500 * (line.epoch + 1) - 1]);
    }
    // Evenly spread: the gaps between kept batch steps never exceed twice the stride.
    const gaps = batches.slice(1).map((line, i) => line.step - batches[i].step);
    assert.ok(Math.max(...gaps) <= 2 * Math.ceil(60_000 / 500), `largest gap ${Math.max(...gaps)}`);
  });

  it('exports TensorBoard logs and CSV of a 30k-line metrics.jsonl a chunk at a time, every line accounted for', async () => {
    const { base, runsDir } = runsFolder();
    const runDir = plantRun(runsDir, 'export', sampleRecord('export'));
    const lines: string[] = [];
    for (let step = 0; step < 30_000; step++) lines.push(step % 1000 === 999 ? epoch(Math.floor(step / 1000)) : batch(Math.floor(step / 1000), step));
    lines.splice(500, 0, 'null', '{"kind":"epoch","epoch":0,"logs":{"loss":1},"time":"soon"}');
    writeFileSync(join(runDir, 'metrics.jsonl'), `${lines.join('\n')}\n`);
    const tb = await writeTensorBoardLogs(runDir, join(base, 'tb'), 'events', 1_767_225_600);
    assert.deepEqual({ lines: tb.lines, skipped: tb.skipped }, { lines: 30_000, skipped: 2 });
    assert.deepEqual(readdirSync(join(base, 'tb')).sort(), ['train', 'validation']);
    const csv = await writeMetricsCsv(runDir, join(base, 'm.csv'));
    assert.deepEqual({ rows: csv.rows, skipped: csv.skipped }, { rows: 30_000, skipped: 2 });
    assert.equal(readFileSync(join(base, 'm.csv'), 'utf8').trimEnd().split('\r\n').length, 30_001);
  });
});

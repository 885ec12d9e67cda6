import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunRecord } from '../../src/runs/format';
import { deadPid, sampleRecord as runFolderRecord } from '../trainer/runFolders';
import { createRunId, deleteRun, listFolderNewestFirst, listRuns, markRunFailed, readRun, recordAsItStands, runsDirFor, RunWriter, updateRun } from '../../src/runs/store';

/** A run still in progress in this process, as RunWriter.create starts one. */
function sampleRecord(id: string, overrides: Partial<RunRecord> = {}): RunRecord {
  return runFolderRecord(id, { status: 'running', startedAt: new Date().toISOString(), pid: process.pid, epochsCompleted: 0, epochsPlanned: 3, ...overrides });
}


describe('runs store', () => {
  let base: string;
  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'cnnlab-store-'));
  });

  it('puts runs under .cnnlab/runs and makes sortable ids', () => {
    assert.equal(runsDirFor('/ws'), join('/ws', '.cnnlab', 'runs'));
    const early = createRunId('Shapes CNN.model.json', new Date('2026-01-02T03:04:05.006Z'));
    const late = createRunId('a', new Date('2026-01-02T03:04:05.007Z'));
    assert.match(early, /^20260102-030405-006-shapes-cnn-[0-9a-z]{4}$/);
    assert.ok(early < late);
  });

  it('lists a folder of runs or experiments newest first, a missing one as nothing, an unreadable one in words (listFolderNewestFirst)', async () => {
    const dir = join(base, 'experiments');
    assert.equal(await listFolderNewestFirst(dir, 'experiments'), undefined);
    mkdirSync(join(dir, '20260102-030405-006-a-k3f9'), { recursive: true });
    mkdirSync(join(dir, '20260103-030405-006-b-k3f9'));
    assert.deepEqual(await listFolderNewestFirst(dir, 'experiments'), ['20260103-030405-006-b-k3f9', '20260102-030405-006-a-k3f9']);
    const file = join(base, 'a-file');
    writeFileSync(file, '');
    await assert.rejects(listFolderNewestFirst(file, 'runs'), { message: `Cannot list runs in ${file} (ENOTDIR). Check that it is a folder you can read, or delete it.` });
  });

  it('writes run.json atomically and metrics as lines, read back whole', async () => {
    const runsDir = runsDirFor(base);
    const writer = RunWriter.create(runsDir, sampleRecord('r1'));
    writer.appendMetrics({ kind: 'batch', epoch: 0, batch: 0, step: 0, logs: { loss: 1 }, time: 1 });
    writer.appendMetrics({ kind: 'epoch', epoch: 0, logs: { loss: 0.5, acc: 0.8 }, time: 2 });
    writer.update({ epochsCompleted: 1 });
    assert.deepEqual(readdirSync(writer.runDir).sort(), ['metrics.jsonl', 'run.json']);
    const { record, metrics } = await readRun(writer.runDir);
    assert.equal(record.epochsCompleted, 1);
    assert.equal(record.status, 'running');
    assert.equal(metrics.length, 2);
    assert.deepEqual(metrics[1], { kind: 'epoch', epoch: 0, logs: { loss: 0.5, acc: 0.8 }, time: 2 });
  });

  it('ignores a torn last metrics line', async () => {
    const writer = RunWriter.create(runsDirFor(base), sampleRecord('r1'));
    writer.appendMetrics({ kind: 'epoch', epoch: 0, logs: { loss: 0.5 }, time: 2 });
    appendFileSync(join(writer.runDir, 'metrics.jsonl'), '{"kind":"epoch","epo');
    const { metrics } = await readRun(writer.runDir);
    assert.equal(metrics.length, 1);
  });

  it('marks a running run with a dead pid interrupted, keeps its epochs, and persists it', async () => {
    const runsDir = runsDirFor(base);
    const dead = RunWriter.create(runsDir, sampleRecord('20260101-a', { pid: deadPid() }));
    dead.appendMetrics({ kind: 'epoch', epoch: 0, logs: { loss: 0.9 }, time: 1000 });
    dead.appendMetrics({ kind: 'epoch', epoch: 1, logs: { loss: 0.7 }, time: 2000 });
    RunWriter.create(runsDir, sampleRecord('20260102-b'));
    const runs = await listRuns(runsDir);
    assert.deepEqual(runs.map((run) => run.id), ['20260102-b', '20260101-a']);
    assert.equal(runs[0].status, 'running');
    const interrupted = runs[1];
    assert.equal(interrupted.status, 'interrupted');
    assert.equal(interrupted.epochsCompleted, 2);
    assert.deepEqual(interrupted.finalMetrics, { loss: 0.7 });
    assert.equal(interrupted.pid, undefined);
    const onDisk = JSON.parse(readFileSync(join(dead.runDir, 'run.json'), 'utf8')) as RunRecord;
    assert.equal(onDisk.status, 'interrupted');
  });

  it('keeps the status of a run that finished between reading run.json and seeing its trainer gone (never overwrites it as interrupted)', async () => {
    const writer = RunWriter.create(runsDirFor(base), sampleRecord('20260101-a'));
    const asRead = writer.record;
    writer.appendMetrics({ kind: 'epoch', epoch: 0, logs: { loss: 0.5 }, time: 1000 });
    writer.update({ status: 'completed', epochsCompleted: 1, endedAt: new Date(1000).toISOString(), pid: undefined });
    // The reader holds the run as it was, `running`, with a trainer that has since let go of the folder.
    const stale = { ...asRead, pid: deadPid() };
    const shown = await recordAsItStands(writer.runDir, stale);
    assert.equal(shown.status, 'completed');
    assert.equal(shown.epochsCompleted, 1);
    const onDisk = JSON.parse(readFileSync(join(writer.runDir, 'run.json'), 'utf8')) as RunRecord;
    assert.equal(onDisk.status, 'completed');
    const { record, metrics } = await readRun(writer.runDir);
    assert.equal(record.status, 'completed');
    assert.equal(metrics.length, 1);
  });

  it('keeps a name and tags given while the run trains: the trainer\'s next writes carry them, and a later rename can clear them', async () => {
    const writer = RunWriter.create(runsDirFor(base), sampleRecord('20260101-a'));
    await updateRun(writer.runDir, { label: 'baseline', tags: ['dropout'] });
    writer.update({ epochsCompleted: 1 });
    const onDisk = (): RunRecord => JSON.parse(readFileSync(join(writer.runDir, 'run.json'), 'utf8')) as RunRecord;
    assert.deepEqual([onDisk().label, onDisk().tags, onDisk().epochsCompleted], ['baseline', ['dropout'], 1]);
    await updateRun(writer.runDir, { label: undefined, tags: [] });
    writer.update({ status: 'completed', epochsCompleted: 3 });
    assert.deepEqual([onDisk().label, onDisk().tags, onDisk().status, onDisk().epochsCompleted], [undefined, [], 'completed', 3]);
    assert.equal(writer.record.label, undefined);
  });

  it('renames, tags and deletes runs; skips folders that are not runs', async () => {
    const runsDir = runsDirFor(base);
    const writer = RunWriter.create(runsDir, sampleRecord('r1', { status: 'completed', pid: undefined }));
    const updated = await updateRun(writer.runDir, { label: 'baseline', tags: ['dropout'] });
    assert.equal(updated.label, 'baseline');
    assert.deepEqual((await readRun(writer.runDir)).record.tags, ['dropout']);
    RunWriter.create(runsDir, sampleRecord('r2', { status: 'completed' }));
    mkdirSync(join(runsDir, 'half-created'));
    assert.equal((await listRuns(runsDir)).length, 2);
    await deleteRun(writer.runDir);
    assert.equal(existsSync(writer.runDir), false);
    await assert.rejects(deleteRun(join(runsDir, 'half-created')), /not a CNN Lab run/);
    assert.deepEqual(await listRuns(join(base, 'nowhere')), []);
  });

  it('marks a run failed from outside its writer, with the message and hint', async () => {
    const writer = RunWriter.create(runsDirFor(base), sampleRecord('r1'));
    await markRunFailed(writer.runDir, { message: 'Array buffer allocation failed', hint: 'lower the batch size' });
    const { record } = await readRun(writer.runDir);
    assert.equal(record.status, 'failed');
    assert.equal(record.pid, undefined);
    assert.deepEqual(record.error, { message: 'Array buffer allocation failed', hint: 'lower the batch size' });
  });
});

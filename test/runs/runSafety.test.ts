// Run folders come from anywhere: a cloned repository may carry a hostile `.cnnlab/runs`.
// Each test here reproduces one way such a folder could make CNN Lab delete, write, read or
// signal outside the run, or hide every run (issue 9, items 1, 2, 7, 8 and 13), on real files.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deadPid, plantRun, sampleRecord } from '../trainer/runFolders';
import { readMisclassifiedImages } from '../../src/runs/images';
import { stopForeignTrainer } from '../../src/runs/trainerProcess';
import { deleteRun, holdsRunFolder, isPlainRunId, isProcessAlive, listRuns, readRun, runDirFor, runsDirFor, RunWriter, scanRuns, updateRun } from '../../src/runs/store';

/** A workspace with a file that must survive, and a folder beside it that nothing may touch. */
function workspace(): { base: string; ws: string; runsDir: string; outside: string; keep: string } {
  const base = mkdtempSync(join(tmpdir(), 'cnnlab-safety-'));
  const ws = join(base, 'ws');
  const outside = join(base, 'outside');
  mkdirSync(ws);
  mkdirSync(outside);
  const keep = join(ws, 'keep.txt');
  writeFileSync(keep, 'user work\n');
  const runsDir = runsDirFor(ws);
  mkdirSync(runsDir, { recursive: true });
  return { base, ws, runsDir, outside, keep };
}

/** A node process that prints "ready" once it has run `setup`, then waits; SIGINT ends it with code 7. */
function idleProcess(setup = ''): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', `${setup}; process.on('SIGINT', () => process.exit(7)); process.stdout.write('ready'); setInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    child.stdout?.once('data', () => resolve(child));
    child.once('error', reject);
  });
}

const exitOf = (child: ChildProcess): Promise<number | null> => new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));

describe('run folders from anywhere: delete stays inside .cnnlab/runs (issue 9.1)', () => {
  it('takes a run\'s id from its folder, so "id": "../.." deletes only that folder, not the workspace', async () => {
    const { ws, runsDir, keep } = workspace();
    plantRun(runsDir, 'evil', sampleRecord('../..'));
    const [listed] = await scanRuns(runsDir);
    assert.equal(listed.id, 'evil');
    assert.equal(listed.record?.id, 'evil');
    assert.equal(listed.runDir, join(runsDir, 'evil'));
    await deleteRun(listed.runDir, runsDir);
    assert.equal(existsSync(join(runsDir, 'evil')), false);
    assert.equal(readFileSync(keep, 'utf8'), 'user work\n');
    assert.ok(existsSync(runsDir));
    assert.ok(existsSync(ws));
  });

  it('makes a copied run folder a second run with its own id, deleted on its own', async () => {
    const { runsDir } = workspace();
    const original = RunWriter.create(runsDir, sampleRecord('20260101-a'));
    cpSync(original.runDir, join(runsDir, '20260101-a-copy'), { recursive: true });
    const runs = await listRuns(runsDir);
    assert.deepEqual(runs.map((run) => run.id), ['20260101-a-copy', '20260101-a']);
    await deleteRun(join(runsDir, '20260101-a-copy'), runsDir);
    assert.deepEqual((await listRuns(runsDir)).map((run) => run.id), ['20260101-a']);
  });

  it('refuses to delete anything but a run folder directly inside the runs folder', async () => {
    const { ws, runsDir, keep } = workspace();
    writeFileSync(join(ws, 'run.json'), JSON.stringify(sampleRecord('ws')));
    await assert.rejects(deleteRun(ws, runsDir), /Refused to delete .*Nothing was deleted/);
    await assert.rejects(deleteRun(join(runsDir, '..', '..'), runsDir), /Refused to delete/);
    assert.equal(readFileSync(keep, 'utf8'), 'user work\n');
  });

  it('deletes a link planted in place of a run folder, never what it points to', async () => {
    const { runsDir, outside } = workspace();
    const victim = plantRun(outside, 'victim', sampleRecord('victim'));
    symlinkSync(victim, join(runsDir, 'linked'));
    await deleteRun(join(runsDir, 'linked'), runsDir);
    assert.equal(existsSync(join(runsDir, 'linked')), false);
    assert.ok(existsSync(join(victim, 'run.json')));
  });

  it('refuses run ids that are not one plain folder name (resume, new runs)', () => {
    const { base, runsDir } = workspace();
    for (const id of ['..', '.', '', '../x', 'a/b', 'a\\b', 'x\u0000y']) assert.equal(isPlainRunId(id), false, JSON.stringify(id));
    assert.equal(isPlainRunId('20260101-000000-000-m-abcd'), true);
    assert.throws(() => runDirFor(runsDir, '..'), /not a run id/);
    assert.throws(() => RunWriter.create(runsDir, sampleRecord('../escape')), /not a run id/);
    assert.equal(existsSync(join(runsDir, '..', 'escape')), false);
    assert.deepEqual(readdirSync(base).sort(), ['outside', 'ws']);
  });
});

describe('run folders from anywhere: Stop signals only a proven trainer (issue 9.2)', () => {
  it('never counts a junk pid from run.json as a live trainer', async () => {
    for (const pid of [-1, 0, 1, 2.5, Number.NaN, '123', null]) assert.equal(isProcessAlive(pid), false, String(pid));
    const { runsDir } = workspace();
    for (const pid of [-1, 0, 1]) plantRun(runsDir, `pid${pid}`, sampleRecord('x', { status: 'running', pid }));
    const runs = await listRuns(runsDir);
    assert.equal(runs.length, 3);
    for (const run of runs) assert.equal(run.status, 'interrupted', run.id);
  });

  it('refuses to signal pids -1, 0, 1, fractions, its own pid or none, and says where to stop the run', async () => {
    const { runsDir } = workspace();
    const runDir = plantRun(runsDir, 'r', sampleRecord('r', { status: 'running' }));
    const signalled: number[] = [];
    for (const pid of [-1, 0, 1, 1.5, process.pid, '42', undefined]) {
      const outcome = await stopForeignTrainer(runDir, pid, (target) => signalled.push(target));
      assert.equal(outcome.signalled, false, String(pid));
      assert.match(outcome.signalled ? '' : outcome.reason, /stop it there/);
    }
    assert.deepEqual(signalled, []);
  });

  it('does not signal a live process that is not the run\'s trainer (a reused pid), and shows that run interrupted', async function () {
    const stranger = await idleProcess();
    try {
      const { runsDir } = workspace();
      const runDir = plantRun(runsDir, 'r', sampleRecord('r', { status: 'running', pid: stranger.pid }));
      const outcome = await stopForeignTrainer(runDir, stranger.pid);
      assert.equal(outcome.signalled, false);
      assert.match(outcome.signalled ? '' : outcome.reason, /nothing was signalled/);
      assert.equal(stranger.exitCode, null, 'the stranger is still running');
      const [run] = await listRuns(runsDir);
      // Linux tells a reused pid by /proc/<pid>/fd; elsewhere a live pid keeps the run running.
      assert.equal(run.status, process.platform === 'linux' ? 'interrupted' : 'running');
    } finally {
      stranger.kill('SIGKILL');
    }
  });

  it('signals a trainer that proves it holds the run folder open (Linux), as a RunWriter does', async () => {
    const { runsDir } = workspace();
    const writer = RunWriter.create(runsDir, sampleRecord('live', { status: 'running', pid: process.pid }));
    assert.equal(await holdsRunFolder(process.pid, writer.runDir), process.platform === 'linux' ? true : undefined);
    writer.update({ status: 'completed' });
    assert.equal(await holdsRunFolder(process.pid, writer.runDir), process.platform === 'linux' ? false : undefined);

    const trainer = await idleProcess(`require('node:fs').openSync(${JSON.stringify(writer.runDir)}, 'r')`);
    try {
      const outcome = await stopForeignTrainer(writer.runDir, trainer.pid);
      assert.equal(outcome.signalled, process.platform === 'linux');
      if (outcome.signalled) assert.equal(await exitOf(trainer), 7, 'SIGINT reached the trainer');
      else assert.match(outcome.reason, /cannot confirm/);
    } finally {
      trainer.kill('SIGKILL');
    }
  });
});

describe('run folders from anywhere: links are not followed out of .cnnlab/runs (issue 9.7)', () => {
  it('lists a run folder that is a link as unreadable and never rewrites the run.json it points to', async () => {
    const { runsDir, outside } = workspace();
    const victim = plantRun(outside, 'victim', sampleRecord('victim', { status: 'running', pid: deadPid() }));
    const before = readFileSync(join(victim, 'run.json'), 'utf8');
    symlinkSync(victim, join(runsDir, 'linked'));
    const [listed] = await scanRuns(runsDir);
    assert.equal(listed.id, 'linked');
    assert.equal(listed.record, undefined);
    assert.match(listed.problem ?? '', /linked is a symbolic link .*does not follow links/);
    await assert.rejects(readRun(join(runsDir, 'linked')), /symbolic link/);
    await assert.rejects(updateRun(join(runsDir, 'linked'), { label: 'x' }), /symbolic link/);
    assert.equal(readFileSync(join(victim, 'run.json'), 'utf8'), before);
    assert.deepEqual(readdirSync(victim), ['run.json']);
  });

  it('does not read run.json or metrics.jsonl that are links', async () => {
    const { runsDir, outside } = workspace();
    const secretRecord = join(outside, 'record.json');
    writeFileSync(secretRecord, JSON.stringify(sampleRecord('s', { status: 'running', pid: deadPid() })));
    mkdirSync(join(runsDir, 'a'));
    symlinkSync(secretRecord, join(runsDir, 'a', 'run.json'));
    const b = plantRun(runsDir, 'b', sampleRecord('b'));
    symlinkSync(join(outside, 'metrics.jsonl'), join(b, 'metrics.jsonl'));
    writeFileSync(join(outside, 'metrics.jsonl'), '{"kind":"epoch","epoch":0,"logs":{},"time":1}\n');
    const before = readFileSync(secretRecord, 'utf8');
    const listings = await scanRuns(runsDir);
    assert.match(listings.find((listing) => listing.id === 'a')?.problem ?? '', /run\.json is a symbolic link/);
    await assert.rejects(readRun(b), /metrics\.jsonl is a symbolic link/);
    assert.equal(readFileSync(secretRecord, 'utf8'), before);
  });

  it('reads misclassified images only from files inside the run folder, links resolved', async () => {
    const { runsDir, outside } = workspace();
    writeFileSync(join(outside, 'secret.png'), 'SECRET');
    const runDir = plantRun(runsDir, 'r', {});
    mkdirSync(join(runDir, 'misclassified'));
    writeFileSync(join(runDir, 'misclassified', '0.png'), 'PNG0');
    symlinkSync(join(outside, 'secret.png'), join(runDir, 'misclassified', 'link.png'));
    symlinkSync(outside, join(runDir, 'misclassified', 'dir'));
    const example = (file: string): { file: string; trueClass: number; predictedClass: number; confidence: number } => ({ file, trueClass: 0, predictedClass: 1, confidence: 0.9 });
    const record = sampleRecord('r', {
      evaluation: {
        loss: 1,
        accuracy: 0.5,
        classNames: ['a', 'b'],
        confusion: [],
        perClassAccuracy: [],
        misclassified: [example('misclassified/0.png'), example('misclassified/link.png'), example('misclassified/dir/secret.png'), example('../../../outside/secret.png'), example(join(outside, 'secret.png'))],
      },
    });
    const images = await readMisclassifiedImages(runDir, record);
    assert.deepEqual(images.map((image) => image.file), ['misclassified/0.png']);
    assert.equal(Buffer.from(images[0].dataUri.split(',')[1], 'base64').toString(), 'PNG0');
  });
});

describe('run folders from anywhere: one bad run is one unreadable row (issue 9.8)', () => {
  it('lists every other run and names what is wrong with each bad one', async () => {
    const { runsDir, outside } = workspace();
    RunWriter.create(runsDir, sampleRecord('good'));
    const { id: _id, ...noId } = sampleRecord('x');
    const { modelFile: _modelFile, ...noModelFile } = sampleRecord('x');
    plantRun(runsDir, 'no-id', noId);
    plantRun(runsDir, 'numeric-id', { ...sampleRecord('x'), id: 7 });
    plantRun(runsDir, 'no-model-file', noModelFile);
    plantRun(runsDir, 'numeric-label', { ...sampleRecord('x'), label: 42 });
    plantRun(runsDir, 'not-json', '{"id": ');
    plantRun(runsDir, 'array', '[]');
    plantRun(runsDir, 'bad-status', { ...sampleRecord('x'), status: 'exploded' });
    mkdirSync(join(runsDir, 'dangling-file'));
    symlinkSync(join(outside, 'nowhere.json'), join(runsDir, 'dangling-file', 'run.json'));
    mkdirSync(join(runsDir, 'looping-file'));
    symlinkSync('loop2', join(runsDir, 'looping-file', 'run.json'));
    symlinkSync('run.json', join(runsDir, 'looping-file', 'loop2'));
    symlinkSync(join(outside, 'gone'), join(runsDir, 'dangling-folder'));
    symlinkSync('looping-folder', join(runsDir, 'looping-folder'));

    const listings = await scanRuns(runsDir);
    const problems: Record<string, string> = Object.fromEntries(listings.flatMap((listing) => (listing.problem ? [[listing.id, listing.problem]] : [])));
    assert.deepEqual(listings.filter((listing) => listing.record).map((listing) => listing.id), ['good']);
    assert.match(problems['no-id'], /"id" is missing/);
    assert.match(problems['numeric-id'], /"id" is not a string/);
    assert.match(problems['no-model-file'], /"modelFile" is missing/);
    assert.match(problems['numeric-label'], /"label" is not a string/);
    assert.match(problems['not-json'], /not-json.run\.json is not valid JSON/);
    assert.match(problems.array, /not a JSON object/);
    assert.match(problems['bad-status'], /"status" is not one of running/);
    assert.match(problems['dangling-file'], /run\.json is a symbolic link/);
    assert.match(problems['looping-file'], /run\.json is a symbolic link/);
    assert.match(problems['dangling-folder'], /dangling-folder is a symbolic link/);
    assert.match(problems['looping-folder'], /looping-folder is a symbolic link/);
    for (const problem of Object.values(problems)) assert.match(problem, /Delete|Remove|Replace|Move|Rename|fix/i, `says what to do: ${problem}`);
    assert.deepEqual((await listRuns(runsDir)).map((run) => run.id), ['good']);
  });
});

describe('run folders from anywhere: leftover temporary files (issue 9.13)', () => {
  it('removes the temporary files of killed writers inside run folders when runs are listed, and nothing else', async () => {
    const { runsDir, outside } = workspace();
    const writer = RunWriter.create(runsDir, sampleRecord('r'));
    const dead = deadPid();
    mkdirSync(join(writer.runDir, 'model', 'last'), { recursive: true });
    const leftovers = [`run.json.${dead}.tmp`, `summary.txt.${dead}.k3f9a1.tmp`, join('model', 'last', `weights.bin.${dead}.tmp`), `run.json.${process.pid}.old.tmp`];
    const backdate = (file: string, ms: number): void => utimesSync(join(writer.runDir, file), new Date(Date.now() - ms), new Date(Date.now() - ms));
    for (const file of leftovers) {
      writeFileSync(join(writer.runDir, file), 'partial');
      backdate(file, 60_000);
    }
    // A live writer's file older than any write takes is left over too.
    backdate(`run.json.${process.pid}.old.tmp`, 3600_000);
    // Kept: not our pattern; a live writer's recent file; a file too fresh to judge (its writer may be in another container).
    const kept = ['notes.tmp', `run.json.${process.pid}.tmp`, 'model.json', `run.json.${dead}.fresh1.tmp`];
    for (const file of kept) writeFileSync(join(writer.runDir, file), 'keep');
    backdate('notes.tmp', 3600_000);
    backdate(`run.json.${process.pid}.tmp`, 60_000);
    writeFileSync(join(outside, 'target.txt'), 'outside');
    symlinkSync(join(outside, 'target.txt'), join(writer.runDir, `link.${dead}.tmp`));
    writeFileSync(join(runsDir, `stray.${dead}.tmp`), 'not in a run folder');

    assert.deepEqual((await listRuns(runsDir)).map((run) => run.id), ['r']);
    for (const file of leftovers) assert.equal(existsSync(join(writer.runDir, file)), false, file);
    for (const file of kept) assert.ok(existsSync(join(writer.runDir, file)), file);
    assert.ok(existsSync(join(writer.runDir, `link.${dead}.tmp`)));
    assert.equal(readFileSync(join(outside, 'target.txt'), 'utf8'), 'outside');
    assert.ok(existsSync(join(runsDir, `stray.${dead}.tmp`)));
  });
});

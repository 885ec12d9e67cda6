import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { TrainerCommand, TrainerEvent } from '../../src/channels/trainer';
import { listRuns, readRun } from '../../src/runs/store';
import { hasSavedModel } from '../../src/trainer/modelFiles';
import { job, temporaryDir, tinyCnn, writeModel } from './helpers';

const trainerEntry = join(__dirname, '..', '..', 'src', 'trainer', 'main.ts');

/** The trainer child exactly as the extension starts it, run from source through tsx. */
function startTrainer(): { child: ChildProcess; events: TrainerEvent[]; until(predicate: (event: TrainerEvent) => boolean): Promise<TrainerEvent>; exited: Promise<number | null> } {
  const child = fork(trainerEntry, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  const events: TrainerEvent[] = [];
  const waiters: { predicate: (event: TrainerEvent) => boolean; resolve: (event: TrainerEvent) => void }[] = [];
  child.on('message', (event: TrainerEvent) => {
    events.push(event);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(event)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    events,
    until: (predicate) => new Promise((resolve) => waiters.push({ predicate, resolve })),
    exited,
  };
}

describe('trainer child process', function () {
  this.timeout(120_000);

  it('leaves a readable run marked interrupted, with its finished epochs, when killed with SIGKILL mid-epoch', async () => {
    const dir = temporaryDir();
    const trainer = startTrainer();
    const command: TrainerCommand = { type: 'start', job: job(dir, writeModel(dir, tinyCnn({ epochs: 50 })), { trainExamples: 400 }) };
    trainer.child.send(command);
    await trainer.until((event) => event.type === 'batches' && event.epoch === 1);
    trainer.child.kill('SIGKILL');
    await trainer.exited;

    const [run] = await listRuns(join(dir, '.cnnlab', 'runs'));
    assert.equal(run.status, 'interrupted');
    assert.ok(run.epochsCompleted >= 1, `epochs completed: ${run.epochsCompleted}`);
    const { metrics } = await readRun(join(dir, '.cnnlab', 'runs', run.id));
    const epochs = metrics.filter((line) => line.kind === 'epoch').map((line) => line.epoch);
    assert.deepEqual(epochs, Array.from({ length: run.epochsCompleted }, (_, epoch) => epoch));
    assert.ok(metrics.some((line) => line.kind === 'batch' && line.epoch === 1));
    assert.deepEqual(run.finalMetrics, metrics.filter((line) => line.kind === 'epoch').at(-1)?.logs);
  });

  it('stops on the stop command, reports the stopped run and exits 0', async () => {
    const dir = temporaryDir();
    const trainer = startTrainer();
    trainer.child.send({ type: 'start', job: job(dir, writeModel(dir, tinyCnn({ epochs: 50 })), { trainExamples: 400 }) } satisfies TrainerCommand);
    await trainer.until((event) => event.type === 'epoch');
    trainer.child.send({ type: 'stop' } satisfies TrainerCommand);
    const finished = await trainer.until((event) => event.type === 'finished' || event.type === 'failed');
    assert.equal(finished.type, 'finished');
    assert.equal(finished.type === 'finished' && finished.status, 'stopped');
    assert.equal(await trainer.exited, 0);
    const [run] = await listRuns(join(dir, '.cnnlab', 'runs'));
    assert.equal(run.status, 'stopped');
  });

  it('stops on SIGINT (Stop Run from another window) as on the stop command, saving the model', async () => {
    const dir = temporaryDir();
    const trainer = startTrainer();
    trainer.child.send({ type: 'start', job: job(dir, writeModel(dir, tinyCnn({ epochs: 50 })), { trainExamples: 400 }) } satisfies TrainerCommand);
    await trainer.until((event) => event.type === 'epoch');
    trainer.child.kill('SIGINT');
    const finished = await trainer.until((event) => event.type === 'finished' || event.type === 'failed');
    assert.equal(finished.type === 'finished' && finished.status, 'stopped');
    assert.equal(await trainer.exited, 0);
    const [run] = await listRuns(join(dir, '.cnnlab', 'runs'));
    assert.equal(run.status, 'stopped');
    assert.ok(hasSavedModel(join(dir, '.cnnlab', 'runs', run.id, 'model', 'last')));
  });

  it('reports a failed run and exits 1 when the job cannot run', async () => {
    const dir = temporaryDir();
    const trainer = startTrainer();
    trainer.child.send({ type: 'start', job: job(dir, writeModel(dir, tinyCnn({ dataset: 'folder:missing' }))) } satisfies TrainerCommand);
    const failed = await trainer.until((event) => event.type === 'failed');
    assert.equal(failed.type === 'failed' && /does not exist/.test(failed.message), true);
    assert.equal(await trainer.exited, 1);
  });
});

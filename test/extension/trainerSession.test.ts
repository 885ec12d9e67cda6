import './fakeVscode';
import { strict as assert } from 'node:assert';
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { TrainerEvent } from '../../src/channels/trainer';
import { progressText, stopGraceMilliseconds, TrainingSession } from '../../src/extension/trainerManager';
import { record } from '../webview/fixtures';

function scriptedSession(behaviour: 'crash' | 'stubborn' | 'polite'): { session: TrainingSession; log: string[]; seen: TrainerEvent[] } {
  const child = fork(join(__dirname, 'fixtures', 'scriptedTrainer.js'), [behaviour], { execArgv: [], stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  const log: string[] = [];
  const session = new TrainingSession({ modelFile: '/w/m.model.json', workspaceFolder: '/w' }, child, (line) => log.push(line));
  const seen: TrainerEvent[] = [];
  session.onEvent((event) => seen.push(event));
  session.send({ type: 'start', job: { modelFile: '/w/m.model.json', runsDir: '/w/.cnnlab/runs' } });
  return { session, log, seen };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('trainer sessions', function () {
  this.timeout(stopGraceMilliseconds + 10_000);

  it('turns a trainer crash into a failed event and a settled done, never an exception', async () => {
    const { session, seen, log } = scriptedSession('crash');
    assert.equal(await session.done, undefined);
    assert.equal(session.runId, 'run-1');
    const last = seen[seen.length - 1];
    assert.equal(last?.type, 'failed');
    assert.match(last?.type === 'failed' ? last.message : '', /ended unexpectedly \(exit code 3\)/);
    assert.deepEqual(session.events, seen, 'events keeps everything onEvent delivered, for late viewers');
    assert.ok(log.some((line) => line.includes('exit code 3')));
  });

  it('stops politely: stop() resolves once the trainer reports the stopped record and exits', async () => {
    const { session } = scriptedSession('polite');
    await until(() => session.runId !== undefined);
    await session.stop();
    assert.equal((await session.done)?.status, 'stopped');
    assert.equal(session.events[session.events.length - 1]?.type, 'finished');
  });

  it('kills a trainer that ignores stop after the grace period', async () => {
    const { session, log } = scriptedSession('stubborn');
    await until(() => session.runId !== undefined);
    const started = Date.now();
    await session.stop();
    assert.ok(Date.now() - started >= stopGraceMilliseconds - 100);
    assert.ok(log.some((line) => line.includes('killing it')));
    const last = session.events[session.events.length - 1];
    assert.match(last?.type === 'failed' ? last.message : '', /did not stop within 5 s/);
  });

  it('a run that failed before `started` (its dataset could not be loaded) is known by its record\'s id', () => {
    const child = Object.assign(new EventEmitter(), { connected: false, pid: 1234, kill: () => true });
    const session = new TrainingSession({ modelFile: '/w/m.model.json', workspaceFolder: '/w' }, child as unknown as ChildProcess, () => undefined);
    assert.equal(session.runId, undefined);
    child.emit('message', { type: 'progress', message: 'Loading mnist' });
    child.emit('message', { type: 'failed', message: 'Could not download mnist.', hint: 'Point CNNLAB_DATA_DIR at the files.', record: record({ id: 'run-9', status: 'failed' }) });
    assert.equal(session.runId, 'run-9');
    assert.equal(session.events.at(-1)?.type, 'failed');
  });

  it('sums progress up as `epoch N/total · acc A` for the status bar', async () => {
    assert.equal(progressText([]), 'starting');
    assert.equal(progressText([{ type: 'progress', message: 'Decoding images 40 %' }]), 'Decoding images 40 %');
    const { session } = scriptedSession('crash');
    await session.done;
    // One epoch finished (event epoch 0), a batch of the second reported with acc 0.91: epochs
    // completed, as the panel's "Epoch 1 / 10" counts them (issue 10 item 5).
    assert.equal(progressText(session.events), 'epoch 1/10 · acc 0.91');
  });
});

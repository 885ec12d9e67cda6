// Trainer child process entry (dist/trainer.js), forked by the extension with an IPC channel.
// Protocol (src/protocol.ts): the parent sends `{type:'start', job}` once, may send `{type:'stop'}`;
// this process answers with TrainerEvents and exits when the run has ended. An error that escapes
// runTraining still reaches the parent as a `failed` event and leaves a failed run on disk.
import { isTrainerCommand, whyNotTrainerCommand, type TrainerEvent, type TrainJob } from '../channels/trainer';
import type { RunRecord } from '../runs/format';
import { markRunFailed } from '../runs/store';
import { hintFor } from './errors';
import { runTraining } from './train';

/** The folder of the run in progress, so that a last-resort failure can still be written into it. */
let currentRunDir: string | undefined;

function send(event: TrainerEvent): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) {
      resolve();
      return;
    }
    process.send(event, undefined, {}, () => resolve());
  });
}

function failWith(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  const hint = hintFor(error);
  const failure = { message, ...(hint ? { hint } : {}) };
  const recorded: Promise<RunRecord | undefined> = currentRunDir ? markRunFailed(currentRunDir, failure).catch(() => undefined) : Promise.resolve(undefined);
  void recorded
    .then((record) => send({ type: 'failed', ...failure, ...(record ? { record } : {}) }))
    .finally(() => process.exit(1));
}

async function train(job: TrainJob, stop: AbortController): Promise<void> {
  const pending: Promise<void>[] = [];
  const record = await runTraining(
    job,
    (event) => {
      if (event.type === 'started') currentRunDir = event.runDir;
      pending.push(send(event));
    },
    stop.signal,
  );
  // Every event must reach the parent before the channel closes with the process.
  await Promise.all(pending);
  process.exitCode = record?.status === 'completed' || record?.status === 'stopped' ? 0 : 1;
  process.disconnect?.();
}

function main(): void {
  if (!process.send) {
    process.stderr.write('dist/trainer.js is started by CNN Lab with an IPC channel (child_process.fork); use `cnnlab train FILE` from a terminal.\n');
    process.exitCode = 2;
    return;
  }
  const stop = new AbortController();
  let started = false;
  process.on('message', (message: unknown) => {
    if (!isTrainerCommand(message)) {
      process.stderr.write(`cnnlab trainer: ignored a message from the host (${whyNotTrainerCommand(message)}).\n`);
      return;
    }
    if (message.type === 'stop') {
      stop.abort();
    } else if (message.type === 'start' && !started) {
      started = true;
      train(message.job, stop).catch(failWith);
    }
  });
  // A parent that goes away (VS Code closed, extension host crash) means nobody wants this run:
  // stop after the current batch so that the model is saved and the run is marked stopped.
  process.on('disconnect', () => stop.abort());
  // Stop Run from another window signals the trainer it has proven to be (src/runs/trainerProcess.ts):
  // the same graceful stop as the `stop` message, so the model is saved.
  process.on('SIGINT', () => stop.abort());
  process.on('uncaughtException', failWith);
  process.on('unhandledRejection', failWith);
}

main();

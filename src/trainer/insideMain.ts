// Inside child process entry (dist/inside.js), forked by the run panel with an IPC channel for
// each look inside a run (src/extension/insideClient.ts): tfjs and the model stay out of the
// extension host. Protocol (src/channels/inside.ts): the host sends one `inside` request; this
// process answers `result` or `error` and exits.
import { isInsideRequest, whyNotInsideRequest, type InsideAnswer, type InsideRequest } from '../channels/inside';
import { UserError } from '../util/userError';
import { selectBackend } from './backends';
import { installFastCpuKernels } from './cpuKernels';
import { lookInside, toInsideView } from './inside';

function send(answer: InsideAnswer): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) {
      resolve();
      return;
    }
    process.send(answer, undefined, {}, () => resolve());
  });
}

async function answer(request: InsideRequest): Promise<InsideAnswer> {
  try {
    // One image through a small network: the pure-JS CPU backend needs no native addon and starts at once.
    await selectBackend('cpu');
    installFastCpuKernels();
    const { runDir, image, className, maxMaps, baseDir, dataDir, cacheDir } = request;
    const result = await lookInside(runDir, image, { className, maxMaps, baseDir, dataDir, cacheDir });
    return { type: 'result', view: toInsideView(result) };
  } catch (error) {
    if (error instanceof UserError) return { type: 'error', message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
    return { type: 'error', message: `Looking inside the run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`, hint: 'This is a bug in CNN Lab; the CNN Lab output has the details.' };
  }
}

function main(): void {
  if (!process.send) {
    process.stderr.write('dist/inside.js is started by CNN Lab with an IPC channel (child_process.fork); use `cnnlab inside RUN IMAGE --out DIR` from a terminal.\n');
    process.exitCode = 2;
    return;
  }
  process.once('message', (message: unknown) => {
    const done = (reply: InsideAnswer): Promise<void> => send(reply).finally(() => process.disconnect?.());
    if (!isInsideRequest(message)) {
      void done({ type: 'error', message: `The Inside process received a malformed request: ${whyNotInsideRequest(message)}.` });
      return;
    }
    void answer(message).then(done);
  });
}

main();

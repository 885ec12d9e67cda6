// Stopping a run that this window did not start (the CLI, another window). The pid in run.json is
// data from a file anyone can write: -1 signals every process of the user, 0 the whole process
// group, and any other number may by now belong to an unrelated process. So a pid is signalled only
// when the process proves it is the run's trainer: on Linux, its RunWriter holds the run folder
// open, which /proc/<pid>/fd shows (a file cannot make another process do that). Elsewhere, or
// without that proof, nothing is signalled and the caller says where to stop the run instead.
import { holdsRunFolder, isProcessAlive } from './store';

export type StopOutcome = { signalled: true; pid: number } | { signalled: false; reason: string };

/** Asks the trainer of `runDir` to stop (SIGINT, as Ctrl+C in its terminal) if `pid` is provably that trainer. */
export async function stopForeignTrainer(runDir: string, pid: unknown, signal: (pid: number) => void = (target) => process.kill(target, 'SIGINT')): Promise<StopOutcome> {
  const elsewhere = 'It was started by another window or a terminal: stop it there (Ctrl+C in the terminal running `cnnlab train`). If that process is gone, the run will be marked interrupted.';
  if (pid === undefined) return { signalled: false, reason: `The run in ${runDir} records no trainer process. ${elsewhere}` };
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 1 || pid === process.pid) {
    return { signalled: false, reason: `The run in ${runDir} names ${JSON.stringify(pid)} as its trainer process, which cannot be a trainer; nothing was signalled. ${elsewhere}` };
  }
  if (!isProcessAlive(pid)) return { signalled: false, reason: `The trainer process ${pid} of the run in ${runDir} is gone; the run will be marked interrupted.` };
  const proven = await holdsRunFolder(pid, runDir);
  if (proven !== true) {
    const why = proven === false ? `process ${pid} is not this run's trainer (it does not hold the run folder open)` : `CNN Lab cannot confirm that process ${pid} is this run's trainer on this system`;
    return { signalled: false, reason: `Not stopping: ${why}; nothing was signalled. ${elsewhere}` };
  }
  try {
    signal(pid);
  } catch (error) {
    return { signalled: false, reason: `Could not signal trainer process ${pid} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}). ${elsewhere}` };
  }
  return { signalled: true, pid };
}

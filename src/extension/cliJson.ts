// Running a `cnnlab … --json` command in the trainer's Node (so tfjs never loads in the extension
// host) and reading its one JSON answer: shared by Predict Image… and Export to Keras….
import type { ChildProcess } from 'node:child_process';

/** The child's whole stdout and exit code; killed after `timeoutMs`. */
export function collectOutput(child: ChildProcess, timeoutMs: number): Promise<{ stdout: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ stdout, code });
    });
  });
}

/** The command's JSON when it reports an error or `succeeded` holds, else an error naming `what` did not finish. */
export function parseCliJson<T extends { error?: { message: string; hint?: string } }>(stdout: string, exitCode: number | null, what: string, succeeded: (parsed: T) => boolean): T {
  const start = stdout.indexOf('{');
  if (start >= 0) {
    try {
      const parsed = JSON.parse(stdout.slice(start)) as T;
      if (parsed.error || (succeeded(parsed) && exitCode === 0)) return parsed;
    } catch {
      // not JSON: reported below
    }
  }
  return { error: { message: `The ${what} did not finish (exit code ${exitCode ?? 'none'}).`, hint: 'The CNN Lab output channel has the details.' } } as T;
}

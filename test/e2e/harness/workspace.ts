// Each scenario works in its own copy of samples/, as a user's checkout of the samples would be.
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunRecord } from '../../../src/runs/format';
import { repoRoot } from './codeServer';

export function createWorkspace(label: string): string {
  const workspace = mkdtempSync(join(tmpdir(), `cnnlab-e2e-${label}-`));
  cpSync(join(repoRoot, 'samples'), workspace, { recursive: true });
  return workspace;
}

export function runsDir(workspace: string): string {
  return join(workspace, '.cnnlab', 'runs');
}

/** Every run.json the trainer wrote into the workspace, oldest first. */
export function readRuns(workspace: string): RunRecord[] {
  const dir = runsDir(workspace);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((id) => existsSync(join(dir, id, 'run.json')))
    .map((id) => JSON.parse(readFileSync(join(dir, id, 'run.json'), 'utf8')) as RunRecord)
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

/** The epoch lines of a run's metrics.jsonl. */
export function epochLines(workspace: string, runId: string): { epoch: number; logs: Record<string, number> }[] {
  const file = join(runsDir(workspace), runId, 'metrics.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as { kind: string; epoch: number; logs: Record<string, number> })
    .filter((line) => line.kind === 'epoch');
}

/** Waits until `check` returns a value (not undefined), polling the disk. */
export async function waitFor<T>(what: string, check: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolveLater) => setTimeout(resolveLater, 250));
  }
}

// Run folders written by hand, the way a cloned repository or a killed trainer leaves them.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../../src/runs/format';

export function sampleRecord(id: string, overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    id,
    modelFile: 'm.model.json',
    modelSource: '{}',
    ir: { name: 'm', format: 'json', topology: 'sequential', layers: [], inputs: [], outputs: [] },
    summary: { name: 'm', topology: 'sequential', layers: [], totalParams: 0, trainableParams: 0, nonTrainableParams: 0, flops: 0, weightBytes: 0, diagnostics: [] },
    dataset: 'shapes',
    training: {},
    status: 'completed',
    startedAt: '2026-01-01T00:00:00.000Z',
    epochsCompleted: 1,
    epochsPlanned: 1,
    ...overrides,
  };
}

export function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

/** A run folder written by hand, the way a cloned repository carries one. */
export function plantRun(runsDir: string, folder: string, record: unknown): string {
  const runDir = join(runsDir, folder);
  mkdirSync(runDir, { recursive: true });
  writeFileSync(join(runDir, 'run.json'), typeof record === 'string' ? record : JSON.stringify(record));
  return runDir;
}


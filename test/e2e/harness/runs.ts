// Runs that scenarios can count on whatever the machine's speed: a run meant to be watched while it
// trains is given far more epochs than the watching needs and is stopped by the scenario itself; a
// run that must also complete is given epochs for a set time on this machine, measured on a run
// the scenario trained before. Every run is found by its id on disk, never by being the only one.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../../../src/runs/format';
import { metricsLines } from './runLifecycle';
import { contextMenu, type Workbench } from './workbench';
import { readRuns, waitFor } from './workspace';

export const endStatuses = ['completed', 'stopped', 'failed', 'interrupted'];

/** Epochs for a run that the scenario stops itself: no machine trains them all while it is being watched. */
export const untilStopped = 1000;

/** The ids of the runs on disk now: give them to `newRun` to find the run started after. */
export function runIds(workspace: string): Set<string> {
  return new Set(readRuns(workspace).map((record) => record.id));
}

/** The run.json of the run started after `before` (the ids there were then), waited for. */
export async function newRun(workspace: string, before: Set<string>, timeoutMs = 120_000): Promise<RunRecord> {
  return waitFor('a new run folder', () => readRuns(workspace).find((record) => !before.has(record.id)), timeoutMs);
}

/** The run.json of `runId` once it says `status`, waited for. */
export async function runWithStatus(workspace: string, runId: string, status: string, timeoutMs = 30_000): Promise<RunRecord> {
  return waitFor(`run.json of ${runId} to say ${status}`, () => readRuns(workspace).find((record) => record.id === runId && record.status === status), timeoutMs);
}

/** The run.json of `runId` once the run has ended (completed, stopped, failed or interrupted), waited for. */
export async function endedRun(workspace: string, runId: string, timeoutMs: number): Promise<RunRecord> {
  return waitFor(`run ${runId} to end`, () => readRuns(workspace).find((record) => record.id === runId && endStatuses.includes(record.status)), timeoutMs);
}

/**
 * Takes early stopping out of a model file of the workspace, so that a run trains every epoch asked
 * for until the scenario stops it (early stopping would end a long run as `completed` on its own,
 * sooner on a fast machine than on a slow one).
 */
export function withoutEarlyStopping(workspace: string, modelFile: string): void {
  const file = join(workspace, modelFile);
  const model = JSON.parse(readFileSync(file, 'utf8')) as { training?: Record<string, unknown> };
  if (model.training) delete model.training.earlyStopping;
  writeFileSync(file, `${JSON.stringify(model, null, 2)}\n`);
}

/**
 * How long an epoch of `runId` took on this machine, in ms: from the first batch of its first epoch
 * to its last epoch line, over the epochs it trained (dataset loading and testing left out).
 */
export function msPerEpoch(workspace: string, runId: string): number {
  const lines = metricsLines(workspace, runId);
  const firstBatch = lines.find((line) => line.kind === 'batch');
  const epochs = lines.filter((line) => line.kind === 'epoch');
  if (!firstBatch || epochs.length === 0) throw new Error(`run ${runId} trained no epoch to time`);
  const time = (line: object): number => (line as { time: number }).time;
  return Math.max(1, (time(epochs[epochs.length - 1]) - time(firstBatch)) / epochs.length);
}

/** The epochs, between `min` and `max`, that train for about `ms` at `perEpochMs` an epoch. */
export function epochsLasting(ms: number, perEpochMs: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.ceil(ms / perEpochMs)));
}

/**
 * Presses Stop in whichever webview shows it (code-server may replace a panel's frame) and waits
 * for a panel to say `stopped`.
 */
export async function pressStop(workbench: Workbench, timeoutMs = 60_000): Promise<void> {
  const panel = await workbench.webviewFrameShowing('[data-testid="stop-button"]', 20_000);
  await panel.locator('[data-testid="stop-button"]').click({ timeout: 20_000 });
  await workbench.webviewFrameShowing('[data-testid="run-status"][data-status="stopped"]', timeoutMs);
}

/**
 * Stops the runs a failed scenario left training (SIGINT to the pid in their run.json: the trainer's
 * own stop, which ends the run `stopped`), so that they do not slow down the scenarios after it.
 */
export async function stopLeftoverRuns(workspace: string): Promise<void> {
  if (!existsSync(workspace)) return;
  const running = readRuns(workspace).filter((record) => record.status === 'running' && record.pid !== undefined);
  for (const record of running) {
    try {
      process.kill(record.pid!, 'SIGINT');
    } catch {
      // Already gone.
    }
  }
  if (running.length === 0) return;
  const ids = new Set(running.map((record) => record.id));
  await waitFor('the left-over runs to end', () => (readRuns(workspace).some((record) => ids.has(record.id) && record.status === 'running') ? undefined : true), 60_000).catch(
    () => undefined,
  );
}

/**
 * The start of a scenario that needs nothing of the ones before: no quick input, dialog, context
 * menu or editor left open, no notification left on screen.
 */
export async function startFresh(workbench: Workbench): Promise<void> {
  const page = workbench.page;
  for (let attempt = 0; attempt < 3; attempt++) {
    const open = await page.locator('.quick-input-widget').isVisible().catch(() => false);
    const dialog = await page.locator('.monaco-dialog-box').isVisible().catch(() => false);
    const menu = await page.locator(contextMenu).isVisible().catch(() => false);
    if (!open && !dialog && !menu) break;
    await page.keyboard.press('Escape');
    await page.waitForTimeout(200);
  }
  await workbench.runCommand('Notifications: Clear All Notifications');
  await workbench.runCommand('View: Close All Editors');
  await page.locator('.part.editor .tabs-container .tab').first().waitFor({ state: 'detached', timeout: 15_000 });
}

// Helpers of the run-lifecycle scenarios (resume, deleted and failed runs): Runs view context
// menus, modal dialogs, editor tabs, and every line of a run's metrics.jsonl.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import type { Workbench } from './workbench';
import { runsDir } from './workspace';

/**
 * Right-clicks `target` (a tree row) and picks `action` from its context menu, as a user does.
 * code-server draws the menu in HTML (inside a shadow root, which locators pierce).
 */
export async function pickContextMenuItem(workbench: Workbench, target: Locator, action: string): Promise<void> {
  await target.click({ button: 'right' });
  const item = workbench.page.locator('.monaco-menu .action-item .action-label', { hasText: action }).first();
  await item.waitFor({ state: 'visible', timeout: 15_000 });
  // The menu closes as its action runs. On a busy machine a click can be lost (seen: the item
  // highlighted under the pointer, the menu still open seconds later, nothing run): it is clicked
  // again, and the last time chosen with Enter, as the keyboard does.
  await workbench.retryOnScreen(
    `the context menu's ${action} did not run (the menu stayed open)`,
    3,
    async (tryNumber) => {
      if (tryNumber < 3) {
        await item.click({ timeout: 10_000 });
      } else {
        await item.hover({ timeout: 10_000 });
        await workbench.page.keyboard.press('Enter');
      }
      return item.waitFor({ state: 'hidden', timeout: 3_000 }).then(
        () => true,
        () => false,
      );
    },
  );
}

/** Presses `label` in the modal dialog on screen (showWarningMessage with `modal: true`); returns the dialog's text. */
export async function answerModalDialog(workbench: Workbench, label: string): Promise<string> {
  const dialog = workbench.page.locator('.monaco-dialog-box').first();
  await dialog.waitFor({ state: 'visible', timeout: 15_000 });
  const text = (await dialog.textContent()) ?? '';
  await dialog.locator('.monaco-button', { hasText: label }).first().click();
  await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
  return text;
}

/** The editor tabs whose title contains `title` (webview panels included). */
export function editorTabs(workbench: Workbench, title: string | RegExp): Locator {
  return workbench.page.locator('.tabs-container .tab', { hasText: title });
}

/** The title of the active editor tab (a panel's tab: `CNN Lab: <run name>`). */
export async function activeTabTitle(workbench: Workbench): Promise<string> {
  const tab = workbench.page.locator('.editor-group-container.active .tab.active .label-name').first();
  return ((await tab.textContent()) ?? '').trim();
}

/** Every line of a run's metrics.jsonl (batch and epoch lines), in file order. */
export function metricsLines(workspace: string, runId: string): { kind: 'batch' | 'epoch'; epoch: number; batch?: number; step?: number; logs: Record<string, number> }[] {
  const file = join(runsDir(workspace), runId, 'metrics.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as { kind: 'batch' | 'epoch'; epoch: number; batch?: number; step?: number; logs: Record<string, number> });
}

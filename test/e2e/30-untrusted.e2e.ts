// Scenario 7: a workspace opened without trust (Restricted Mode). Hints on JSON models still work;
// training is refused with a message, and nothing is written to the workspace.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { Workbench } from './harness/workbench';
import { runsDir } from './harness/workspace';
import { useCodeServerSession } from './harness/session';

describe('e2e: untrusted workspace (Restricted Mode)', function () {
  let workbench: Workbench;
  let workspace: string;

  useCodeServerSession('untrusted', { trusted: false }, (opened) => {
    ({ workspace, workbench } = opened);
  });

  it('opens in Restricted Mode and still shows the shape hints of a JSON model', async function () {
    await workbench.page.locator('.statusbar-item', { hasText: /Restricted Mode/i }).first().waitFor({ timeout: 30_000 });
    await workbench.openFile('seed002-mnist-conv-pool.model.json');
    const lenses = workbench.activeEditor().locator('.codelens-decoration');
    await lenses.filter({ hasText: '163,055' }).first().waitFor({ timeout: 60_000 });
    const texts = await workbench.codeLensTexts();
    assert.ok(texts.includes('→ (None, 26, 26, 64) · 640 params'), `CodeLenses: ${texts.join(' | ')}`);
    assert.ok(!texts.includes('▶ Train'), `no Train lens where training is refused: ${texts.join(' | ')}`);
    await workbench.screenshot('07-untrusted-hints');
  });

  it('refuses to train with a message that says why, and writes no run', async function () {
    await workbench.runCommand('CNN Lab: Train Model');
    const refusal = workbench.page.locator('.notification-toast', { hasText: /trusted/i }).first();
    const settingsStep = workbench.page.locator('.quick-input-list .monaco-list-row', { hasText: 'Start with these settings' }).first();
    await refusal.waitFor({ timeout: 30_000 });
    assert.equal(await settingsStep.isVisible(), false, 'no training settings are asked for before the refusal');
    const message = (await refusal.textContent()) ?? '';
    assert.match(message, /trust/i, message);
    await workbench.screenshot('07-untrusted-training-refused');
    await workbench.page.waitForTimeout(2_000);
    assert.equal(existsSync(runsDir(workspace)), false, 'no .cnnlab/runs folder was created');
    const panels = workbench.page.locator('.tabs-container .tab', { hasText: /CNN Lab:/ });
    assert.equal(await panels.count(), 0, 'no training panel opened');
  });
});

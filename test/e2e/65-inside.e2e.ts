// The run panel's Inside tab on a run trained beforehand with `cnnlab train` (a short shapes run):
// a test example looked at, its feature maps per layer with the summary's shapes, Grad-CAM of the
// predicted class and of a class picked, a misclassified example opened from its thumbnail.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { repoRoot } from './harness/codeServer';
import { runRows, type Workbench } from './harness/workbench';
import { readRuns } from './harness/workspace';
import { useCodeServerSession } from './harness/session';

async function waitForLook(panel: Frame, label: RegExp): Promise<void> {
  await panel.locator('[data-testid="inside-image-label"]', { hasText: label }).waitFor({ timeout: 120_000 });
  await panel.locator('[data-testid="inside-status"][data-busy="false"]').waitFor({ state: 'attached', timeout: 120_000 });
}

describe('e2e: the Inside tab of a run', function () {
  let workbench: Workbench;
  let workspace: string;

  useCodeServerSession('inside', {
    trusted: true,
    settings: { 'cnnLab.backend': 'cpu' },
    // A finished run on disk before the window opens: trained in a terminal, as a user may.
    prepare: (folder) => {
      execFileSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), 'train', 'shapes-cnn.model.json', '--epochs', '4', '--train-examples', '1500', '--test-examples', '100', '--backend', 'cpu'], { cwd: folder, stdio: 'ignore' });
    },
  }, (opened) => {
    ({ workspace, workbench } = opened);
  });

  it('shows filters, feature maps and Grad-CAM for a test example, a picked class and a misclassified example', async function () {
    this.timeout(600_000);
    const [run] = readRuns(workspace);
    assert.equal(run?.status, 'completed');
    const sidebar = await workbench.openCnnLabSidebar();
    const row = runRows(sidebar).first();
    await row.waitFor({ timeout: 60_000 });
    await row.click();
    const panel = await workbench.webviewFrame('run-page');
    await panel.locator('[data-testid="tab-inside"]').click();
    await panel.locator('[data-testid="inside-tab"]').waitFor({ state: 'visible' });
    await panel.locator('[data-testid="inside-test-index"]').fill('3');
    await panel.locator('[data-testid="inside-look"]').click();
    await waitForLook(panel, /^test example 3 of shapes/);

    // One grid per convolution, headed with the summary's output shape and channel count.
    const convolutions = run.summary.layers.filter((layer) => layer.className === 'Conv2D');
    const headings = await panel.locator('[data-testid="inside-layer"] h4').allTextContents();
    assert.deepEqual(headings, convolutions.map((layer) => `${layer.name} (Conv2D) · output (${layer.outputShape.map((dim) => dim ?? 'None').join(', ')}) · ${layer.outputShape.at(-1)} channels`));
    assert.equal(await panel.locator('[data-testid="inside-filters"]').count(), 1);
    assert.equal(await panel.locator('[data-testid="inside-top"] tbody tr').count(), 4);
    const predicted = await panel.locator('[data-testid="inside-gradcam"]').first().getAttribute('data-class');
    assert.ok(predicted, 'a Grad-CAM map of the predicted class');
    // The feature maps are drawn when scrolled into view: the last layer's canvas gets its pixels then.
    const lastGrid = panel.locator('[data-testid="inside-feature-maps"]').last();
    await lastGrid.scrollIntoViewIfNeeded();
    for (let tries = 0; (await lastGrid.getAttribute('data-drawn')) !== 'true' && tries < 40; tries++) await panel.page().waitForTimeout(250);
    assert.equal(await lastGrid.getAttribute('data-drawn'), 'true', 'the last layer\'s maps were drawn once in view');
    await panel.locator('[data-testid="inside-image"]').scrollIntoViewIfNeeded();
    await workbench.screenshot('65-inside-test-example');

    // Another class: its map beside the predicted one's.
    const other = run.evaluation?.classNames.find((name) => name !== predicted) ?? 'circle';
    await panel.locator('[data-testid="inside-class"]').selectOption(other);
    await panel.locator(`[data-testid="inside-gradcam"][data-class="${other}"]`).waitFor({ timeout: 120_000 });
    assert.deepEqual(await panel.locator('[data-testid="inside-gradcam"]').evaluateAll((canvases) => canvases.map((canvas) => canvas.getAttribute('data-class'))), [predicted, other]);
    await workbench.screenshot('65-inside-class-picked');

    // A misclassified example of the run, from its thumbnail.
    // The seeded run (about 0.87 test accuracy) always misclassifies some of its 100 test examples.
    const thumbnail = panel.locator('[data-testid="inside-misclassified"] button').first();
    assert.ok((run.evaluation?.misclassified.length ?? 0) > 0 && (await thumbnail.count()) > 0, 'misclassified examples offered');
    const file = (await thumbnail.getAttribute('data-file')) ?? '';
    await thumbnail.click();
    await waitForLook(panel, new RegExp(file.split('/').pop()?.replace('.', '\\.') ?? ''));
    await workbench.screenshot('65-inside-misclassified');
  });
});

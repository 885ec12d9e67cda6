// Keras saved models in a real VS Code (issue 13 items 3, 4): a .keras and an .h5 file open as
// CNN Lab's read-only page with Keras's summary (the .h5 read by h5wasm in the extension host, its
// nested MobileNetV2 base's rows included), and Predict Image… on the .h5 page shows the image's
// top classes beside it, Keras's most probable class first with Keras's probability.
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { repoRoot } from './harness/codeServer';
import type { Workbench } from './harness/workbench';
import { useCodeServerSession } from './harness/session';

const FIXTURES = join(repoRoot, 'test', 'fixtures', 'keras-saved');

describe('e2e: Keras saved models (.keras, .h5) and Predict Image…', function () {
  let workbench: Workbench;
  let workspace: string;

  useCodeServerSession('keras', { trusted: true }, (opened) => {
    ({ workspace, workbench } = opened);
    for (const file of ['mnist_cnn.keras', 'mobilenetv2_transfer.h5', 'mobilenetv2_transfer.input0.png']) copyFileSync(join(FIXTURES, file), join(workspace, file));
  });

  async function openKerasFile(fileName: string, totals: string): Promise<Frame> {
    await workbench.page.keyboard.press('Control+P');
    const input = workbench.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(fileName);
    await workbench.page.locator('.quick-input-list .monaco-list-row', { hasText: fileName }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await workbench.page.keyboard.press('Enter');
    const frame = await workbench.webviewFrameShowing(`[data-testid="keras-totals"]:has-text("${totals}")`, 90_000);
    return frame;
  }

  it('opens a .keras file as its Keras summary', async function () {
    const frame = await openKerasFile('mnist_cnn.keras', 'Total params: 56,714');
    const summary = (await frame.locator('[data-testid="keras-summary"]').textContent()) ?? '';
    assert.match(summary, /conv2d \(Conv2D\)\(None, 26, 26, 16\)160/);
    assert.match(summary, /dense_1 \(Dense\)\(None, 10\)650/);
    await workbench.screenshot('50-keras-summary');
  });

  it('opens an .h5 file, its nested base model row by row', async function () {
    const frame = await openKerasFile('mobilenetv2_transfer.h5', 'Total params: 416,613');
    const summary = (await frame.locator('[data-testid="keras-summary"]').textContent()) ?? '';
    assert.match(summary, /mobilenetv2_0\.35_64 \(Functional\)\(None, 2, 2, 1280\)410,208frozen/);
    assert.match(summary, /Conv_1_bn \(BatchNormalization\)/);
    await workbench.screenshot('50-h5-summary');
  });

  it('predicts an image with the .h5 file (nested base included): the image beside its top classes', async function () {
    this.timeout(240_000);
    // The .h5 page opened last is the one on screen.
    const frame = await workbench.webviewFrameShowing('[data-testid="keras-totals"]:has-text("Total params: 416,613")', 30_000);
    await frame.locator('#predict').click();
    // code-server's own file dialog, opened in the model's folder: pick the image's row, then accept.
    const row = workbench.page.locator('.quick-input-list .monaco-list-row', { hasText: 'mobilenetv2_transfer.input0.png' }).first();
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    await row.click();
    await workbench.page.keyboard.press('Enter');
    const result = await workbench.webviewFrameShowing('[data-testid="prediction-top"]', 180_000);
    const expected = JSON.parse(readFileSync(join(FIXTURES, 'mobilenetv2_transfer.expected.json'), 'utf8')) as { cases: { softmax: number[]; argmax: number }[] };
    const rows = await result.locator('[data-testid="prediction-top"] tbody tr').allTextContents();
    const percent = `${(expected.cases[0].softmax[expected.cases[0].argmax] * 100).toFixed(2)} %`;
    assert.equal(rows[0], `${expected.cases[0].argmax}${percent}`, rows.join(' | '));
    assert.equal(await result.locator('img').count(), 1);
    await workbench.screenshot('50-prediction');
  });
});

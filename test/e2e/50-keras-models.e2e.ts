// Keras saved models in a real VS Code (issue 13 items 3, 4): a .keras and an .h5 file open as
// CNN Lab's read-only page with Keras's summary (the .h5 read by h5wasm in the extension host, its
// nested MobileNetV2 base's rows included), and Predict Image… on the .h5 page shows the image's
// top classes beside it, Keras's most probable class first with Keras's probability. Fine-tune… on
// a .keras file asks for the settings and trains from the file's weights (run.json says so).
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { exportKerasModel } from '../../src/keras/exportModel';
import { analyzeModel } from '../../src/model';
import type { RunRecord } from '../../src/runs/format';
import { buildModel } from '../../src/trainer/buildModel';
import { repoRoot } from './harness/codeServer';
import type { Workbench } from './harness/workbench';
import { useCodeServerSession } from './harness/session';

const FIXTURES = join(repoRoot, 'test', 'fixtures', 'keras-saved');

/** A small CNN for the shapes dataset (4 classes) with a frozen convolution, saved as a .keras file by CNN Lab's own export. */
async function shapesKerasFile(): Promise<Uint8Array> {
  const layers = [
    { type: 'Conv2D', name: 'conv', filters: 4, kernelSize: 3, activation: 'relu', trainable: false },
    { type: 'MaxPooling2D', name: 'pool', poolSize: 2 },
    { type: 'Flatten', name: 'flatten' },
    { type: 'Dense', name: 'head', units: 4, activation: 'softmax' },
  ];
  const analysis = analyzeModel(JSON.stringify({ name: 'shapes-cnn', inputShape: [16, 16, 1], layers }), 'shapes-cnn.model.json');
  assert.ok(analysis.ir && analysis.summary);
  const model = buildModel(analysis.ir, 7);
  try {
    return (await exportKerasModel(model, analysis.ir, { summary: analysis.summary })).archive;
  } finally {
    model.dispose();
  }
}

/** The first run.json under the workspace's runs folder with a final status, waiting for it. */
async function finishedRun(workspace: string, timeoutMs: number): Promise<RunRecord> {
  const runsDir = join(workspace, '.cnnlab', 'runs');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const folder of existsSync(runsDir) ? readdirSync(runsDir) : []) {
      const file = join(runsDir, folder, 'run.json');
      const record = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as RunRecord) : undefined;
      if (record && record.status !== 'running') return record;
    }
    if (Date.now() > deadline) throw new Error(`no run finished in ${runsDir} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe('e2e: Keras saved models (.keras, .h5) and Predict Image…', function () {
  let workbench: Workbench;
  let workspace: string;

  useCodeServerSession('keras', { trusted: true }, (opened) => {
    ({ workspace, workbench } = opened);
    for (const file of ['mnist_cnn.keras', 'mobilenetv2_transfer.h5', 'mobilenetv2_transfer.input0.png']) copyFileSync(join(FIXTURES, file), join(workspace, file));
  });

  async function openKerasFile(fileName: string, totals: string): Promise<Frame> {
    // The fine-tuning scenario writes its file while the window is open: quick open may not list it at first.
    await workbench.quickOpenOnceFound(fileName);
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

  it("fine-tunes a .keras file from its own weights: Fine-tune… asks for the settings, a quick trial runs, run.json names the file", async function () {
    this.timeout(420_000);
    writeFileSync(join(workspace, 'shapes_cnn.keras'), await shapesKerasFile());
    const frame = await openKerasFile('shapes_cnn.keras', 'Total params: 828');
    await frame.locator('#fineTune').click();
    await workbench.page.locator('.quick-input-widget', { hasText: 'Fine-tune shapes_cnn.keras' }).waitFor({ state: 'visible', timeout: 30_000 });
    await workbench.pickQuickItem('Quick trial');
    await workbench.webviewFrame('run-page');
    const record = await finishedRun(workspace, 360_000);
    assert.equal(record.status, 'completed', JSON.stringify(record.error));
    assert.equal(record.modelFile, 'shapes_cnn.keras');
    assert.deepEqual(record.initialWeights, { from: 'shapes_cnn.keras' });
    await workbench.webviewFrameShowing('[data-testid="run-status"][data-status="completed"]', 60_000);
    await workbench.screenshot('50-fine-tune');
  });
});

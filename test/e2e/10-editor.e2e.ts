// Scenarios 1 and 2: shape hints while editing, in a real VS Code, on the seed-002 MNIST conv-pool model.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './harness/codeServer';
import type { Workbench } from './harness/workbench';
import { useCodeServerSession } from './harness/session';

/**
 * Keras's own `model.summary()` for seed 002's conv-pool model (copied from
 * shared/reference/seed-summaries.json, "seed002-mnist-conv-pool", so this suite stands alone).
 */
const seed002ConvPool = {
  layers: [
    { type: 'Conv2D', shape: '(None, 26, 26, 64)', params: '640' },
    { type: 'MaxPooling2D', shape: '(None, 13, 13, 64)', params: '0' },
    { type: 'Flatten', shape: '(None, 10816)', params: '0' },
    { type: 'Dense', shape: '(None, 15)', params: '162,255' },
    { type: 'Dense', shape: '(None, 10)', params: '160' },
  ],
  totalParams: '163,055',
};

function findConvPoolSample(workspace: string): string {
  const file = readdirSync(workspace).find((name) => /conv-?pool.*\.model\.json$/i.test(name));
  if (!file) throw new Error(`no *conv-pool*.model.json among the samples: ${readdirSync(workspace).join(', ')}`);
  return file;
}

describe('e2e: shape hints in the editor (seed 002, MNIST conv-pool)', function () {
  let workbench: Workbench;
  let workspace: string;
  let modelFile: string;

  useCodeServerSession('editor', { trusted: true }, (opened) => {
    ({ workspace, workbench } = opened);
    modelFile = findConvPoolSample(workspace);
  });

  it('shows each layer’s Keras shape and params as a CodeLens, and the model’s total', async function () {
    await workbench.openFile(modelFile);
    const lenses = workbench.activeEditor().locator('.codelens-decoration');
    await lenses.filter({ hasText: seed002ConvPool.totalParams }).first().waitFor({ timeout: 60_000 });
    const withLines = await workbench.codeLensesWithLines();
    const texts = withLines.map((lens) => lens.text);
    await workbench.screenshot('01-codelens-seed002-conv-pool');

    const layerLenses = texts.filter((text) => text.startsWith('→'));
    assert.deepEqual(
      layerLenses,
      seed002ConvPool.layers.map((layer) => `→ ${layer.shape} · ${layer.params} params`),
      `CodeLenses on screen:\n${texts.join('\n')}`,
    );
    // Each lens sits right above its own layer's line.
    const annotated = withLines.filter((lens) => lens.text.startsWith('→')).map((lens) => /"type": "(\w+)"/.exec(lens.line)?.[1]);
    assert.deepEqual(annotated, seed002ConvPool.layers.map((layer) => layer.type));
    const modelLens = texts.find((text) => text.includes('Total'));
    assert.ok(modelLens?.includes(`Total ${seed002ConvPool.totalParams} params`), `model lens: ${modelLens}`);

    // The same file read by the CLI from disk gives the same total: the editor shows the core's numbers.
    const cli = execFileSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), 'summary', join(workspace, modelFile), '--json'], {
      encoding: 'utf8',
    });
    const summary = JSON.parse(cli) as { totalParams?: number; summary?: { totalParams: number } };
    assert.equal(summary.totalParams ?? summary.summary?.totalParams, 163055);
  });

  it('flags a kernel larger than its input on that line with the arithmetic, and clears it on undo', async function () {
    await workbench.openFile(modelFile);
    const original = readFileSync(join(workspace, modelFile), 'utf8');
    const kernelMatch = /"kernelSize"\s*:\s*3(?=\D)/.exec(original);
    assert.ok(kernelMatch, 'the sample has no "kernelSize": 3');
    const kernelLine = original.slice(0, kernelMatch.index).split('\n').length;

    // 28 − 30 + 1 = −1: the first convolution's output would have a negative size.
    // One keystroke after the 3, so that one undo takes it back.
    await workbench.selectInEditor(kernelMatch[0]);
    await workbench.page.keyboard.press('ArrowRight');
    await workbench.page.keyboard.type('0');
    await workbench.page.keyboard.press('Control+S');

    const problems = await workbench.openProblems();
    const marker = problems.locator('.monaco-list-row', { hasText: /30/ }).filter({ hasText: /=\s*[−-]1/ }).first();
    await marker.waitFor({ timeout: 30_000 });
    const markerText = (await marker.textContent()) ?? '';
    assert.match(markerText, /28/, `the message shows the input size: ${markerText}`);
    assert.match(markerText, new RegExp(`\\[Ln ${kernelLine},`), `the marker sits on line ${kernelLine}: ${markerText}`);
    await workbench.screenshot('02-diagnostic-kernel-too-large');
    assert.match(readFileSync(join(workspace, modelFile), 'utf8'), /"kernelSize"\s*:\s*30\b/);

    await workbench.activeEditor().locator('.view-lines').click();
    await workbench.page.keyboard.press('Control+Z');
    await workbench.page.keyboard.press('Control+S');
    await problems.locator('.monaco-list-row', { hasText: /=\s*[−-]1/ }).first().waitFor({ state: 'detached', timeout: 30_000 });
    await workbench.screenshot('02-diagnostic-cleared-after-undo');
    assert.equal(readFileSync(join(workspace, modelFile), 'utf8'), original);
    const errorsAfterUndo = await problems.locator('.monaco-list-row .codicon-error, .monaco-list-row .marker-icon.error').count();
    assert.equal(errorsAfterUndo, 0, 'no error markers remain after undo');
  });
});

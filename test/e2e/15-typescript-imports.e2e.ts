// Issue 10 item 11: a sample `.model.ts` in a workspace without tfjs, in a real VS Code. Its
// `import * as tf from '@tensorflow/tfjs'` resolves through CNN Lab's TypeScript server plugin to the
// tfjs declarations the extension carries: no "Cannot find module" in the Problems panel, the tfjs
// signature in the hover over tf.layers.conv2d, and TypeScript's own check of a misspelt option.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Workbench } from './harness/workbench';
import { useCodeServerSession } from './harness/session';

const modelFile = 'seed003-fashion-mnist-cnn.model.ts';
const conv2dSignature = /conv2d\(args: ConvLayerArgs\): Conv2D/;
// A Problems row reads "<message>ts2561[Ln 9, Col 77]": the panel draws the brackets around the code.
const missingModule = /Cannot find module '@tensorflow\/tfjs'|\bts\(?2307\b/;
// TypeScript's wording for an option ConvLayerArgs does not have (ts2561), from its real declarations.
const misspeltOption = /'activaton' does not exist in type 'ConvLayerArgs'/;

describe('e2e: @tensorflow/tfjs imports resolve with the bundled typings (issue 10 item 11)', function () {
  let workbench: Workbench;
  let workspace: string;

  // Hovers open below the line, so that the screenshot shows the import line above them.
  useCodeServerSession('ts-imports', { trusted: true, settings: { 'editor.hover.above': false } }, (opened) => {
    ({ workspace, workbench } = opened);
  });

  /** The first `conv2d` token on screen, as the editor draws it. */
  function conv2dToken() {
    return workbench.activeEditor().locator('.view-lines .view-line span span', { hasText: /^conv2d$/ }).first();
  }

  /**
   * Hovers tf.layers.conv2d until TypeScript's part of the hover shows its tfjs signature; the first
   * tries may land before the TypeScript server has loaded the project (a "Loading…" hover, or
   * CNN Lab's own layer hover alone).
   */
  async function hoverConv2d(timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    const hover = workbench.page.locator('.monaco-hover:not(.hidden)', { hasText: conv2dSignature }).first();
    for (;;) {
      await workbench.page.mouse.move(5, 5);
      await conv2dToken().hover();
      if (await hover.waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false)) {
        return ((await hover.textContent()) ?? '').replace(/\s+/g, ' ');
      }
      if (Date.now() > deadline) {
        const shown = await workbench.page.locator('.monaco-hover').allTextContents();
        throw new Error(`no hover with the tfjs signature of conv2d after ${timeoutMs} ms; hovers: ${shown.join(' | ')}`);
      }
    }
  }

  it('the sample model has no "Cannot find module", TypeScript checks it against tfjs, and the hover shows conv2d’s tfjs signature', async function () {
    assert.ok(!existsSync(join(workspace, 'node_modules')), 'the workspace must have no node_modules of its own');
    const original = readFileSync(join(workspace, modelFile), 'utf8');
    assert.match(original, /^import \* as tf from '@tensorflow\/tfjs';$/m);

    await workbench.openFile(modelFile);
    // The TypeScript server is up and has the tfjs declarations once its hover carries the signature.
    const firstHover = await hoverConv2d(150_000);
    assert.match(firstHover, /ConvLayerArgs/);

    // A positive control: TypeScript reports a misspelt conv2d option against ConvLayerArgs, so
    // diagnostics for this file are live, and in that same list there is no missing module.
    await workbench.openProblems();
    await workbench.selectInEditor("padding: 'same', activation");
    await workbench.page.keyboard.press('ArrowLeft');
    await workbench.page.keyboard.type("activaton: 'relu', ");
    const typoRow = workbench.page.locator('.markers-panel .monaco-list-row', { hasText: misspeltOption }).first();
    await typoRow.waitFor({ state: 'visible', timeout: 60_000 });
    await workbench.screenshot('11-typescript-misspelt-option');
    let problems = await workbench.problemsOf(modelFile);
    assert.ok(problems.some((text) => misspeltOption.test(text) && /\bts\(?2561\b/.test(text)), problems.join('\n'));
    assert.ok(!problems.some((text) => missingModule.test(text)), problems.join('\n'));

    // Back to the file as it is on disk: TypeScript's error goes, and still no missing module.
    await workbench.runCommand('File: Revert File');
    await typoRow.waitFor({ state: 'detached', timeout: 60_000 });
    assert.equal(readFileSync(join(workspace, modelFile), 'utf8'), original);
    problems = await workbench.problemsOf(modelFile);
    assert.deepEqual(
      problems.filter((text) => /\bts\(?\d+\)?\s*\[Ln/.test(text) || missingModule.test(text)),
      [],
      `TypeScript problems left in ${modelFile}:\n${problems.join('\n')}`,
    );
    const allRows = (await workbench.problemRows()).map((row) => row.text);
    assert.ok(!allRows.some((text) => missingModule.test(text)), allRows.join('\n'));

    // On screen together: the clean Problems panel and the hover with tfjs's signature.
    const hoverText = await hoverConv2d(30_000);
    assert.match(hoverText, conv2dSignature);
    await workbench.screenshot('11-typescript-import-resolves');
  });
});

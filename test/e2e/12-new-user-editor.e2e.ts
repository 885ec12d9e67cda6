// Issue 10, items 1, 9 and 10 on screen: what a new user sees in the editor.
//  1. A `.model.ts` built with a loop and a helper: the Models view and the model lens show the
//     evaluated total (never "0 params"), and "resolving…" — never a wrong zero — while an edit is
//     being evaluated.
//  9. A model file with three independent mistakes: each is listed once in Problems, in one pass;
//     a JSON syntax error is listed once.
// 10. A one-line Keras `to_json()` file: the editor offers to format it, and after formatting each
//     layer has its own lens above its own line, with the same numbers.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTree, type Node } from 'jsonc-parser';
import type { Page } from 'playwright-core';
import type { Workbench } from './harness/workbench';
import { useCodeServerSession } from './harness/session';
import { waitFor } from './harness/workspace';

// ---------------------------------------------------------------------------------------------
// Expected numbers, from tfjs and Keras themselves

interface TfjsCount {
  total: number;
  trainable: number;
}

/**
 * Builds the model of a `.model.ts` source with the real @tensorflow/tfjs (in this test process) and
 * counts its weights: the numbers Keras/tfjs give for it, computed without CNN Lab.
 */
async function countWithTfjs(source: string): Promise<TfjsCount> {
  const tf = await import('@tensorflow/tfjs');
  const { default: ts } = await import('typescript');
  const js = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020, esModuleInterop: true },
  }).outputText;
  const module = { exports: {} as Record<string, unknown> };
  const requireTfjs = (id: string): unknown => {
    if (id === '@tensorflow/tfjs') return tf;
    throw new Error(`the model imports ${id}`);
  };
  new Function('require', 'exports', 'module', js)(requireTfjs, module.exports, module);
  const build = module.exports.default as () => import('@tensorflow/tfjs').LayersModel;
  const model = build();
  try {
    const size = (weights: { shape: (number | null)[] }[]): number => weights.reduce((sum, weight) => sum + weight.shape.reduce<number>((product, dim) => product * (dim ?? 0), 1), 0);
    return { total: model.countParams(), trainable: size(model.trainableWeights) };
  } finally {
    model.dispose();
  }
}

const thousands = (value: number): string => value.toLocaleString('en-US');

/**
 * Keras's own `model.summary()` of seed 003's Fashion-MNIST CNN, the model that
 * samples/keras/seed003-fashion-mnist-cnn.keras.json holds (copied from
 * shared/reference/seed-summaries.json, "seed003-fashion-mnist-cnn", so this suite stands alone).
 */
const seed003Keras = {
  layers: [
    { type: 'Conv2D', shape: '(None, 28, 28, 64)', params: '320' },
    { type: 'MaxPooling2D', shape: '(None, 14, 14, 64)', params: '0' },
    { type: 'Dropout', shape: '(None, 14, 14, 64)', params: '0' },
    { type: 'Conv2D', shape: '(None, 14, 14, 32)', params: '8,224' },
    { type: 'MaxPooling2D', shape: '(None, 7, 7, 32)', params: '0' },
    { type: 'Dropout', shape: '(None, 7, 7, 32)', params: '0' },
    { type: 'Flatten', shape: '(None, 1568)', params: '0' },
    { type: 'Dense', shape: '(None, 256)', params: '401,664' },
    { type: 'Dropout', shape: '(None, 256)', params: '0' },
    { type: 'Dense', shape: '(None, 10)', params: '2,570' },
  ],
  totalParams: '412,778',
};

// ---------------------------------------------------------------------------------------------
// Watching the screen while the product works

interface ScreenSample {
  /** The model lens of the active editor (its title starts with "Total", or "✖ … error"), if any. */
  modelLens: string | null;
  /** What the Models view shows for the file, if its row is on screen. */
  modelsRow: string | null;
}

/**
 * Records what the screen shows, every 50 ms and on every DOM change, until stopped: each distinct
 * state once (in order), with how many samples were taken in all.
 */
async function startWatching(page: Page, fileName: string): Promise<void> {
  // No named helper functions inside: tsx would wrap them in an `__name` call the page lacks.
  await page.locator('body').evaluate((body, file) => {
    const document = body.ownerDocument;
    const view = document.defaultView as unknown as WatchWindow;
    const state: WatchState = { samples: [], taken: 0, interval: 0, observer: undefined };
    view.__cnnlabWatch = state;
    view.addEventListener('cnnlab-sample', () => {
      // One decoration per line; each lens in it is a link or span, the separators spans of " | ".
      const lenses = [...document.querySelectorAll('.editor-group-container.active .monaco-editor .codelens-decoration > *')].map((lens) =>
        (lens.textContent ?? '').replace(/\s+/g, ' ').trim(),
      );
      const modelLens = lenses.find((text) => /^Total\b|^✖/.test(text)) ?? null;
      const modelsPane = [...document.querySelectorAll('.part.sidebar .pane')].find((pane) => /^\s*Models/i.test(pane.querySelector('.pane-header')?.textContent ?? ''));
      const row = modelsPane ? [...modelsPane.querySelectorAll('.monaco-list-row')].find((candidate) => (candidate.textContent ?? '').includes(file)) : undefined;
      const modelsRow = row ? (row.textContent ?? '').replace(/\s+/g, ' ').trim() : null;
      state.taken++;
      const last = state.samples[state.samples.length - 1];
      if (!last || last.modelLens !== modelLens || last.modelsRow !== modelsRow) state.samples.push({ modelLens, modelsRow });
    });
    state.observer = new view.MutationObserver(() => view.dispatchEvent(new view.Event('cnnlab-sample')));
    state.observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    state.interval = view.setInterval(() => view.dispatchEvent(new view.Event('cnnlab-sample')), 50);
    view.dispatchEvent(new view.Event('cnnlab-sample'));
  }, fileName);
}

async function stopWatching(page: Page): Promise<{ samples: ScreenSample[]; taken: number }> {
  return page.locator('body').evaluate((body) => {
    const view = body.ownerDocument.defaultView as unknown as WatchWindow;
    const state = view.__cnnlabWatch;
    view.clearInterval(state.interval);
    state.observer?.disconnect();
    view.dispatchEvent(new view.Event('cnnlab-sample'));
    return { samples: state.samples, taken: state.taken };
  });
}

interface WatchState {
  samples: ScreenSample[];
  taken: number;
  interval: number;
  observer: { observe(target: unknown, options: Record<string, boolean>): void; disconnect(): void } | undefined;
}

/** The page's window as the watcher uses it (the test's TypeScript has no DOM library). */
interface WatchWindow {
  __cnnlabWatch: WatchState;
  addEventListener(type: string, listener: () => void): void;
  dispatchEvent(event: unknown): boolean;
  setInterval(handler: () => void, ms: number): number;
  clearInterval(id: number): void;
  MutationObserver: new (callback: () => void) => NonNullable<WatchState['observer']>;
  Event: new (type: string) => unknown;
}

/** "0 params" as a count of its own (not the end of "114,630 params"). */
const zeroParams = /(^|[^\d,.])0 params/;

// ---------------------------------------------------------------------------------------------

/** 1-based line of the first occurrence of `needle` in `text`. */
function lineOf(text: string, needle: string): number {
  const index = text.indexOf(needle);
  assert.ok(index >= 0, `${needle} is not in the file`);
  return text.slice(0, index).split('\n').length;
}

/** The Keras layer objects of a `to_json()` text: 1-based line of each `{` and its class_name. */
function kerasLayerLines(text: string): { lineNumber: number; className: string }[] {
  const root = parseTree(text);
  const child = (node: Node | undefined, key: string): Node | undefined => node?.children?.find((member) => member.children?.[0]?.value === key)?.children?.[1];
  const layers = child(child(root, 'config'), 'layers')?.children ?? [];
  return layers.map((layer) => ({ lineNumber: text.slice(0, layer.offset).split('\n').length, className: String(child(layer, 'class_name')?.value) }));
}

describe('e2e: a new user in the editor (issue 10: items 1, 9, 10)', function () {
  let workbench: Workbench;
  let workspace: string;

  useCodeServerSession('new-user-editor', { trusted: true }, (opened) => {
    ({ workspace, workbench } = opened);
  });

  it('item 1: a loop-built .model.ts shows its evaluated total in the Models view and the lens, and never a wrong zero while an edit is evaluated', async function () {
    const fileName = 'loop-built-cnn.model.ts';
    const original = readFileSync(join(workspace, fileName), 'utf8');
    const expected = await countWithTfjs(original);
    const edited = original.replace('const filtersPerBlock = [32, 64, 128];', 'const filtersPerBlock = [32, 64, 256];');
    assert.notEqual(edited, original, 'the sample builds its blocks from filtersPerBlock = [32, 64, 128]');
    const expectedAfterEdit = await countWithTfjs(edited);
    assert.notEqual(expectedAfterEdit.total, expected.total);

    // The Models view, with the file closed: its total comes from running the module (trusted).
    const page = workbench.page;
    await startWatching(page, fileName);
    const sidebar = await workbench.openCnnLabSidebar();
    const modelsRow = sidebar.locator('.monaco-list-row', { hasText: fileName }).first();
    await modelsRow.filter({ hasText: `${thousands(expected.total)} params` }).waitFor({ timeout: 60_000 });
    const beforeOpening = await stopWatching(page);
    const rowsSeen = beforeOpening.samples.map((sample) => sample.modelsRow).filter((row): row is string => row !== null);
    assert.ok(
      rowsSeen.every((row) => !zeroParams.test(row)),
      `the Models view showed a zero total on the way:\n${rowsSeen.join('\n')}`,
    );

    // The editor: the model lens gives the same evaluated total.
    await workbench.openFile(fileName);
    const editor = workbench.activeEditor();
    const modelLens = editor.locator('.codelens-decoration > *', { hasText: /^\s*Total/ }).first();
    await modelLens.filter({ hasText: `Total ${thousands(expected.total)} params` }).waitFor({ timeout: 60_000 });
    const oldLens = ((await modelLens.textContent()) ?? '').replace(/\s+/g, ' ').trim();
    assert.match(oldLens, new RegExp(`trainable ${thousands(expected.trainable)}\\b`), `model lens: ${oldLens}`);
    assert.match((await modelsRow.textContent()) ?? '', new RegExp(`${thousands(expected.total)} params`));
    await workbench.screenshot('01-models-view-evaluated');

    // Edit a filter count (one edit, as a paste would be) and watch the lens and the Models view.
    await workbench.selectInEditor('128');
    await startWatching(page, fileName);
    const editedAt = Date.now();
    await page.keyboard.insertText('256');
    await modelLens.filter({ hasText: `Total ${thousands(expectedAfterEdit.total)} params` }).waitFor({ timeout: 60_000 });
    const newTotalAfterMs = Date.now() - editedAt;
    await modelsRow.filter({ hasText: `${thousands(expectedAfterEdit.total)} params` }).waitFor({ timeout: 60_000 });
    const afterEdit = await stopWatching(page);
    await workbench.screenshot('01-lens-after-edit');

    const newLens = afterEdit.samples.map((sample) => sample.modelLens).find((lens) => lens?.startsWith(`Total ${thousands(expectedAfterEdit.total)} params`));
    assert.ok(newLens, 'the new total was sampled');
    assert.match(newLens, new RegExp(`trainable ${thousands(expectedAfterEdit.trainable)}\\b`), `model lens: ${newLens}`);
    const lensesSeen = afterEdit.samples.map((sample) => sample.modelLens ?? '(no model lens)');
    const unexpected = lensesSeen.filter((lens) => lens !== oldLens && lens !== newLens && !/^Total resolving…/.test(lens));
    assert.deepEqual(unexpected, [], `the model lens showed something other than the old total, "resolving…" or the new total (${afterEdit.taken} samples):\n${lensesSeen.join('\n')}`);
    const rowsAfterEdit = afterEdit.samples.map((sample) => sample.modelsRow).filter((row): row is string => row !== null);
    assert.ok(rowsAfterEdit.every((row) => !zeroParams.test(row)), `the Models view showed a zero total:\n${rowsAfterEdit.join('\n')}`);
    assert.ok(afterEdit.taken >= 5, `only ${afterEdit.taken} samples`);
    console.log(`      model lens during the edit (${afterEdit.taken} samples, new total after ${newTotalAfterMs} ms): ${[...new Set(lensesSeen)].join('  →  ')}`);

    await page.keyboard.press('Control+S');
    await waitFor('the edit on disk', () => (readFileSync(join(workspace, fileName), 'utf8') === edited ? true : undefined), 10_000);
  });

  it('item 9: three independent mistakes are each listed once in Problems, in one pass; a JSON syntax error once', async function () {
    // seed001-exp4-cnn with three independent mistakes: a kernel larger than its 8×8 input (layer 5),
    // an activation that does not exist (layer 8) and a misspelt option name (layer 9).
    const fileName = 'three-mistakes.model.json';
    const sample = readFileSync(join(workspace, 'seed001-exp4-cnn.model.json'), 'utf8');
    const lines = sample.split('\n');
    const convLines = lines.flatMap((line, index) => (line.includes('"type": "Conv2D"') ? [index] : []));
    assert.equal(convLines.length, 3, 'the sample has three Conv2D layers');
    const kernelLine = convLines[2];
    lines[kernelLine] = lines[kernelLine].replace('"kernelSize": [3, 3], "padding": "same"', '"kernelSize": [9, 9]');
    const denseLines = lines.flatMap((line, index) => (line.includes('"type": "Dense"') ? [index] : []));
    assert.equal(denseLines.length, 2, 'the sample ends with two Dense layers');
    lines[denseLines[0]] = lines[denseLines[0]].replace('"activation": "relu"', '"activation": "rellu"');
    lines[denseLines[1]] = lines[denseLines[1]].replace('"activation": "softmax"', '"activaton": "softmax"');
    const text = lines.join('\n');
    writeFileSync(join(workspace, fileName), text);
    const expectedProblems = [
      { what: 'kernel 9×9 on an 8×8 input', line: lineOf(text, '"kernelSize": [9, 9]'), message: /\(8 \+ 2·0 − 9\) \/ 1 \+ 1 = 0/ },
      { what: 'activation "rellu"', line: lineOf(text, '"rellu"'), message: /Invalid value for `activation`.*rellu/ },
      { what: "option 'activaton'", line: lineOf(text, '"activaton"'), message: /Unrecognized keyword argument.*'activaton'.*Did you mean 'activation'/ },
    ];

    await workbench.openFileOnceFound(fileName);
    const checkThreeOnce = async (): Promise<string[]> => {
      const shown = await workbench.problemsOf(fileName);
      for (const problem of expectedProblems) {
        const matches = shown.filter((row) => problem.message.test(row));
        assert.equal(matches.length, 1, `${problem.what}: listed ${matches.length} times in\n${shown.join('\n')}`);
        assert.match(matches[0], new RegExp(`\\[Ln ${problem.line}, Col \\d+\\]`), `${problem.what} on line ${problem.line}: ${matches[0]}`);
        assert.match(matches[0], /CNN Lab/, `${problem.what} is CNN Lab's: ${matches[0]}`);
      }
      assert.equal(shown.length, 3, `exactly three problems, no echo from the schema:\n${shown.join('\n')}`);
      return shown;
    };
    const allThreeShown = async (): Promise<true | undefined> => {
      const shown = await workbench.problemsOf(fileName);
      return expectedProblems.every((problem) => shown.some((row) => problem.message.test(row))) ? true : undefined;
    };
    // The model lens agrees with the Problems panel. (It is read while the editor has the focus: VS Code
    // drops a pending lens request when the editor loses it, until it is focused or edited again.)
    const modelLensReads = async (expected: string): Promise<void> => {
      let last: string[] = [];
      await pollUntil(
        `the model lens to read "${expected}"`,
        async () => {
          last = (await workbench.codeLensesWithLineNumbers()).map((lens) => lens.text);
          return last.some((text) => text.startsWith(expected)) ? true : undefined;
        },
        60_000,
      ).catch((error: Error) => {
        throw new Error(`${error.message}; lenses on screen: ${last.join(' | ') || 'none'}`);
      });
    };
    await modelLensReads('✖ 3 errors');
    await workbench.openProblems();
    await pollUntil('the three problems in the Problems panel', allThreeShown, 60_000);
    await checkThreeOnce();

    // A missing comma: VS Code's JSON service reports it, once, and nothing else is listed meanwhile.
    const commaLine = lineOf(text, '"type": "Flatten"') - 1; // the layer before Flatten ends with "},"
    await workbench.goToLine(commaLine);
    await workbench.page.keyboard.press('End');
    const lineText = text.split('\n')[commaLine - 1];
    assert.ok(lineText.endsWith('},'), `line ${commaLine} ends a layer: ${lineText}`);
    await workbench.page.keyboard.press('Backspace');
    const syntaxShown = await pollUntil(
      'the missing comma in the Problems panel',
      async () => {
        const shown = await workbench.problemsOf(fileName);
        return shown.some((row) => /Expected comma/i.test(row)) && !shown.some((row) => expectedProblems.some((problem) => problem.message.test(row))) ? shown : undefined;
      },
      60_000,
    );
    assert.equal(syntaxShown.length, 1, `the syntax error alone, once:\n${syntaxShown.join('\n')}`);
    // VS Code's JSON service puts it where the comma is missed: at the next layer's "{".
    assert.match(syntaxShown[0], new RegExp(`json.*\\[Ln ${commaLine + 1}, Col \\d+\\]`), syntaxShown[0]);
    await modelLensReads('✖ 1 error ');
    await workbench.screenshot('09-syntax-error-once');

    // Undo: the JSON service validates the text again (the comma error goes), the three come back, once each.
    await workbench.page.keyboard.press('Control+Z');
    await pollUntil(
      'the three problems back, the comma error gone',
      async () => {
        const shown = await workbench.problemsOf(fileName);
        return !shown.some((row) => /Expected comma/i.test(row)) && (await allThreeShown()) ? true : undefined;
      },
      60_000,
    );
    await checkThreeOnce();
    await modelLensReads('✖ 3 errors');
    await workbench.screenshot('09-every-error-once');
    await workbench.page.keyboard.press('Control+S');
  });

  it('item 10: a one-line Keras to_json() file offers to format itself; then every layer has its lens above its own line, same numbers', async function () {
    const relativePath = 'keras/seed003-fashion-mnist-cnn.keras.json';
    const original = readFileSync(join(workspace, relativePath), 'utf8');
    assert.equal(original.trim().split('\n').length, 1, 'the sample is one line, as Keras writes it');

    // The Problems panel (open since item 9) closes, so the editor has the height for several layers.
    const panel = workbench.page.locator('.part.panel');
    if (await panel.isVisible()) {
      await workbench.runCommand('View: Hide Panel');
      await panel.waitFor({ state: 'hidden' });
    }
    await workbench.openFile(relativePath);
    const editor = workbench.activeEditor();
    await editor.locator('.codelens-decoration', { hasText: `Total ${seed003Keras.totalParams} params` }).first().waitFor({ timeout: 60_000 });
    const before = await workbench.codeLensesWithLineNumbers();
    const totalBefore = before.find((lens) => lens.text.startsWith('Total'))?.text;
    assert.ok(totalBefore, `lenses: ${before.map((lens) => lens.text).join(' | ')}`);
    const countLens = before.find((lens) => /layers on this line/.test(lens.text));
    assert.equal(countLens?.text, `${seed003Keras.layers.length} layers on this line — format the file to see each`, `lenses: ${before.map((lens) => lens.text).join(' | ')}`);
    assert.equal(before.filter((lens) => lens.text.startsWith('→')).length, 0, 'no pile of layer lenses on line 1');

    // Two offers on line 1: the light bulb's quick fix, and the count lens itself.
    await editor.locator('.view-lines').click();
    await workbench.page.keyboard.press('Control+Home');
    await workbench.page.keyboard.press('Control+.');
    const offer = workbench.page.locator('.action-widget .monaco-list-row', { hasText: /Format this Keras model/ }).first();
    await offer.waitFor({ timeout: 30_000 });
    const offerText = ((await offer.textContent()) ?? '').trim();
    await workbench.screenshot('10-one-line-keras-offer');
    assert.equal(offerText, `Format this Keras model to see a lens above each of its ${seed003Keras.layers.length} layers`, 'the offer counts the layers that will get a lens');

    // Accepting the quick fix spreads the file out; one undo puts it back on one line.
    const renderedLines = editor.locator('.view-lines .view-line');
    const lineCountIs = (expected: (count: number) => boolean) => async (): Promise<true | undefined> => (expected(await renderedLines.count()) ? true : undefined);
    await offer.click();
    await pollUntil('the quick fix to spread the file out', lineCountIs((count) => count > 10), 30_000);
    await editor.locator('.view-lines').click();
    await workbench.page.keyboard.press('Control+Z');
    await pollUntil('one undo to put the file back on one line', lineCountIs((count) => count === 1), 30_000);
    // Undo leaves the view scrolled to the end of the long line, past the lenses at its start.
    await workbench.page.keyboard.press('Control+Home');
    await editor.locator('.codelens-decoration > a', { hasText: /layers on this line/ }).first().waitFor({ timeout: 30_000 });

    // Clicking the count lens does the same.
    await editor.locator('.codelens-decoration > a', { hasText: /layers on this line/ }).first().click();
    await pollUntil('the lens to spread the file out', lineCountIs((count) => count > 10), 30_000);
    await editor.locator('.view-lines').click();
    await workbench.page.keyboard.press('Control+S');
    const formatted = await waitFor(
      'the formatted file on disk',
      () => {
        const onDisk = readFileSync(join(workspace, relativePath), 'utf8');
        return onDisk.split('\n').length > 1 ? onDisk : undefined;
      },
      30_000,
    );
    assert.deepEqual(JSON.parse(formatted), JSON.parse(original), 'the same model, only spread out');

    // Each layer (the hidden InputLayer aside, as in Keras's summary) has one lens, right above the line that opens it.
    const layerLines = kerasLayerLines(formatted).filter((layer) => layer.className !== 'InputLayer');
    assert.deepEqual(layerLines.map((layer) => layer.className), seed003Keras.layers.map((layer) => layer.type));
    const seenLenses = new Map<number, string[]>();
    for (const [index, layer] of layerLines.entries()) {
      await workbench.goToLine(layer.lineNumber);
      const expectedText = `→ ${seed003Keras.layers[index].shape} · ${seed003Keras.layers[index].params} params`;
      const lensesHere = await pollUntil(
        `the lens above line ${layer.lineNumber} (${layer.className})`,
        async () => {
          const onScreen = await workbench.codeLensesWithLineNumbers();
          const here = onScreen.filter((lens) => lens.lineNumber === layer.lineNumber);
          if (here.length === 0) return undefined;
          // The lenses of the formatted text are on screen (VS Code swaps a file's lenses all at once): record them.
          for (const lens of onScreen) if (lens.lineNumber !== undefined) seenLenses.set(lens.lineNumber, [...new Set([...(seenLenses.get(lens.lineNumber) ?? []), lens.text])]);
          return here;
        },
        30_000,
      );
      assert.deepEqual(lensesHere.map((lens) => lens.text), [expectedText], `line ${layer.lineNumber} (${layer.className})`);
      // The second Dropout: the MaxPooling2D before it and the Flatten after it are on screen too.
      if (index === 5) await workbench.screenshot('10-one-line-keras-formatted');
    }
    // No lens anywhere else but the model's and the Train lens at the top.
    await workbench.page.keyboard.press('Control+Home');
    const top = await pollUntil('the lenses at the top', async () => {
      const onScreen = await workbench.codeLensesWithLineNumbers();
      return onScreen.some((lens) => lens.text.startsWith('Total')) ? onScreen : undefined;
    }, 30_000);
    assert.equal(top.find((lens) => lens.text.startsWith('Total'))?.text, totalBefore, 'the same totals as before formatting');
    assert.ok(!top.some((lens) => /layers on this line/.test(lens.text)), `no count lens once each layer has its own: ${top.map((lens) => lens.text).join(' | ')}`);
    const layerLineNumbers = new Set(layerLines.map((layer) => layer.lineNumber));
    const isLayerLens = (text: string): boolean => text.startsWith('→') || /layers on this line/.test(text);
    const elsewhere = [...seenLenses.entries()].filter(([lineNumber, texts]) => !layerLineNumbers.has(lineNumber) && texts.some(isLayerLens));
    // A lens seen elsewhere may have been the one-line text's, still on screen while VS Code swapped
    // in the new set (it does not always swap them all at once): it must be gone when looked at again.
    for (const [lineNumber, texts] of elsewhere) {
      await workbench.goToLine(lineNumber);
      await pollUntil(
        `no layer lens left on line ${lineNumber} (seen there: ${texts.join(' | ')})`,
        async () => ((await workbench.codeLensesWithLineNumbers()).some((lens) => lens.lineNumber === lineNumber && isLayerLens(lens.text)) ? undefined : true),
        30_000,
      );
    }
  });
});

/** Polls `check` (async) until it returns a value, failing after `timeoutMs`. */
async function pollUntil<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolveLater) => setTimeout(resolveLater, 200));
  }
}

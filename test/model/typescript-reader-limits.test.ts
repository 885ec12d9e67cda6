// The static `*.model.ts` reader runs on the extension host's only thread, in Restricted Mode too,
// on files that may come from anywhere (issue 9, item 3). These tests protect its limits: each
// const is evaluated once (a chain of doubling consts is linear, not exponential), the work, the
// size of values and the nesting are capped, and every limit hit is an `analysis-budget` warning on
// the line — never a hang, a thrown RangeError or a value that eats the memory.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { READER_LIMITS } from '../../src/model/frontends/typescript';
import { tooDeeplyNested } from '../../src/model/source';
import { analyzeModel } from '../../src/model/index';
import { shouldEvaluate } from '../../src/model/documents';
import type { ModelAnalysis, ModelDiagnostic } from '../../src/model/types';

const head = "import * as tf from '@tensorflow/tfjs';\n";
const firstLayer = 'tf.layers.dense({ inputShape: [4], units: 3 })';

/** A Sequential model whose second layer's options are `options`, after the lines in `before`. */
function modelWith(before: string, options: string): string {
  return `${head}${before}export default tf.sequential({ layers: [\n  ${firstLayer},\n  tf.layers.dense({ ${options} }),\n] });\n`;
}

/** `const a0 = first;` then `const aK = step(aK-1);` for K = 1…levels, one per line. */
function chain(levels: number, first: string, step: (previous: string) => string): string {
  let text = `const a0 = ${first};\n`;
  for (let level = 1; level <= levels; level += 1) text += `const a${level} = ${step(`a${level - 1}`)};\n`;
  return text;
}

function lineOf(text: string, fragment: string): number {
  const index = text.indexOf(fragment);
  assert.ok(index >= 0, `${fragment} is in the text`);
  return text.slice(0, index).split('\n').length - 1;
}

function only(analysis: ModelAnalysis, code: ModelDiagnostic['code']): ModelDiagnostic {
  const found = analysis.diagnostics.filter((diagnostic) => diagnostic.code === code);
  assert.equal(found.length, 1, `one ${code} in ${JSON.stringify(analysis.diagnostics)}`);
  return found[0];
}

/** Runs `body` with some READER_LIMITS changed, restoring them afterwards. */
function withLimits(changes: Partial<typeof READER_LIMITS>, body: () => void): void {
  const saved = { ...READER_LIMITS };
  Object.assign(READER_LIMITS, changes);
  try {
    body();
  } finally {
    Object.assign(READER_LIMITS, saved);
  }
}

describe('static TypeScript reader limits (hostile model files)', () => {
  it('a chain of 40 doubling consts is read once per const: the exact value, no warning', () => {
    const text = modelWith(chain(40, '1', (previous) => `${previous} + ${previous}`), 'units: a40 / 2 ** 38');
    const analysis = analyzeModel(text, 'doubling.model.ts');
    assert.deepEqual(analysis.diagnostics, []);
    assert.equal(analysis.ir?.layers[1].config.units, 4);
    assert.deepEqual(analysis.summary?.layers.map((layer) => layer.params), [15, 16]);
  });

  it('the doubling chain costs steps linear in its length (an exponential reader would need 2^40)', () => {
    // No allowance but a few steps per character: enough for a linear reader, nowhere near 2^40.
    withLimits({ baseSteps: 0, stepsPerChar: 2 }, () => {
      const text = modelWith(chain(40, '1', (previous) => `${previous} + ${previous}`), 'units: a40 / 2 ** 38');
      const analysis = analyzeModel(text, 'doubling.model.ts');
      assert.deepEqual(analysis.diagnostics, []);
      assert.equal(analysis.ir?.layers[1].config.units, 4);
    });
  });

  it('a doubling string stops at the size cap with an analysis-budget warning on the line that outgrows it', () => {
    // "abcdefgh" doubled 13 times is 65,536 characters, past the 50,000 cap; 12 times is not.
    const text = modelWith(chain(40, '"abcdefgh"', (previous) => `${previous} + ${previous}`), 'units: 2, name: a40');
    const analysis = analyzeModel(text, 'strings.model.ts');
    const diagnostic = only(analysis, 'analysis-budget');
    assert.equal(diagnostic.severity, 'warning');
    assert.equal(diagnostic.range.start.line, lineOf(text, 'const a13 ='));
    assert.match(diagnostic.message, /larger than CNN Lab reads without running the code/);
    assert.match(diagnostic.message, /Simplify the expression or write the value inline, or trust the workspace/);
    // Layers before the one it stopped at keep their summary.
    assert.deepEqual(analysis.summary?.layers.map((layer) => layer.name), ['dense']);
  });

  it('doubling arrays and objects, and spreads and template literals of them, end with a diagnostic', () => {
    const variants: [string, string, ModelDiagnostic['code']][] = [
      ['arrays', chain(40, '[1]', (previous) => `[${previous}, ${previous}]`), 'analysis-budget'],
      ['objects', chain(40, '{ x: 1 }', (previous) => `{ l: ${previous}, r: ${previous} }`), 'analysis-budget'],
      ['quadrupling', chain(40, '[1, 2, 3]', (previous) => `[${previous}, ${previous}, ${previous}, ${previous}]`), 'analysis-budget'],
      ['spreads', chain(40, '[1]', (previous) => `[${previous}, ${previous}, ...${previous}]`), 'unresolved-expression'],
      ['templates', chain(40, '"ab"', (previous) => `\`\${${previous}}\${${previous}}\``), 'unresolved-expression'],
    ];
    for (const [label, consts, code] of variants) {
      const analysis = analyzeModel(modelWith(consts, 'units: 2, name: a40'), `${label}.model.ts`);
      assert.equal(only(analysis, code).severity, 'warning', label);
      assert.equal(analysis.summary?.layers.length, 1, `${label}: the first layer is still summarized`);
    }
  });

  it('values handed out again and again spend the work budget: a warning, then the reader stops', () => {
    withLimits({ baseSteps: 1000, stepsPerChar: 0 }, () => {
      const consts = 'const row = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];\nconst grid = [row, row, row, row, row, row, row, row, row, row];\n';
      const layers = Array.from({ length: 20 }, (_, index) => `model.add(tf.layers.dense({ units: 2, name: "d${index}", extra: grid }));`).join('\n');
      const text = `${head}${consts}const model = tf.sequential();\nmodel.add(${firstLayer});\n${layers}\nexport default model;\n`;
      const analysis = analyzeModel(text, 'work.model.ts');
      const diagnostic = only(analysis, 'analysis-budget');
      assert.match(diagnostic.message, /more work than CNN Lab allows itself/);
      // Each grid handed out costs 111 steps: the ninth is past 1,000. (The summary itself stops
      // at the first layer: "extra" is no Dense option.)
      assert.equal(diagnostic.range.start.line, lineOf(text, 'name: "d8"'));
      assert.equal(analysis.ir?.layers.length, 9);
    });
  });

  it('a budget spent in the training block is reported too', () => {
    const text = `${head}${chain(40, '"ab"', (previous) => `${previous} + ${previous}`)}export const training = { dataset: a40 };\nexport default tf.sequential({ layers: [${firstLayer}] });\n`;
    const analysis = analyzeModel(text, 'training.model.ts');
    assert.equal(only(analysis, 'analysis-budget').range.start.line, lineOf(text, 'const a15 ='));
    assert.equal(analysis.ir?.training, undefined);
    assert.equal(analysis.summary?.layers.length, 1);
  });

  it('deep nesting is a diagnostic on the line, never a thrown RangeError', () => {
    const cases: [string, string, ModelDiagnostic['code'], number][] = [
      // Brackets past the limit: refused before the compiler's parser can overflow.
      ['brackets', modelWith('', `units: 2, name: ${'['.repeat(5000)}1${']'.repeat(5000)}`), 'parse-error', 3],
      ['parentheses', modelWith('', `units: ${'('.repeat(50_000)}2${')'.repeat(50_000)}`), 'parse-error', 3],
      // Unary operators nest without brackets: the evaluator's depth limit.
      ['unary', modelWith('', `units: ${'- '.repeat(900)}2`), 'analysis-budget', 3],
      // A const that names the previous one, 2,000 times.
      ['aliases', modelWith(chain(2000, '2', (previous) => previous), 'units: a2000'), 'analysis-budget', -1],
    ];
    for (const [label, text, code, line] of cases) {
      let analysis: ModelAnalysis | undefined;
      assert.doesNotThrow(() => {
        analysis = analyzeModel(text, `${label}.model.ts`);
      }, label);
      assert.ok(analysis);
      const diagnostic = only(analysis, code);
      if (line >= 0) assert.equal(diagnostic.range.start.line, line, label);
      else assert.ok(diagnostic.range.start.line > 0 && diagnostic.range.start.line < 2002, `${label}: on a line of the chain`);
      assert.match(diagnostic.message, /nested/, label);
    }
  });

  it('a long flat sum is no deep nesting: 30,000 terms are read exactly', () => {
    const analysis = analyzeModel(modelWith(`const n = ${Array(30_000).fill('1').join(' + ')};\n`, 'units: n / 10000'), 'sum.model.ts');
    assert.deepEqual(analysis.diagnostics, []);
    assert.equal(analysis.ir?.layers[1].config.units, 3);
  });

  it('the nesting scan skips strings, comments and template text, and counts template holes', () => {
    assert.equal(tooDeeplyNested('const a = [[[1]]];', 3), undefined);
    assert.equal(tooDeeplyNested('const a = [[[[1]]]];', 3), 13);
    assert.equal(tooDeeplyNested(`const s = "((((("; // [[[[[\n/* {{{{{ */ const t = \`((((( \${[1]}\`;`, 2), undefined);
    assert.equal(tooDeeplyNested('const t = [`${[[1]]}`];', 3), 15);
  });

  it('a model using consts in several layers gives the same summary, with no value shared between layers', () => {
    const text = `${head}const base = 8;\nconst kernel = [3, 3];\nconst model = tf.sequential();\nmodel.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: base, kernelSize: kernel }));\nmodel.add(tf.layers.conv2d({ filters: base * 2, kernelSize: kernel }));\nmodel.add(tf.layers.flatten());\nmodel.add(tf.layers.dense({ units: base + 2 }));\nexport default model;\n`;
    const analysis = analyzeModel(text, 'consts.model.ts');
    assert.deepEqual(analysis.diagnostics, []);
    assert.deepEqual(analysis.summary?.layers.map((layer) => [layer.outputShape, layer.params]), [
      [[null, 26, 26, 8], 80],
      [[null, 24, 24, 16], 1168],
      [[null, 9216], 0],
      [[null, 10], 92170],
    ]);
    const [first, second] = analysis.ir?.layers ?? [];
    assert.deepEqual(first.config.kernelSize, [3, 3]);
    assert.notEqual(first.config.kernelSize, second.config.kernelSize, 'each layer gets its own copy');
  });

  it('the samples read as before', () => {
    const root = join(__dirname, '..', '..', 'samples');
    for (const file of ['seed003-fashion-mnist-cnn.model.ts', 'seed000-vgg-like-cars-bikes-planes.model.ts', 'residual-block-functional.model.ts']) {
      const analysis = analyzeModel(readFileSync(join(root, file), 'utf8'), file);
      assert.deepEqual(analysis.diagnostics, [], file);
      assert.ok((analysis.summary?.layers.length ?? 0) > 3, file);
    }
  });

  it('in a trusted workspace a spent budget hands the module to the evaluator; untrusted, it does not', () => {
    const analysis = analyzeModel(modelWith(chain(40, '"ab"', (previous) => `${previous} + ${previous}`), 'units: 2, name: a40'), 'hand.model.ts');
    only(analysis, 'analysis-budget');
    assert.equal(shouldEvaluate(analysis, true), true);
    assert.equal(shouldEvaluate(analysis, false), false);
  });
});

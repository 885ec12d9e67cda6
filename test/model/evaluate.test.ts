// The trusted-workspace evaluator: a `*.model.ts` module run in a worker against the shape-only
// stand-in of tf.layers. The worker is built with esbuild first, as the extension bundle ships it.
import { strict as assert } from 'node:assert';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { evaluateTypeScriptModel } from '../../src/model/evaluate';
import { analyzeModel } from '../../src/model/index';
import { shouldEvaluate } from '../../src/model/documents';
import type { SourceRange } from '../../src/model/types';

const repoRoot = join(__dirname, '..', '..');
const samplePath = join(repoRoot, 'samples', 'loop-built-cnn.model.ts');

function textAt(text: string, range: SourceRange): string {
  const lines = text.split('\n');
  assert.equal(range.start.line, range.end.line, 'one-line range');
  return lines[range.start.line].slice(range.start.character, range.end.character);
}

describe('evaluateTypeScriptModel', function () {
  this.timeout(20000);
  let folder: string;
  let workerScript: string;
  const evaluate = (source: string, timeoutMs = 5000) => evaluateTypeScriptModel('/work/m.model.ts', source, { timeoutMs, workerScript });

  before(() => {
    folder = mkdtempSync(join(tmpdir(), 'cnnlab-evaluate-'));
    workerScript = join(folder, 'evaluateWorker.js');
    buildSync({ entryPoints: [join(repoRoot, 'src/model/evaluateWorker.ts')], outfile: workerScript, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error' });
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('the loop sample: the static reader gives up, the evaluator gets every layer, shape and param count', async () => {
    const text = readFileSync(samplePath, 'utf8');
    const statically = analyzeModel(text, samplePath);
    assert.ok(statically.diagnostics.some((diagnostic) => diagnostic.code === 'unresolved-expression'));
    assert.equal(shouldEvaluate(statically, true), true);

    const analysis = await evaluateTypeScriptModel(samplePath, text, { timeoutMs: 5000, workerScript });
    assert.deepEqual(analysis.diagnostics, []);
    const layers = analysis.summary?.layers ?? [];
    // By hand: conv 3·3·cin·f + f; batch norm 4·f (half of it moving statistics); pooling halves 32 → 16 → 8 → 4.
    assert.deepEqual(
      layers.map((layer) => [layer.name, layer.outputShape, layer.params]),
      [
        ['conv2d', [null, 32, 32, 32], 3 * 3 * 3 * 32 + 32],
        ['batch_normalization', [null, 32, 32, 32], 4 * 32],
        ['max_pooling2d', [null, 16, 16, 32], 0],
        ['conv2d_1', [null, 16, 16, 64], 3 * 3 * 32 * 64 + 64],
        ['batch_normalization_1', [null, 16, 16, 64], 4 * 64],
        ['max_pooling2d_1', [null, 8, 8, 64], 0],
        ['conv2d_2', [null, 8, 8, 128], 3 * 3 * 64 * 128 + 128],
        ['batch_normalization_2', [null, 8, 8, 128], 4 * 128],
        ['max_pooling2d_2', [null, 4, 4, 128], 0],
        ['flatten', [null, 2048], 0],
        ['dropout', [null, 2048], 0],
        ['dense', [null, 10], 2048 * 10 + 10],
      ],
    );
    assert.equal(analysis.summary?.totalParams, 114634);
    assert.equal(analysis.summary?.nonTrainableParams, 2 * (32 + 64 + 128));
    // Each layer sits on the call that made it: the helper's lines for the loop-built blocks.
    assert.equal(textAt(text, layers[3].range as SourceRange), "tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu' })");
    assert.equal(textAt(text, layers[9].range as SourceRange), 'tf.layers.flatten()');
    assert.equal(textAt(text, analysis.ir?.range as SourceRange), "tf.sequential({ name: 'loop-built-cnn' })");
    assert.equal(analysis.ir?.name, 'loop-built-cnn');
    assert.equal(analysis.ir?.training?.dataset, 'cifar10');
  });

  it('functional models from a helper, with an async default export and a typo fixed from its source range', async () => {
    const text = [
      "import * as tf from '@tensorflow/tfjs';",
      'function block(x: tf.SymbolicTensor, filters: number): tf.SymbolicTensor {',
      "  const y = tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same' }).apply(x) as tf.SymbolicTensor;",
      '  return tf.layers.add().apply([x, y]) as tf.SymbolicTensor;',
      '}',
      'export default async function build() {',
      '  const input = tf.input({ shape: [8, 8, 4] });',
      '  let x = input;',
      '  for (let i = 0; i < 2; i++) x = block(x, 4);',
      '  const out = tf.layers.globalAveragePooling2D({}).apply(x) as tf.SymbolicTensor;',
      '  return tf.model({ inputs: input, outputs: out });',
      '}',
    ].join('\n');
    const analysis = await evaluate(text);
    const unknown = analysis.diagnostics.find((diagnostic) => diagnostic.code === 'unknown-layer');
    assert.ok(unknown, JSON.stringify(analysis.diagnostics));
    assert.equal(textAt(text, unknown.range), 'globalAveragePooling2D');
    const fix = unknown.fixes?.[0].edits[0];
    assert.ok(fix);
    const fixed = text.replace('globalAveragePooling2D', fix.newText);
    const reanalysed = await evaluate(fixed);
    assert.deepEqual(reanalysed.diagnostics, []);
    assert.deepEqual(
      reanalysed.summary?.layers.map((layer) => [layer.name, layer.outputShape, layer.params, layer.inbound]),
      [
        ['input_1', [null, 8, 8, 4], 0, []],
        ['conv2d', [null, 8, 8, 4], 3 * 3 * 4 * 4 + 4, ['input_1']],
        ['add', [null, 8, 8, 4], 0, ['input_1', 'conv2d']],
        ['conv2d_1', [null, 8, 8, 4], 3 * 3 * 4 * 4 + 4, ['add']],
        ['add_1', [null, 8, 8, 4], 0, ['add', 'conv2d_1']],
        ['global_average_pooling2d', [null, 4], 0, ['add_1']],
      ],
    );
  });

  it('an infinite loop is stopped at the time limit with a diagnostic', async () => {
    const text = "import * as tf from '@tensorflow/tfjs';\nexport default function build() {\n  for (;;) {}\n}\n";
    const started = Date.now();
    const analysis = await evaluate(text, 300);
    assert.ok(Date.now() - started < 5000);
    assert.equal(analysis.summary, undefined);
    assert.equal(analysis.diagnostics.length, 1);
    assert.equal(analysis.diagnostics[0].severity, 'error');
    assert.match(analysis.diagnostics[0].message, /took longer than 300 ms, so it was stopped/);
    assert.equal(textAt(text, analysis.diagnostics[0].range), 'export default function build() {');
  });

  it('a throw becomes a diagnostic on the line that threw', async () => {
    const text = [
      "import * as tf from '@tensorflow/tfjs';",
      'function widths(): number[] {',
      "  throw new Error('no widths configured');",
      '}',
      'export default () => tf.sequential({ layers: widths().map((units) => tf.layers.dense({ units })) });',
    ].join('\n');
    const analysis = await evaluate(text);
    assert.equal(analysis.diagnostics.length, 1);
    assert.equal(analysis.diagnostics[0].message, 'Running the model module failed: Error: no widths configured');
    assert.equal(textAt(text, analysis.diagnostics[0].range), "new Error('no widths configured');");
  });

  it('a module without a default export, or exporting something else, says what to export', async () => {
    const none = await evaluate("import * as tf from '@tensorflow/tfjs';\nexport const model = tf.sequential();\n");
    assert.match(none.diagnostics[0].message, /The module has no default export\. Add `export default model;`/);
    const other = await evaluate('export default 42;\n');
    assert.match(other.diagnostics[0].message, /The default export gives number 42, not a model\./);
  });

  it('imports other than tfjs are refused with a message', async () => {
    const analysis = await evaluate("import { readFileSync } from 'node:fs';\nexport default readFileSync;\n");
    assert.match(analysis.diagnostics[0].message, /Cannot import 'node:fs' while computing shapes/);
  });
});

describe('shouldEvaluate', () => {
  const text = readFileSync(samplePath, 'utf8');

  it('refuses in an untrusted workspace', () => {
    assert.equal(shouldEvaluate(analyzeModel(text, samplePath), false), false);
  });

  it('refuses when the static reader resolved everything, and for JSON models', () => {
    const literal = readFileSync(join(repoRoot, 'samples', 'seed003-fashion-mnist-cnn.model.ts'), 'utf8');
    assert.equal(shouldEvaluate(analyzeModel(literal, 'seed003.model.ts'), true), false);
    const json = readFileSync(join(repoRoot, 'samples', 'seed003-fashion-mnist-cnn.model.json'), 'utf8');
    assert.equal(shouldEvaluate(analyzeModel(json, 'seed003.model.json'), true), false);
  });
});

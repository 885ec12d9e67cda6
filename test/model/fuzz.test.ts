// Malformed and random model files: analyzeModel must never throw, every diagnostic range must
// lie inside the file, and an input that is invalid must get at least one diagnostic.
// A seeded PRNG makes every failure reproducible: the failing case's seed is in its message.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTree, type ParseError } from 'jsonc-parser';
import { LAYER_CATALOG } from '../../src/model/catalog';
import { analyzeModel } from '../../src/model/index';
import type { ModelAnalysis } from '../../src/model/types';
// The trainer's seeded generator: the same sequence on every machine, so a failing case reproduces.
import { seededRandom as prng } from '../../src/util/random';

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)];
const root = join(__dirname, '..', '..');
const samples = ['seed003-fashion-mnist-cnn.model.json', 'seed000-vgg-like-cars-bikes-planes.model.json', 'seed004-mnist-mlp-bn-selu.model.json'].map((file) =>
  readFileSync(join(root, 'samples', file), 'utf8'),
);
const kerasSamples = ['keras/seed003-fashion-mnist-cnn.keras.json', 'keras/seed002-mnist-conv-pool.keras2.json'].map((file) => readFileSync(join(root, 'samples', file), 'utf8'));
const tsSamples = ['seed003-fashion-mnist-cnn.model.ts', 'seed000-vgg-like-cars-bikes-planes.model.ts', 'residual-block-functional.model.ts'].map((file) =>
  readFileSync(join(root, 'samples', file), 'utf8'),
);
const NOISE = ['{', '}', '[', ']', ',', ':', '"', '0', '-1', 'null', 'true', ' ', '\n', '/*', '(', ')', ';', 'tf.layers.', '1e309', '\u00e9'];

function mutateText(random: () => number, text: string): string {
  let result = text;
  const edits = 1 + Math.floor(random() * 4);
  for (let edit = 0; edit < edits; edit += 1) {
    const at = Math.floor(random() * (result.length + 1));
    const choice = random();
    if (choice < 0.3) result = result.slice(0, at) + result.slice(at + 1 + Math.floor(random() * 8));
    else if (choice < 0.6) result = result.slice(0, at) + pick(random, NOISE) + result.slice(at);
    else if (choice < 0.8) result = result.slice(0, at);
    else result = result.slice(0, at) + pick(random, NOISE) + result.slice(at + 1);
  }
  return result;
}

function checkAnalysis(analysis: ModelAnalysis, text: string, label: string): void {
  const lines = text.split('\n');
  for (const diagnostic of analysis.diagnostics) {
    const { start, end } = diagnostic.range;
    assert.ok(start.line >= 0 && start.line < lines.length && end.line < lines.length, `${label}: range line inside the file`);
    assert.ok(start.character >= 0 && start.character <= lines[start.line].length, `${label}: range column inside the line`);
    assert.ok(diagnostic.message.length > 0, `${label}: message`);
  }
}

function analyzeSafely(text: string, fileName: string, label: string): ModelAnalysis {
  let analysis: ModelAnalysis | undefined;
  assert.doesNotThrow(() => {
    analysis = analyzeModel(text, fileName);
  }, label);
  assert.ok(analysis);
  assert.ok(!analysis.diagnostics.some((diagnostic) => diagnostic.message.includes('internal error')), `${label}: no internal error: ${JSON.stringify(analysis.diagnostics)}`);
  checkAnalysis(analysis, text, label);
  return analysis;
}

const hasJsonSyntaxErrors = (text: string): boolean => {
  const errors: ParseError[] = [];
  parseTree(text, errors, { allowTrailingComma: true });
  return errors.length > 0;
};

const RANDOM_VALUES: unknown[] = [0, -1, 1, 2, 3, 7, 32, 0.5, 1.5, 'same', 'valid', 'relu', 'softmax', 'relux', true, false, null, [], [2, 2], [0, 3], [1, 2, 3], [[1, 1], [2, 2]], {}, 'channelsFirst', -3];

function randomLayer(random: () => number): Record<string, unknown> {
  const kind = random() < 0.9 ? pick(random, LAYER_CATALOG) : undefined;
  const layer: Record<string, unknown> = { type: kind ? kind.className : pick(random, ['Conv3D', 'dense', 'Flaten', '', 'Lambda']) };
  const names = kind ? Object.keys(kind.options) : [];
  for (const name of names) {
    const spec = kind?.options[name];
    if (spec?.required || random() < 0.3) layer[name] = random() < 0.6 && spec?.default !== undefined && spec.default !== null ? spec.default : pick(random, RANDOM_VALUES);
  }
  if (random() < 0.05) layer.kernalSize = 3;
  return layer;
}

describe('fuzz: analyzeModel never throws', function () {
  this.timeout(60000);
  const CASES = { json: 150, stacks: 200, keras: 100, typescript: 100 };

  it(`${CASES.json} mutated model JSON files`, () => {
    for (let seed = 1; seed <= CASES.json; seed += 1) {
      const random = prng(seed);
      const text = mutateText(random, pick(random, samples));
      const analysis = analyzeSafely(text, 'fuzz.model.json', `json seed ${seed}`);
      if (hasJsonSyntaxErrors(text)) assert.ok(analysis.diagnostics.length > 0, `json seed ${seed}: syntax error reported`);
    }
  });

  it(`${CASES.stacks} random layer stacks with random options`, () => {
    for (let seed = 1; seed <= CASES.stacks; seed += 1) {
      const random = prng(1000 + seed);
      const layers = Array.from({ length: 1 + Math.floor(random() * 8) }, () => randomLayer(random));
      const inputShape = pick(random, [[28, 28, 1], [32, 32, 3], [28, 28], [784], [4, 4, 2], [0, 3], 'x']);
      const text = JSON.stringify({ inputShape, layers }, null, 2);
      const analysis = analyzeSafely(text, 'stack.model.json', `stack seed ${seed}`);
      const summarized = analysis.summary?.layers.length ?? 0;
      if (summarized < layers.length) {
        assert.ok(analysis.diagnostics.some((diagnostic) => diagnostic.severity === 'error' || diagnostic.code === 'unresolved-expression'), `stack seed ${seed}: a model cut short says why`);
      }
      for (const layer of analysis.summary?.layers ?? []) {
        assert.ok(layer.outputShape.every((dim) => dim === null || (Number.isInteger(dim) && dim > 0)), `stack seed ${seed}: positive dims`);
        assert.ok(Number.isFinite(layer.params) && layer.params >= 0, `stack seed ${seed}: params`);
      }
    }
  });

  it(`${CASES.keras} mutated Keras to_json() files`, () => {
    for (let seed = 1; seed <= CASES.keras; seed += 1) {
      const random = prng(5000 + seed);
      const source = pick(random, kerasSamples);
      let text: string;
      if (random() < 0.5) {
        text = mutateText(random, source);
      } else {
        const model = JSON.parse(source) as { config: { layers: { config: Record<string, unknown>; class_name: unknown }[] } };
        const layer = pick(random, model.config.layers);
        const keys = Object.keys(layer.config);
        if (random() < 0.3) layer.class_name = pick(random, RANDOM_VALUES);
        else if (keys.length > 0) layer.config[pick(random, keys)] = pick(random, RANDOM_VALUES);
        text = JSON.stringify(model);
      }
      const analysis = analyzeSafely(text, 'fuzz.keras.json', `keras seed ${seed}`);
      if (hasJsonSyntaxErrors(text) && analysis.format) assert.ok(analysis.diagnostics.length > 0, `keras seed ${seed}: syntax error reported`);
    }
  });

  it(`${CASES.typescript} mutated TypeScript model files`, () => {
    for (let seed = 1; seed <= CASES.typescript; seed += 1) {
      const random = prng(9000 + seed);
      const text = mutateText(random, pick(random, tsSamples));
      const analysis = analyzeSafely(text, 'fuzz.model.ts', `typescript seed ${seed}`);
      if (!analysis.summary || analysis.summary.layers.length === 0) assert.ok(analysis.diagnostics.length > 0, `typescript seed ${seed}: empty result explained`);
    }
  });

  it('odd inputs: empty, binary, huge numbers, deep nesting', () => {
    const odd = ['', '\u0000\u0001\u0002', '{"layers": [{"type": "Dense", "units": 1e309}], "inputShape": [4]}', '['.repeat(5000), '{"layers": 5}', 'null'];
    for (const [index, text] of odd.entries()) {
      for (const fileName of ['odd.model.json', 'odd.model.ts', 'odd.json']) {
        const analysis = analyzeSafely(text, fileName, `odd ${index} ${fileName}`);
        assert.ok(analysis.diagnostics.length > 0 || fileName === 'odd.json', `odd ${index} ${fileName}: diagnosed`);
      }
    }
  });
});

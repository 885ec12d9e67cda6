// The static `.model.ts` reader and variables that change (issue 10, item 7): `let model;` assigned
// further down is found, and `name = value;` at the top of the module or of the builder is
// followed in order, as the code runs. Any other change (in a branch or loop, `+=`, `push`, from
// another function) makes the reader say it cannot know the value, where it once kept the first
// value and showed a wrong number without a word. Tensors it cannot follow stop it too.
import { strict as assert } from 'node:assert';
import { analyzeModel } from '../../src/model/index';
import type { ModelAnalysis } from '../../src/model/types';

const head = "import * as tf from '@tensorflow/tfjs';\n";

function read(body: string): { rows: string[]; warnings: string[]; errors: string[] } {
  const analysis: ModelAnalysis = analyzeModel(head + body, 'm.model.ts');
  const of = (severity: string): string[] => analysis.diagnostics.filter((diagnostic) => diagnostic.severity === severity).map((diagnostic) => `${diagnostic.range.start.line + 1}: ${diagnostic.message}`);
  return { rows: analysis.summary?.layers.map((layer) => `${layer.className}:${layer.params}`) ?? [], warnings: of('warning'), errors: of('error') };
}

const denseOn4 = (units: string): string => `export default tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: ${units} })] });\n`;
/** Params of Dense(units) on 4 inputs: 4·units + units. */
const denseParams = (units: number): string => `Dense:${4 * units + units}`;

describe('TypeScript reader: variables that change', () => {
  it('`let model;` assigned further down, then built with add and exported, is the model', () => {
    const result = read('let model: tf.Sequential;\nmodel = tf.sequential();\nmodel.add(tf.layers.dense({ inputShape: [4], units: 3 }));\nexport default model;\n');
    assert.deepEqual(result, { rows: [denseParams(3)], warnings: [], errors: [] });
  });

  it('assignments at the top of the module and of the builder are followed in order; consts keep the value they were made from', () => {
    // As JavaScript runs it: size is 8 when doubled is made (16), then size becomes 100.
    const module = read(`let size = 8;\nconst doubled = size * 2;\nsize = 100;\nsize = size + 1;\n${denseOn4('doubled')}`);
    assert.deepEqual(module, { rows: [denseParams(16)], warnings: [], errors: [] });
    const latest = read(`let size = 8;\nsize = size * 3;\n${denseOn4('size')}`);
    assert.deepEqual(latest.rows, [denseParams(24)]);
    const builder = read(
      'export default function build(units = 4) {\n  units = units * 2;\n  let hidden = 3;\n  hidden = hidden + units;\n' +
        '  return tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: hidden }), tf.layers.dense({ units })] });\n}\n',
    );
    // hidden = 3 + 8 = 11: 4·11 + 11 = 55; then 11·8 + 8 = 96.
    assert.deepEqual(builder, { rows: ['Dense:55', 'Dense:96'], warnings: [], errors: [] });
  });

  it('a tensor variable reassigned layer after layer is followed', () => {
    const result = read(
      'const input = tf.input({ shape: [4] });\nlet x = input;\nx = tf.layers.dense({ units: 8 }).apply(x) as tf.SymbolicTensor;\n' +
        'x = tf.layers.dense({ units: 2 }).apply(x) as tf.SymbolicTensor;\nexport default tf.model({ inputs: input, outputs: x });\n',
    );
    assert.deepEqual(result, { rows: ['InputLayer:0', 'Dense:40', 'Dense:18'], warnings: [], errors: [] });
  });

  const changedElsewhere: [string, string][] = [
    ['in a branch', 'let units = 8;\nconst wide = true;\nif (wide) units = 16;\n'],
    ['with +=', 'let units = 8;\nunits += 8;\n'],
    ['with ++', 'let units = 8;\nunits++;\n'],
    ['from another function', 'let units = 8;\nfunction widen() {\n  units = 32;\n}\nwiden();\n'],
    ['in a loop', 'let units = 1;\nfor (let i = 0; i < 3; i += 1) units = units * 2;\n'],
  ];
  for (const [how, change] of changedElsewhere) {
    it(`a value changed ${how} is not guessed: the reader says it cannot know it`, () => {
      const result = read(`${change}${denseOn4('units')}`);
      assert.deepEqual(result.rows, []);
      assert.deepEqual(result.errors, []);
      assert.equal(result.warnings.length, 1, result.warnings.join('\n'));
      assert.match(result.warnings[0], /CNN Lab cannot work out the value of `units`, which the code changes where CNN Lab does not follow it, from `units`/);
    });
  }

  it('an array changed by a method is not guessed', () => {
    const result = read('const dims = [4, 2];\ndims.reverse();\nexport default tf.sequential({ layers: [tf.layers.reshape({ inputShape: [8], targetShape: dims })] });\n');
    assert.deepEqual(result.rows, []);
    assert.match(result.warnings[0], /the value of `dims`, which the code changes/);
  });

  it('a const of the same name inside the builder is its own, whatever the module assigned', () => {
    const result = read('let units = 8;\nunits = 16;\nexport default function build() {\n  const units = 4;\n  return tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units })] });\n}\n');
    assert.deepEqual(result, { rows: [denseParams(4)], warnings: [], errors: [] });
  });

  it('outputs or tensors made by a helper stop the reader, rather than the last layer read passing for the output', () => {
    const helper = 'function block(x: tf.SymbolicTensor): tf.SymbolicTensor {\n  return tf.layers.dense({ units: 2 }).apply(x) as tf.SymbolicTensor;\n}\nconst input = tf.input({ shape: [4] });\nconst hidden = tf.layers.dense({ units: 3 }).apply(input) as tf.SymbolicTensor;\n';
    const asOutput = read(`${helper}export default tf.model({ inputs: input, outputs: block(hidden) });\n`);
    assert.equal(asOutput.warnings.length, 1, asOutput.warnings.join('\n'));
    assert.match(asOutput.warnings[0], /^7: CNN Lab cannot work out this tensor from `block\(hidden\)`/);
    const asConst = read(`${helper}const out = block(hidden);\nexport default tf.model({ inputs: input, outputs: out });\n`);
    assert.equal(asConst.warnings.length, 1, asConst.warnings.join('\n'));
    assert.match(asConst.warnings[0], /^7: CNN Lab cannot work out what this expression does to the model from `block\(hidden\)`/);
  });
});

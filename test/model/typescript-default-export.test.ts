// The static `*.model.ts` reader must summarize the model the module's default export gives, and
// nothing else (issue 10, item 7). Real tfjs projects define several builders in one file
// (tfjs-examples' mnist: createConvModel and createDenseModel) and pick one with a default export;
// the reader once took the first `return` of any function, so it showed another builder's numbers
// with no warning. When it cannot tell which model is exported it must say so, and show none.
// It also protects the first layer read from a parameter or a loop: only the honest
// `unresolved-expression` warning, never a false "The model has no layers" error.
import { strict as assert } from 'node:assert';
import { analyzeModel } from '../../src/model/index';
import type { ModelAnalysis } from '../../src/model/types';

const head = "import * as tf from '@tensorflow/tfjs';\n";

/** Two builders in the style of tfjs-examples/mnist/index.js: conv (params 1,090 + …) and dense. */
const builders = `
function createConvModel() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 3, activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  return model;
}

const createDenseModel = () => {
  const model = tf.sequential();
  model.add(tf.layers.flatten({ inputShape: [28, 28, 1] }));
  model.add(tf.layers.dense({ units: 42, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  return model;
};

function createWideModel(units = 128) {
  return tf.sequential({ layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units }), tf.layers.dense({ units: 10 })] });
}
`;
// Keras/tfjs numbers: conv 16·3·3·1+16 = 160, pool → 13·13·16 = 2,704, dense 2,704·10+10 = 27,050.
const CONV_PARAMS = 160 + 27_050;
// dense: 784·42+42 = 32,970 and 42·10+10 = 430.
const DENSE_PARAMS = 32_970 + 430;
const wideParams = (units: number): number => 784 * units + units + units * 10 + 10;

function summarized(analysis: ModelAnalysis): { params: number | undefined; layers: string[]; problems: string[] } {
  return {
    params: analysis.summary?.totalParams,
    layers: analysis.summary?.layers.map((layer) => `${layer.className}:${layer.params}`) ?? [],
    problems: analysis.diagnostics.map((diagnostic) => `${diagnostic.severity} ${diagnostic.code} @${diagnostic.range.start.line + 1}: ${diagnostic.message}`),
  };
}

function lineOf(text: string, fragment: string): number {
  const index = text.indexOf(fragment);
  assert.ok(index >= 0, `${fragment} is in the text`);
  return text.slice(0, index).split('\n').length - 1;
}

describe('TypeScript reader: the default export picks the builder', () => {
  it('export default createDenseModel (a const arrow function declared after another builder) shows the dense model', () => {
    const result = summarized(analyzeModel(`${head}${builders}export default createDenseModel;\n`, 'mnist.model.ts'));
    assert.deepEqual(result.problems, []);
    assert.deepEqual(result.layers, ['Flatten:0', 'Dense:32970', 'Dense:430']);
    assert.equal(result.params, DENSE_PARAMS);
  });

  it('export default createConvModel (a function declaration) shows the conv model', () => {
    const result = summarized(analyzeModel(`${head}${builders}export default createConvModel;\n`, 'mnist.model.ts'));
    assert.deepEqual(result.problems, []);
    assert.equal(result.params, CONV_PARAMS);
  });

  it('export default before the builders it names (function declarations are hoisted)', () => {
    const result = summarized(analyzeModel(`${head}export default createWideModel;\n${builders}`, 'mnist.model.ts'));
    assert.deepEqual(result.problems, []);
    assert.equal(result.params, wideParams(128));
  });

  it('export default function, with other builders around it', () => {
    const text = `${head}${builders}export default function build() {\n  return createDenseModel();\n}\n`;
    const result = summarized(analyzeModel(text, 'mnist.model.ts'));
    assert.deepEqual(result.problems, []);
    assert.equal(result.params, DENSE_PARAMS);
  });

  it('export default builder(64) reads the argument; a default parameter value is used when called with none', () => {
    assert.equal(summarized(analyzeModel(`${head}${builders}export default createWideModel(64);\n`, 'mnist.model.ts')).params, wideParams(64));
    const constArgument = `${head}${builders}const UNITS = 2 * 16;\nconst model = createWideModel(UNITS);\nexport default model;\n`;
    assert.equal(summarized(analyzeModel(constArgument, 'mnist.model.ts')).params, wideParams(32));
  });

  it('export { createDenseModel as default }', () => {
    const result = summarized(analyzeModel(`${head}${builders}export { createDenseModel as default };\n`, 'mnist.model.ts'));
    assert.equal(result.params, DENSE_PARAMS);
  });

  it('a module-level model built from a builder keeps layers added after the call', () => {
    const text = `${head}${builders}const model = createConvModel();\nmodel.add(tf.layers.dense({ units: 5 }));\nexport default model;\n`;
    const result = summarized(analyzeModel(text, 'mnist.model.ts'));
    assert.deepEqual(result.problems, []);
    assert.equal(result.params, CONV_PARAMS + 10 * 5 + 5);
  });

  it('a parameter shadows a module const of the same name; the module const keeps its value outside', () => {
    const text = `${head}const units = 7;\nfunction build(units = 3) {\n  return tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units })] });\n}\nconst model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units })] });\nexport default build;\n`;
    assert.equal(summarized(analyzeModel(text, 'shadow.model.ts')).params, 4 * 3 + 3);
    const moduleModel = text.replace('export default build;', 'export default model;');
    assert.equal(summarized(analyzeModel(moduleModel, 'shadow.model.ts')).params, 4 * 7 + 7);
  });

  it('a default export it cannot follow is a warning on that line and no model, never another builder\'s numbers', () => {
    const text = `${head}import { pickModel } from './zoo';\n${builders}export default pickModel('dense');\n`;
    const analysis = analyzeModel(text, 'mnist.model.ts');
    assert.equal(analysis.summary, undefined);
    assert.equal(analysis.diagnostics.length, 1, JSON.stringify(analysis.diagnostics));
    const [warning] = analysis.diagnostics;
    assert.equal(warning.severity, 'warning');
    assert.equal(warning.code, 'unresolved-expression');
    assert.equal(warning.range.start.line, lineOf(text, 'export default pickModel'));
    assert.match(warning.message, /which model the default export is/);
    const conditional = `${head}${builders}const useConv = process.env.CONV === '1';\nexport default useConv ? createConvModel : createDenseModel;\n`;
    const other = analyzeModel(conditional, 'mnist.model.ts');
    assert.equal(other.summary, undefined);
    assert.deepEqual(other.diagnostics.map((diagnostic) => [diagnostic.severity, diagnostic.code]), [['warning', 'unresolved-expression']]);
  });

  it('a builder that returns from inside a branch is a warning, not the model after the branch', () => {
    const text = `${head}export default function build() {\n  if (Math.random() > 0.5) {\n    return tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 99 })] });\n  }\n  return tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 1 })] });\n}\n`;
    const analysis = analyzeModel(text, 'branch.model.ts');
    assert.equal(analysis.summary, undefined);
    assert.deepEqual(analysis.diagnostics.map((diagnostic) => [diagnostic.severity, diagnostic.code, diagnostic.range.start.line]), [['warning', 'unresolved-expression', 2]]);
  });

  it('several builders and no default export: a warning naming them, and no model', () => {
    const analysis = analyzeModel(`${head}${builders}`, 'mnist.model.ts');
    assert.equal(analysis.summary, undefined);
    assert.equal(analysis.diagnostics.length, 1);
    assert.equal(analysis.diagnostics[0].severity, 'warning');
    assert.match(analysis.diagnostics[0].message, /several functions that build models \(`createConvModel`, `createDenseModel`, `createWideModel`\) and has no default export/);
  });

  it('one builder and no default export is still read', () => {
    const text = `${head}function createModel() {\n  return tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2 })] });\n}\n`;
    assert.equal(summarized(analyzeModel(text, 'one.model.ts')).params, 10);
  });
});

describe('TypeScript reader: a first layer it cannot follow', () => {
  const onlyUnresolved = (text: string, fragment: string): void => {
    const analysis = analyzeModel(text, 'first.model.ts');
    const problems = analysis.diagnostics.map((diagnostic) => [diagnostic.severity, diagnostic.code, diagnostic.range.start.line]);
    assert.deepEqual(problems, [['warning', 'unresolved-expression', lineOf(text, fragment)]], JSON.stringify(analysis.diagnostics));
    assert.equal(analysis.summary?.layers.length ?? 0, 0);
  };

  it('options from a parameter without a value: only the unresolved warning, no "The model has no layers"', () => {
    onlyUnresolved(`${head}export function build(units: number) {\n  const model = tf.sequential();\n  model.add(tf.layers.dense({ inputShape: [784], units }));\n  model.add(tf.layers.dense({ units: 10 }));\n  return model;\n}\nexport default build;\n`, 'units }');
  });

  it('first layers added in a loop: only the unresolved warning', () => {
    onlyUnresolved(`${head}export default function build() {\n  const model = tf.sequential();\n  for (const units of [64, 32]) model.add(tf.layers.dense({ units, inputShape: [4] }));\n  return model;\n}\n`, 'for (const');
  });

  it('module-level model whose first layer reads a value from a call', () => {
    onlyUnresolved(`${head}const model = tf.sequential();\nmodel.add(tf.layers.dense({ inputShape: [4], units: pick() }));\nexport default model;\n`, 'pick()');
  });

  it('a model with no layers at all is still an error', () => {
    const analysis = analyzeModel(`${head}export default tf.sequential();\n`, 'empty.model.ts');
    assert.deepEqual(analysis.diagnostics.map((diagnostic) => [diagnostic.severity, diagnostic.code]), [['error', 'not-a-model']]);
  });
});

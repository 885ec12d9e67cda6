// One case per diagnostic kind: Keras-style wording, the exact source range, and the quick fix.
import { strict as assert } from 'node:assert';
import { analyzeModel } from '../../src/model/index';
import type { ModelAnalysis, ModelDiagnostic, SourceRange } from '../../src/model/types';

/** The text a range covers, so tests state ranges by what they point at. */
function textAt(text: string, range: SourceRange): string {
  const lines = text.split('\n');
  if (range.start.line === range.end.line) return lines[range.start.line].slice(range.start.character, range.end.character);
  return [lines[range.start.line].slice(range.start.character), ...lines.slice(range.start.line + 1, range.end.line), lines[range.end.line].slice(0, range.end.character)].join('\n');
}

function only(analysis: ModelAnalysis, code: ModelDiagnostic['code']): ModelDiagnostic {
  const found = analysis.diagnostics.filter((diagnostic) => diagnostic.code === code);
  assert.equal(found.length, 1, `one ${code} in ${JSON.stringify(analysis.diagnostics.map((d) => d.message))}`);
  return found[0];
}

function applyFix(text: string, diagnostic: ModelDiagnostic): string {
  const fix = diagnostic.fixes?.[0];
  assert.ok(fix, 'a quick fix');
  const lines = text.split('\n');
  const offset = (line: number, character: number): number => lines.slice(0, line).reduce((sum, current) => sum + current.length + 1, 0) + character;
  let result = text;
  for (const edit of [...fix.edits].reverse()) {
    const start = offset(edit.range.start.line, edit.range.start.character);
    const end = offset(edit.range.end.line, edit.range.end.character);
    result = result.slice(0, start) + edit.newText + result.slice(end);
  }
  return result;
}

const model = (inputShape: string, layers: string[], extra = ''): string =>
  `{\n  "inputShape": ${inputShape},\n  "layers": [\n    ${layers.join(',\n    ')}\n  ]${extra}\n}`;

describe('diagnostics', () => {
  it('non-positive dimension: the arithmetic, at the kernelSize value, with earlier layers summarized', () => {
    const text = model('[8, 8, 1]', ['{ "type": "Conv2D", "filters": 4, "kernelSize": 3 }', '{ "type": "MaxPooling2D", "poolSize": 2 }', '{ "type": "Conv2D", "filters": 8, "kernelSize": 5 }', '{ "type": "Flatten" }']);
    const analysis = analyzeModel(text, 'small.model.json');
    const diagnostic = only(analysis, 'non-positive-dimension');
    assert.equal(diagnostic.severity, 'error');
    assert.equal(
      diagnostic.message,
      'Computed output size would be negative on the height axis: (3 + 2·0 − 5) / 1 + 1 = -1. Received: input shape=(None, 3, 3, 4), kernelSize=(5, 5), strides=(1, 1), padding="valid". ' +
        'The input is smaller than the window: use a smaller kernelSize, padding "same", or fewer downsampling layers before this one.',
    );
    assert.equal(textAt(text, diagnostic.range), '5');
    assert.equal(diagnostic.range.start.line, 5);
    assert.deepEqual(analysis.summary?.layers.map((layer) => layer.outputShape), [[null, 6, 6, 4], [null, 3, 3, 4]]);
  });

  it('non-positive dimension from pooling blames poolSize', () => {
    const text = model('[1, 1, 3]', ['{ "type": "MaxPooling2D", "poolSize": [2, 2] }']);
    const diagnostic = only(analyzeModel(text, 'p.model.json'), 'non-positive-dimension');
    assert.match(diagnostic.message, /^Computed output size would be zero on the height axis: ⌊\(1 \+ 2·0 − 2\) \/ 2⌋ \+ 1 = 0\./);
    assert.equal(textAt(text, diagnostic.range), '[2, 2]');
  });

  it('wrong rank: Conv2D on a 2-D input shape, fixed by adding the channel axis', () => {
    const text = model('[28, 28]', ['{ "type": "Conv2D", "filters": 32, "kernelSize": 3 }', '{ "type": "Flatten" }']);
    const diagnostic = only(analyzeModel(text, 'r.model.json'), 'wrong-rank');
    assert.equal(
      diagnostic.message,
      'Input 0 of layer "conv2d" is incompatible with the layer: expected ndim=4, found ndim=3. Full shape received: (None, 28, 28). ' +
        'Conv2D needs (batch, height, width, channels): add a channel axis to the input shape, e.g. [28, 28, 1].',
    );
    assert.equal(textAt(text, diagnostic.range), 'Conv2D');
    const fixed = applyFix(text, diagnostic);
    assert.match(fixed, /"inputShape": \[28, 28, 1\]/);
    assert.deepEqual(analyzeModel(fixed, 'r.model.json').diagnostics, []);
  });

  it('wrong rank: Conv2D after Flatten has no automatic fix', () => {
    const text = model('[28, 28, 1]', ['{ "type": "Flatten" }', '{ "type": "Conv2D", "filters": 32, "kernelSize": 3 }']);
    const diagnostic = only(analyzeModel(text, 'r.model.json'), 'wrong-rank');
    assert.match(diagnostic.message, /expected ndim=4, found ndim=2\. Full shape received: \(None, 784\)\. .*Reshape/);
    assert.equal(diagnostic.fixes, undefined);
  });

  it('classifier on a 4-D input: warning on the Dense, fixed by inserting Flatten', () => {
    const text = model('[28, 28, 1]', ['{ "type": "Conv2D", "filters": 8, "kernelSize": 3 }', '{ "type": "Dense", "units": 10, "activation": "softmax" }']);
    const analysis = analyzeModel(text, 'c.model.json');
    const diagnostic = only(analysis, 'wrong-rank');
    assert.equal(diagnostic.severity, 'warning');
    assert.match(diagnostic.message, /^Dense layer "dense" is applied to the last axis of a 4-D input \(None, 26, 26, 8\), so the model outputs \(None, 26, 26, 10\)/);
    assert.equal(textAt(text, diagnostic.range), 'Dense');
    const fixed = analyzeModel(applyFix(text, diagnostic), 'c.model.json');
    assert.deepEqual(fixed.diagnostics, []);
    assert.deepEqual(fixed.summary?.layers.map((layer) => layer.className), ['Conv2D', 'Flatten', 'Dense']);
  });

  it('shape mismatch in Add and Concatenate (functional JSON)', () => {
    const add = model('[8, 8, 3]', [
      '{ "type": "Conv2D", "name": "a", "filters": 4, "kernelSize": 3, "inputs": "input_1" }',
      '{ "type": "Conv2D", "name": "b", "filters": 8, "kernelSize": 3, "inputs": "input_1" }',
      '{ "type": "Add", "inputs": ["a", "b"] }',
    ]);
    const diagnostic = only(analyzeModel(add, 'f.model.json'), 'shape-mismatch');
    assert.equal(diagnostic.message, 'Inputs have incompatible shapes. Received shapes (6, 6, 4) and (6, 6, 8). Add needs shapes that broadcast: aligned from the last axis, each pair of sizes equal or one of them 1.');
    assert.equal(textAt(add, diagnostic.range), '["a", "b"]');
    const concat = add.replace('"filters": 8, "kernelSize": 3', '"filters": 8, "kernelSize": 5').replace('"Add"', '"Concatenate"');
    const concatDiagnostic = only(analyzeModel(concat, 'f.model.json'), 'shape-mismatch');
    assert.match(concatDiagnostic.message, /^A `Concatenate` layer requires inputs with matching shapes except for the concatenation axis\. Received: input_shape=\[\(None, 6, 6, 4\), \(None, 4, 4, 8\)\]/);
    const concatOk = analyzeModel(add.replace('"Add"', '"Concatenate"'), 'f.model.json');
    assert.deepEqual(concatOk.summary?.layers.at(-1)?.outputShape, [null, 6, 6, 12]);
  });

  it('unknown layer type: nearest name and a rename fix', () => {
    const text = model('[28, 28, 1]', ['{ "type": "Conv2d", "filters": 8, "kernelSize": 3 }']);
    const diagnostic = only(analyzeModel(text, 'u.model.json'), 'unknown-layer');
    assert.match(diagnostic.message, /^Unknown layer: 'Conv2d'\. Did you mean 'Conv2D'\?/);
    assert.equal(textAt(text, diagnostic.range), 'Conv2d');
    assert.deepEqual(analyzeModel(applyFix(text, diagnostic), 'u.model.json').diagnostics, []);
  });

  it('unknown layer in TypeScript suggests the tf.layers factory', () => {
    const text = "import * as tf from '@tensorflow/tfjs';\nconst model = tf.sequential({ layers: [tf.layers.conv2D({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3 })] });\nexport default model;\n";
    const diagnostic = only(analyzeModel(text, 'u.model.ts'), 'unknown-layer');
    assert.match(diagnostic.message, /^Unknown layer: 'tf\.layers\.conv2D'\. Did you mean 'conv2d'\?/);
    assert.equal(textAt(text, diagnostic.range), 'conv2D');
    assert.equal(diagnostic.fixes?.[0].edits[0].newText, 'conv2d');
    assert.deepEqual(analyzeModel(applyFix(text, diagnostic), 'u.model.ts').diagnostics, []);
  });

  it('unknown layer in Keras JSON: the fix replaces the name inside the quotes, leaving valid JSON', () => {
    const text = `{
  "class_name": "Sequential",
  "config": {
    "name": "sequential",
    "layers": [
      {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 28, 28, 1], "name": "input_1"}},
      {"class_name": "Conv2X", "config": {"name": "conv2d", "filters": 8, "kernel_size": [3, 3]}}
    ]
  }
}`;
    const diagnostic = only(analyzeModel(text, 'k.json'), 'unknown-layer');
    assert.match(diagnostic.message, /^Unknown layer: 'Conv2X'\. Did you mean 'Conv2D'\?/);
    assert.equal(textAt(text, diagnostic.range), 'Conv2X');
    const fixed = applyFix(text, diagnostic);
    assert.match(fixed, /\{"class_name": "Conv2D", "config"/);
    const reanalysed = analyzeModel(fixed, 'k.json');
    assert.equal(reanalysed.format, 'keras');
    assert.deepEqual(reanalysed.diagnostics, []);
    assert.deepEqual(reanalysed.summary?.layers.map((layer) => layer.outputShape), [[null, 26, 26, 8]]);
  });

  it('typeRange is the layer type as written, without quotes, in every front end', () => {
    const json = model('[8, 8, 1]', ['{ "type": "Conv2D", "filters": 2, "kernelSize": 3 }']);
    const keras = '{"class_name": "Sequential", "config": {"layers": [{"class_name": "Dense", "config": {"units": 2, "batch_input_shape": [null, 4]}}]}}';
    const typescript = "import * as tf from '@tensorflow/tfjs';\nexport default tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2 })] });\n";
    const typeText = (text: string, fileName: string): string | undefined => {
      const range = analyzeModel(text, fileName).ir?.layers.at(-1)?.typeRange;
      return range && textAt(text, range);
    };
    assert.equal(typeText(json, 't.model.json'), 'Conv2D');
    assert.equal(typeText(keras, 't.json'), 'Dense');
    assert.equal(typeText(typescript, 't.model.ts'), 'dense');
  });

  it('unknown option: Keras wording, key range, rename fix', () => {
    const text = model('[28, 28, 1]', ['{ "type": "Conv2D", "filters": 8, "kernalSize": 3 }']);
    const analysis = analyzeModel(text, 'o.model.json');
    const diagnostic = only(analysis, 'unknown-option');
    assert.match(diagnostic.message, /^Unrecognized keyword argument passed to Conv2D: 'kernalSize'\. Did you mean 'kernelSize'\?/);
    assert.equal(textAt(text, diagnostic.range), 'kernalSize');
    assert.deepEqual(analyzeModel(applyFix(text, diagnostic), 'o.model.json').diagnostics, []);
  });

  it('bad option value: expected and received, at the value; activation typo fixed', () => {
    const text = model('[28, 28, 1]', ['{ "type": "Conv2D", "filters": -4, "kernelSize": 3, "activation": "rellu" }']);
    const analysis = analyzeModel(text, 'v.model.json');
    const messages = analysis.diagnostics.map((diagnostic) => diagnostic.message);
    assert.deepEqual(messages, [
      'Invalid value for `filters` of Conv2D "conv2d": expected a positive integer. Received: filters=-4.',
      `Invalid value for \`activation\` of Conv2D "conv2d": expected one of "linear", "relu", "relu6", "elu", "selu", "sigmoid", "hardSigmoid", "softmax", "softplus", "softsign", "tanh", "swish", "mish", "gelu", "silu", "leakyRelu", "hardSilu", "hardSwish", "logSoftmax", "exponential", "celu", "glu", "sparsePlus", "squareplus", "tanhShrink", "softShrink", "hardShrink", "hardTanh", "threshold", "logSigmoid", "sparsemax", "sparseSigmoid" (or Keras's snake_case spelling, e.g. "leaky_relu"), or null for linear. Received: activation="rellu".`,
    ]);
    assert.equal(textAt(text, analysis.diagnostics[0].range), '-4');
    assert.equal(textAt(text, analysis.diagnostics[1].range), '"rellu"');
    assert.equal(analysis.diagnostics[1].fixes?.[0].edits[0].newText, '"relu"');
  });

  it('channelsFirst is reported as unsupported', () => {
    const text = model('[3, 28, 28]', ['{ "type": "Conv2D", "filters": 8, "kernelSize": 3, "dataFormat": "channelsFirst" }']);
    const diagnostic = only(analyzeModel(text, 'cf.model.json'), 'bad-option-value');
    assert.match(diagnostic.message, /uses dataFormat "channelsFirst", which CNN Lab does not support: expected "channelsLast"/);
    assert.equal(textAt(text, diagnostic.range), '"channelsFirst"');
  });

  it('missing required option', () => {
    const text = model('[28, 28, 1]', ['{ "type": "Dense" }']);
    const diagnostic = only(analyzeModel(text, 'm.model.json'), 'bad-option-value');
    assert.match(diagnostic.message, /^Dense is missing the required option `units`/);
    assert.equal(textAt(text, diagnostic.range), 'Dense');
  });

  it('missing input shape: fix from the training dataset', () => {
    const text = '{\n  "layers": [\n    { "type": "Conv2D", "filters": 8, "kernelSize": 3 }\n  ],\n  "training": { "dataset": "mnist" }\n}';
    const diagnostic = only(analyzeModel(text, 'i.model.json'), 'missing-input-shape');
    assert.match(diagnostic.message, /^The first layer in a Sequential model must get an `inputShape` or `batchInputShape` argument/);
    assert.match(diagnostic.message, /mnist has examples of shape \[28, 28, 1\]/);
    const fixed = analyzeModel(applyFix(text, diagnostic), 'i.model.json');
    assert.deepEqual(fixed.diagnostics, []);
    assert.deepEqual(fixed.summary?.layers[0].outputShape, [null, 26, 26, 8]);
  });

  it('missing input shape in TypeScript inserts into the first layer options', () => {
    const text = "import * as tf from '@tensorflow/tfjs';\nconst model = tf.sequential();\nmodel.add(tf.layers.conv2d({ filters: 8, kernelSize: 3 }));\nexport const training = { dataset: 'cifar10' };\nexport default model;\n";
    const diagnostic = only(analyzeModel(text, 'i.model.ts'), 'missing-input-shape');
    const fixed = analyzeModel(applyFix(text, diagnostic), 'i.model.ts');
    assert.deepEqual(fixed.summary?.layers[0].outputShape, [null, 30, 30, 8]);
  });

  it('parse error with position, and not-a-model', () => {
    const text = '{\n  "inputShape": [28, 28, 1],\n  "layers": [ { "type": "Flatten" } \n';
    const analysis = analyzeModel(text, 'p.model.json');
    const parse = analysis.diagnostics.filter((diagnostic) => diagnostic.code === 'parse-error');
    assert.ok(parse.length >= 1);
    assert.match(parse[0].message, /^Invalid JSON: close (bracket|brace) expected at line \d+: close the (list with \]|object with \})\./);
    const notModel = only(analyzeModel('[1, 2]', 'n.model.json'), 'not-a-model');
    assert.match(notModel.message, /^A model file must hold a JSON object/);
    assert.equal(only(analyzeModel('hello', 'notes.txt'), 'not-a-model').range.start.line, 0);
  });

  it('unresolved TypeScript expressions are warnings, not guesses', () => {
    const text = "import * as tf from '@tensorflow/tfjs';\nconst model = tf.sequential();\nmodel.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3 }));\nmodel.add(tf.layers.dense({ units: computeUnits() }));\nexport default model;\n";
    const analysis = analyzeModel(text, 'x.model.ts');
    const diagnostic = only(analysis, 'unresolved-expression');
    assert.equal(diagnostic.severity, 'warning');
    assert.equal(textAt(text, diagnostic.range), 'computeUnits()');
    assert.equal(analysis.summary?.layers.length, 1);
  });

  it('duplicate layer names and unknown functional inputs', () => {
    const text = model('[4]', ['{ "type": "Dense", "name": "d", "units": 2 }', '{ "type": "Dense", "name": "d", "units": 2 }']);
    assert.match(only(analyzeModel(text, 'd.model.json'), 'bad-option-value').message, /^All layer names should be unique/);
    const graph = model('[4]', ['{ "type": "Dense", "name": "a", "units": 2, "inputs": "input_1" }', '{ "type": "Dense", "units": 2, "inputs": "b" }']);
    const diagnostic = only(analyzeModel(graph, 'g.model.json'), 'bad-option-value');
    assert.match(diagnostic.message, /takes its input from "b", which is not a layer defined before it/);
    assert.equal(textAt(graph, diagnostic.range), '"b"');
  });

  it('Reshape size mismatch', () => {
    const text = model('[28, 28, 1]', ['{ "type": "Reshape", "targetShape": [10, 10] }']);
    const diagnostic = only(analyzeModel(text, 'rs.model.json'), 'bad-option-value');
    assert.match(diagnostic.message, /^The total size of the new array must be unchanged: the input has 784 values per example, targetShape gives 100\./);
    assert.equal(textAt(text, diagnostic.range), '[10, 10]');
  });
});

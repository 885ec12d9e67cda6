// Issue 12, item 4: "Apply the best values to the model file" edits a *.model.json in place
// (training keys into `training`, `<layer>.<option>` into that layer), comments and formatting
// kept, as one replacement; other formats are refused with what to do instead.
import { strict as assert } from 'node:assert';
import { applyValuesToModelText, smallestReplacement } from '../../src/extension/experimentEdits';
import { analyzeModel } from '../../src/model';

const MODEL = `{
  // a comment the edit keeps
  "name": "cnn",
  "inputShape": [28, 28, 1],
  "layers": [
    { "type": "Conv2D", "filters": 8, "kernel_size": 3, "activation": "relu" },
    { "type": "MaxPooling2D", "poolSize": 2 },
    { "type": "Dropout", "name": "drop", "rate": 0.25 },
    { "type": "Flatten" },
    { "type": "Dense", "units": 10, "activation": "softmax" }
  ],
  "training": { "dataset": "mnist", "epochs": 2, "learning_rate": 0.001 }
}
`;

function applied(text: string, values: Parameters<typeof applyValuesToModelText>[2], fileName = 'cnn.model.json'): string {
  const result = applyValuesToModelText(text, fileName, values);
  assert.ok(!('problem' in result), 'problem' in result ? result.problem : '');
  const replacement = result.replacement;
  return replacement ? text.slice(0, replacement.offset) + replacement.newText + text.slice(replacement.offset + replacement.length) : text;
}

describe('applying sweep values to a model file (issue 12.4)', () => {
  it('writes training keys into the training block (where a Keras spelling already sits) and layer options into their layer, by given or generated name', () => {
    const after = applied(MODEL, { learningRate: 0.004, batchSize: 64, 'conv2d.filters': 16, 'conv2d.kernelSize': 5, 'drop.rate': 0.5 });
    assert.match(after, /\/\/ a comment the edit keeps/);
    const { ir } = analyzeModel(after, 'cnn.model.json');
    assert.ok(ir);
    assert.deepEqual(ir.training, { dataset: 'mnist', epochs: 2, learningRate: 0.004, batchSize: 64 });
    assert.equal(ir.layers[0].config.filters, 16);
    assert.equal(ir.layers[0].config.kernel_size, 5, 'the Keras spelling is edited where it is, not duplicated');
    assert.ok(!('kernelSize' in ir.layers[0].config));
    assert.equal(ir.layers.find((layer) => layer.name === 'drop')?.config.rate, 0.5);
    assert.match(after, /"learning_rate": 0\.004/);
  });

  it('writes a swept field of an object-valued training key inside its object, the object\'s other fields kept', () => {
    const withAugmentation = MODEL.replace('"learning_rate": 0.001 }', '"learning_rate": 0.001, "augmentation": { "horizontalFlip": true } }');
    const { ir } = analyzeModel(applied(withAugmentation, { 'augmentation.rotationRange': 10 }), 'cnn.model.json');
    assert.deepEqual(ir?.training?.augmentation, { horizontalFlip: true, rotationRange: 10 });
  });

  it('touches only the span that changed, and nothing when the file already holds the values', () => {
    const result = applyValuesToModelText(MODEL, 'cnn.model.json', { 'dense.units': 10, epochs: 2 });
    assert.deepEqual(result, {});
    const one = applyValuesToModelText(MODEL, 'cnn.model.json', { 'dense.units': 12 });
    assert.ok(!('problem' in one));
    assert.deepEqual(one.replacement, { offset: MODEL.indexOf('"units": 10') + '"units": 1'.length, length: 1, newText: '2' });
    assert.deepEqual(smallestReplacement('abcXYdef', 'abcZdef'), { offset: 3, length: 2, newText: 'Z' });
  });

  it('refuses a TypeScript model and Keras JSON, saying what to set by hand, and a layer the file does not have', () => {
    const typescript = applyValuesToModelText('import * as tf from "@tensorflow/tfjs";\nexport default tf.sequential();\n', 'cnn.model.ts', { learningRate: 0.004 });
    assert.ok('problem' in typescript);
    assert.match(typescript.problem, /supported on \*\.model\.json files only; cnn\.model\.ts is a TypeScript model \(\*\.model\.ts\)\. Set lr=0\.004 in it by hand\./);
    const keras = applyValuesToModelText(JSON.stringify({ class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'Dense', config: { units: 2, batch_input_shape: [null, 4] } }] } }), 'cnn.json', { learningRate: 0.004 });
    assert.ok('problem' in keras);
    assert.match(keras.problem, /Keras's model\.to_json\(\) output/);
    const unknown = applyValuesToModelText(MODEL, 'cnn.model.json', { 'conv9.filters': 4 });
    assert.ok('problem' in unknown);
    assert.match(unknown.problem, /Unknown layer 'conv9'/);
  });
});

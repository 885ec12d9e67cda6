// Every independent error in one pass (issue 10, item 9): three typos once took three rounds to
// find. An unknown option on layer 1, a misspelt activation on layer 3 and an unknown layer type on
// layer 5 all appear at once, each with its quick fix; a layer whose input shape cannot be known
// (it follows an error) gets no lens and no shape checks, but its own option checks still run.
import { strict as assert } from 'node:assert';
import { analyzeModel } from '../../src/model/index';
import type { ModelAnalysis } from '../../src/model/types';

const problems = (analysis: ModelAnalysis): string[] =>
  analysis.diagnostics.map((diagnostic) => `${diagnostic.range.start.line + 1} ${diagnostic.code}${diagnostic.fixes?.length ? ` fix:${diagnostic.fixes[0].edits[0].newText}` : ''}`);

describe('every independent error is reported in one pass', () => {
  const json = `{
  "inputShape": [28, 28, 1],
  "layers": [
    { "type": "Conv2D", "filters": 8, "kernelSize": 3, "padingg": "same" },
    { "type": "MaxPooling2D" },
    { "type": "Conv2D", "filters": 16, "kernelSize": 3, "activation": "rellu" },
    { "type": "Flatten" },
    { "type": "Dense2", "units": 10 },
    { "type": "Dense", "units": 10, "activaton": "softmax" }
  ]
}
`;

  it('model JSON: unknown option (layer 1), misspelt activation (layer 3), unknown type (layer 5) and an unknown option after them, at once', () => {
    const analysis = analyzeModel(json, 'typos.model.json');
    assert.deepEqual(problems(analysis), ['4 unknown-option fix:padding', '6 bad-option-value fix:"relu"', '8 unknown-layer fix:Dense', '9 unknown-option fix:activation']);
  });

  it('layers after an error get no summary, and fixing every typo gives the whole model', () => {
    const analysis = analyzeModel(json, 'typos.model.json');
    // Layer 1 has an error, so neither it nor anything after it has a shape.
    assert.deepEqual(analysis.summary?.layers.map((layer) => layer.name), []);
    const fixed = json.replace('padingg', 'padding').replace('rellu', 'relu').replace('Dense2', 'Dense').replace('activaton', 'activation');
    const whole = analyzeModel(fixed, 'typos.model.json');
    assert.deepEqual(whole.diagnostics, []);
    assert.equal(whole.summary?.layers.length, 6);
  });

  it('a shape error stops shapes, not checks: a later bad value is still reported, and no shape error follows from the unknown shape', () => {
    const text = `{
  "inputShape": [4, 4, 1],
  "layers": [
    { "type": "Conv2D", "filters": 2, "kernelSize": 3 },
    { "type": "Conv2D", "filters": 2, "kernelSize": 5 },
    { "type": "Conv2D", "filters": 2, "kernelSize": 9 },
    { "type": "Dropout", "rate": 1.5 }
  ]
}
`;
    const analysis = analyzeModel(text, 'shapes.model.json');
    // Layer 2's kernel does not fit its 2×2 input; layer 3 would not fit either, but its input is unknown.
    assert.deepEqual(problems(analysis), ['5 non-positive-dimension', '7 bad-option-value']);
    assert.deepEqual(analysis.summary?.layers.map((layer) => layer.name), ['conv2d']);
  });

  it('an entry that is no layer keeps its place: the layers after it are still checked', () => {
    const text = '{\n  "inputShape": [4],\n  "layers": [\n    { "type": "Dense", "units": 2 },\n    42,\n    { "units": 3 },\n    { "type": "Dense", "units": 0 }\n  ]\n}\n';
    assert.deepEqual(problems(analyzeModel(text, 'entries.model.json')), ['5 unknown-layer', '6 unknown-layer', '7 bad-option-value']);
  });

  it('functional JSON: a branch independent of the error keeps its shapes', () => {
    const text = `{
  "inputShape": [8],
  "layers": [
    { "type": "Dense", "name": "left", "units": 4, "inputs": "input_1", "activation": "rellu" },
    { "type": "Dense", "name": "right", "units": 4, "inputs": "input_1" },
    { "type": "Dense", "name": "after_left", "units": 2, "inputs": "left", "unitz": 3 },
    { "type": "Dense", "name": "after_right", "units": 2, "inputs": "right" }
  ]
}
`;
    const analysis = analyzeModel(text, 'branches.model.json');
    assert.deepEqual(problems(analysis), ['4 bad-option-value fix:"relu"', '6 unknown-option fix:units']);
    assert.deepEqual(analysis.summary?.layers.map((layer) => layer.name), ['input_1', 'right', 'after_right']);
  });

  it('a duplicate name is reported and the layers after it get no shape from either namesake', () => {
    const text = '{\n  "inputShape": [4],\n  "layers": [\n    { "type": "Dense", "name": "d", "units": 2 },\n    { "type": "Dense", "name": "d", "units": 3 },\n    { "type": "Dense", "units": 5, "activation": "nope" }\n  ]\n}\n';
    const analysis = analyzeModel(text, 'dup.model.json');
    assert.deepEqual(problems(analysis), ['5 bad-option-value', '6 bad-option-value']);
    assert.deepEqual(analysis.summary?.layers.map((layer) => layer.name), ['d']);
  });

  it('TypeScript: the same three typos at once, with factory-name fixes', () => {
    const text = `import * as tf from '@tensorflow/tfjs';
const model = tf.sequential();
model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, padingg: 'same' }));
model.add(tf.layers.maxPooling2d({}));
model.add(tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'rellu' }));
model.add(tf.layers.flatten());
model.add(tf.layers.dens({ units: 10 }));
export default model;
`;
    assert.deepEqual(problems(analyzeModel(text, 'typos.model.ts')), ['3 unknown-option fix:padding', '5 bad-option-value fix:"relu"', '7 unknown-layer fix:dense']);
  });

  it('Keras JSON: an unknown class and a bad value further on, at once', () => {
    const layer = (className: string, config: Record<string, unknown>): unknown => ({ class_name: className, config });
    const keras = JSON.stringify(
      {
        class_name: 'Sequential',
        config: {
          name: 'sequential',
          layers: [
            layer('InputLayer', { batch_input_shape: [null, 8], name: 'input_1' }),
            layer('Dense2', { units: 4, name: 'dense' }),
            layer('Dense', { units: 4, name: 'dense_1', activation: 'rellu' }),
          ],
        },
        keras_version: '2.11.0',
        backend: 'tensorflow',
      },
      null,
      1,
    );
    const analysis = analyzeModel(keras, 'model.json');
    assert.deepEqual(analysis.diagnostics.map((diagnostic) => diagnostic.code), ['unknown-layer', 'bad-option-value']);
  });
});

// Every model of the Keras reference file, through every front end: each layer's output shape
// and params and the totals must equal Keras's own numbers.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeModel } from '../../src/model/index';
import { referenceModels, toKeras2Json, toKeras3Json, toModelJson, toTypeScript, type ReferenceModel } from './helpers';

const frontEnds: { label: string; fileName: (model: ReferenceModel) => string; write: (model: ReferenceModel) => string; format: string }[] = [
  { label: 'model JSON', fileName: (model) => `${model.name}.model.json`, write: toModelJson, format: 'json' },
  { label: 'Keras 2 to_json()', fileName: (model) => `${model.name}.json`, write: toKeras2Json, format: 'keras' },
  { label: 'Keras 3 to_json()', fileName: (model) => `${model.name}.keras.json`, write: toKeras3Json, format: 'keras' },
  { label: 'TypeScript', fileName: (model) => `${model.name}.model.ts`, write: toTypeScript, format: 'typescript' },
];

function assertMatchesReference(model: ReferenceModel, text: string, fileName: string, format: string): void {
  const analysis = analyzeModel(text, fileName);
  assert.equal(analysis.format, format);
  assert.deepEqual(analysis.diagnostics.map((diagnostic) => diagnostic.message), []);
  const summary = analysis.summary;
  assert.ok(summary, 'a summary');
  assert.equal(summary.layers.length, model.expected.length, 'layer count');
  summary.layers.forEach((layer, index) => {
    const expected = model.expected[index];
    assert.deepEqual(layer.outputShape, [null, ...expected.output_shape], `${layer.name} output shape`);
    assert.equal(layer.params, expected.params, `${layer.name} params`);
    assert.equal(layer.className, model.layers[index].type);
  });
  assert.equal(summary.totalParams, model.total_params);
  assert.equal(summary.trainableParams, model.trainable_params);
  assert.equal(summary.nonTrainableParams, model.non_trainable_params);
}

describe('seed models match Keras', () => {
  const models = referenceModels();
  it('has the reference models', () => assert.ok(models.length >= 10));
  for (const frontEnd of frontEnds) {
    describe(frontEnd.label, () => {
      for (const model of models) {
        it(model.name, () => assertMatchesReference(model, frontEnd.write(model), frontEnd.fileName(model), frontEnd.format));
      }
    });
  }
  describe('shipped samples', () => {
    for (const model of models) {
      it(`samples/${model.name}.model.json`, () => {
        const path = join(__dirname, '..', '..', 'samples', `${model.name}.model.json`);
        assertMatchesReference(model, readFileSync(path, 'utf8'), path, 'json');
      });
    }
    const byName = new Map(models.map((model) => [model.name, model]));
    for (const [file, name, format] of [
      ['seed003-fashion-mnist-cnn.model.ts', 'seed003-fashion-mnist-cnn', 'typescript'],
      ['seed000-vgg-like-cars-bikes-planes.model.ts', 'seed000-vgg-like-cars-bikes-planes', 'typescript'],
      ['keras/seed003-fashion-mnist-cnn.keras.json', 'seed003-fashion-mnist-cnn', 'keras'],
      ['keras/seed002-mnist-conv-pool.keras2.json', 'seed002-mnist-conv-pool', 'keras'],
    ] as const) {
      it(`samples/${file}`, () => {
        const path = join(__dirname, '..', '..', 'samples', file);
        assertMatchesReference(byName.get(name) as ReferenceModel, readFileSync(path, 'utf8'), path, format);
      });
    }
  });
});

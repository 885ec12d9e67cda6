// The `tf.layers` functions a `.model.ts` file may call are exactly those tfjs exports (issue 10,
// item 7): valid tfjs was refused (`tf.layers.avgPooling2d`), invalid tfjs accepted
// (`tf.layers.spatialDropout2d`, `tf.layers.globalAvgPool2d` are not functions in tfjs 4.22). The
// list is derived from tfjs itself here, so an alias a future tfjs adds cannot be missed silently.
// (Tests may load tfjs; src/model must not.)
import { strict as assert } from 'node:assert';
import * as tf from '@tensorflow/tfjs';
import { allFactoryNames, LAYER_CATALOG, layerKindByClassName, layerKindByFactory } from '../../src/model/catalog';
import { analyzeModel } from '../../src/model/index';

/** Enough options for every tfjs layer factory to build a layer (tfjs ignores the ones a layer does not read). */
const ANY_CONFIG = {
  units: 1, filters: 1, kernelSize: 1, rate: 0.5, targetShape: [1], scale: 1, activation: 'relu', poolSize: 2, dims: [1], n: 1,
  height: 2, width: 2, numTokens: 2, inputDim: 2, outputDim: 2, stddev: 1, axes: 1, factor: 0.1, cropping: 1, inputShape: [4, 4, 1],
};
/** Functions on tf.layers that do not build a layer from options alone: wrappers of another layer or cell, and `input` (a tensor). */
const NOT_PLAIN_FACTORIES = new Set(['bidirectional', 'rnn', 'input']);

/** tf.layers function → the Keras class it builds. */
function tfjsFactories(): Map<string, string> {
  const built = new Map<string, string>();
  const layers = tf.layers as unknown as Record<string, unknown>;
  for (const name of Object.keys(layers).sort()) {
    const factory = layers[name];
    // Capitalised names are classes (Layer, RNN, RNNCell), not factories.
    if (typeof factory !== 'function' || /^[A-Z]/.test(name) || NOT_PLAIN_FACTORIES.has(name)) continue;
    const layer = (factory as (config: unknown) => { getClassName(): string })({ ...ANY_CONFIG });
    built.set(name, layer.getClassName());
  }
  return built;
}

describe('tf.layers factories: the catalogue knows exactly what tfjs exports', () => {
  let factories = new Map<string, string>();
  before(() => {
    factories = tfjsFactories();
  });

  it('tfjs builds what this test expects (the derivation itself works)', () => {
    assert.ok(factories.size > 60, `${factories.size} factories`);
    assert.equal(factories.get('avgPooling2d'), 'AveragePooling2D');
    assert.equal(factories.get('conv2d'), 'Conv2D');
    const layers = tf.layers as unknown as Record<string, unknown>;
    for (const name of NOT_PLAIN_FACTORIES) assert.equal(typeof layers[name], 'function', `tf.layers.${name} still exists`);
  });

  it('every tf.layers function that builds a catalogued layer kind is accepted as that kind', () => {
    const missing: string[] = [];
    for (const [name, className] of factories) {
      const catalogued = layerKindByClassName(className);
      if (!catalogued || catalogued.className !== className) continue;
      if (layerKindByFactory(name)?.className !== className) missing.push(`tf.layers.${name} → ${className}`);
    }
    assert.deepEqual(missing, []);
  });

  it('every factory the catalogue accepts is a tf.layers function building that kind', () => {
    const wrong = allFactoryNames().filter((name) => factories.get(name) !== layerKindByFactory(name)?.className);
    assert.deepEqual(wrong, [], wrong.map((name) => `tf.layers.${name}: tfjs builds ${factories.get(name) ?? 'nothing (not a function)'}`).join('; '));
  });

  it('catalogue kinds without a tfjs factory are exactly those tfjs lacks', () => {
    const builtClasses = new Set(factories.values());
    const withoutFactory = LAYER_CATALOG.filter((kind) => kind.factory === undefined).map((kind) => kind.className);
    assert.deepEqual(withoutFactory, ['SpatialDropout2D', 'Normalization', 'Subtract']);
    for (const className of withoutFactory) assert.ok(!builtClasses.has(className), `tfjs now builds ${className}: give it its factory`);
  });
});

describe('TypeScript models: tfjs aliases accepted, names tfjs lacks refused', () => {
  const model = (layer: string): string =>
    `import * as tf from '@tensorflow/tfjs';\nexport default tf.sequential({ layers: [\n  tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3 }),\n  ${layer},\n] });\n`;

  for (const [alias, className, shape] of [
    ['avgPooling2d({ poolSize: 2 })', 'AveragePooling2D', [null, 3, 3, 2]],
    ['avgPool2d({ poolSize: 2 })', 'AveragePooling2D', [null, 3, 3, 2]],
    ['maxPool2d({ poolSize: 2 })', 'MaxPooling2D', [null, 3, 3, 2]],
    ['globalMaxPool2d()', 'GlobalMaxPooling2D', [null, 2]],
  ] as const) {
    it(`tf.layers.${alias} reads as ${className}`, () => {
      const analysis = analyzeModel(model(`tf.layers.${alias}`), 'alias.model.ts');
      assert.deepEqual(analysis.diagnostics, []);
      assert.equal(analysis.summary?.layers[1].className, className);
      assert.deepEqual(analysis.summary?.layers[1].outputShape, shape);
    });
  }

  it('tf.layers.globalAvgPool2d is refused, with the tfjs name as the fix', () => {
    const text = model('tf.layers.globalAvgPool2d()');
    const analysis = analyzeModel(text, 'bad.model.ts');
    assert.equal(analysis.diagnostics.length, 1);
    const [diagnostic] = analysis.diagnostics;
    assert.equal(diagnostic.code, 'unknown-layer');
    assert.match(diagnostic.message, /^Unknown layer: 'tf\.layers\.globalAvgPool2d'\. Did you mean 'globalAveragePooling2d'\?/);
    assert.equal(diagnostic.fixes?.[0].edits[0].newText, 'globalAveragePooling2d');
  });

  it('tf.layers.spatialDropout2d is refused: tfjs has no SpatialDropout2D (model JSON has it)', () => {
    const analysis = analyzeModel(model('tf.layers.spatialDropout2d({ rate: 0.1 })'), 'bad.model.ts');
    assert.deepEqual(analysis.diagnostics.map((diagnostic) => diagnostic.code), ['unknown-layer']);
    assert.match(analysis.diagnostics[0].message, /^tf\.layers\.spatialDropout2d is not a function in tfjs: tfjs has no SpatialDropout2D layer/);
    const json = analyzeModel('{ "inputShape": [8, 8, 1], "layers": [{ "type": "SpatialDropout2D", "rate": 0.1 }] }', 'ok.model.json');
    assert.deepEqual(json.diagnostics, []);
  });

  it('a class name is not a factory: tf.layers.Dense is refused', () => {
    const analysis = analyzeModel(model('tf.layers.Dense({ units: 2 })'), 'bad.model.ts');
    assert.deepEqual(analysis.diagnostics.map((diagnostic) => diagnostic.code), ['unknown-layer']);
    assert.match(analysis.diagnostics[0].message, /Did you mean 'dense'\?/);
  });

  it('tf.layers.input is the model input, as tf.input is', () => {
    const text = "import * as tf from '@tensorflow/tfjs';\nconst input = tf.layers.input({ shape: [4] });\nconst output = tf.layers.dense({ units: 2 }).apply(input);\nexport default tf.model({ inputs: input, outputs: output });\n";
    const analysis = analyzeModel(text, 'functional.model.ts');
    assert.deepEqual(analysis.diagnostics, []);
    assert.equal(analysis.summary?.totalParams, 10);
  });
});

// The six models Keras 3.15 saved (test/fixtures/keras-saved): CNN Lab's summary of each
// `model.to_json()` equals Keras's own `model.summary()` row for row (names, classes, output
// shapes, params, trainable params), in totals, and inside the nested MobileNetV2 base. The
// same nested model in Keras 2's layout, nested Sequential models, and errors inside a nested
// model are checked on variants of those files.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeModel, summaryToJson } from '../../src/model/index';
import type { LayerSummary, ModelAnalysis, Shape } from '../../src/model/types';

const FIXTURES = join(__dirname, '..', 'fixtures', 'keras-saved');
const NAMES = ['mnist_cnn', 'cifar_bn_cnn', 'functional_residual', 'separable_gap', 'mobilenetv2_transfer', 'partial_frozen'];

interface KerasRow {
  name: string;
  class_name: string;
  output_shape: Shape;
  params: number;
  trainable_params: number;
}
interface KerasTotals {
  total_params: number;
  trainable_params: number;
  non_trainable_params: number;
}
interface KerasSummary extends KerasTotals {
  layers: KerasRow[];
  nested_models?: Record<string, KerasTotals & { class_name: string; layers: KerasRow[] }>;
}

const toJsonText = (name: string): string => readFileSync(join(FIXTURES, `${name}.to_json.json`), 'utf8');
const kerasSummary = (name: string): KerasSummary => JSON.parse(readFileSync(join(FIXTURES, `${name}.summary.json`), 'utf8')) as KerasSummary;

/** A CNN Lab row in the fields Keras's summary.json has. */
const asKerasRow = (layer: LayerSummary): KerasRow => ({
  name: layer.name,
  class_name: layer.className,
  output_shape: layer.outputShape,
  params: layer.params,
  trainable_params: layer.trainableParams,
});
const pickRow = ({ name, class_name, output_shape, params, trainable_params }: KerasRow): KerasRow => ({ name, class_name, output_shape, params, trainable_params });

function totalsOf(layers: LayerSummary[]): KerasTotals {
  const trainable = layers.reduce((sum, layer) => sum + layer.trainableParams, 0);
  const nonTrainable = layers.reduce((sum, layer) => sum + layer.nonTrainableParams, 0);
  return { total_params: trainable + nonTrainable, trainable_params: trainable, non_trainable_params: nonTrainable };
}

function analyze(text: string, fileName: string): ModelAnalysis {
  const analysis = analyzeModel(text, fileName);
  assert.equal(analysis.format, 'keras');
  assert.deepEqual(analysis.diagnostics.filter((diagnostic) => diagnostic.severity === 'error'), []);
  return analysis;
}

/** Asserts that CNN Lab's summary of a to_json() text equals Keras's summary.json, nested models included. */
function assertSameAsKeras(analysis: ModelAnalysis, keras: KerasSummary): void {
  const summary = analysis.summary;
  assert.ok(summary);
  assert.deepEqual(summary.layers.map(asKerasRow), keras.layers.map(pickRow));
  assert.deepEqual(
    { total_params: summary.totalParams, trainable_params: summary.trainableParams, non_trainable_params: summary.nonTrainableParams },
    { total_params: keras.total_params, trainable_params: keras.trainable_params, non_trainable_params: keras.non_trainable_params },
  );
  const nestedRows = summary.layers.filter((layer) => layer.nested !== undefined);
  assert.deepEqual(nestedRows.map((layer) => layer.name), Object.keys(keras.nested_models ?? {}));
  for (const row of nestedRows) {
    const expected = keras.nested_models?.[row.name];
    assert.ok(expected && row.nested);
    assert.equal(row.className, expected.class_name);
    assert.deepEqual(row.nested.map(asKerasRow), expected.layers.map(pickRow));
    const { total_params, trainable_params, non_trainable_params } = expected;
    assert.deepEqual(totalsOf(row.nested), { total_params, trainable_params, non_trainable_params });
  }
}

// --- Keras 2's layout of the same files (tf.keras 2.x `to_json()`) ---------------------------------

type Json = Record<string, unknown>;

/** The `[layer, node, tensor]` of every `__keras_tensor__` in a Keras 3 call's arguments. */
function kerasHistories(value: unknown, found: unknown[][] = []): unknown[][] {
  if (Array.isArray(value)) value.forEach((item) => kerasHistories(item, found));
  else if (typeof value === 'object' && value !== null) {
    const history = ((value as Json).config as Json | undefined)?.keras_history;
    if (Array.isArray(history)) found.push(history);
    else Object.values(value).forEach((item) => kerasHistories(item, found));
  }
  return found;
}

/** A Keras 3 layer entry as tf.keras 2 writes it: no module, `batch_input_shape`, nested-list `inbound_nodes`. */
function keras2Layer(layer: Json): Json {
  const config = { ...(layer.config as Json) };
  if ('batch_shape' in config) {
    config.batch_input_shape = config.batch_shape;
    delete config.batch_shape;
  }
  if (typeof config.dtype === 'object') config.dtype = 'float32';
  if (Array.isArray(config.layers)) Object.assign(config, keras2ModelConfig(config));
  const converted: Json = { class_name: layer.class_name, config, name: layer.name };
  if (Array.isArray(layer.inbound_nodes)) {
    converted.inbound_nodes = (layer.inbound_nodes as Json[]).map((node) => kerasHistories(node.args).map((history) => [...history, {}]));
  }
  return converted;
}

/** A model config in Keras 2's layout: its layers converted, input and output layers as lists of `[name, 0, 0]`. */
function keras2ModelConfig(config: Json): Json {
  const refs = (value: unknown): unknown => (Array.isArray(value) && typeof value[0] === 'string' ? [value] : value);
  const converted: Json = { ...config, layers: (config.layers as Json[]).map(keras2Layer) };
  if ('input_layers' in config) converted.input_layers = refs(config.input_layers);
  if ('output_layers' in config) converted.output_layers = refs(config.output_layers);
  return converted;
}

function keras2Text(name: string): string {
  const model = JSON.parse(toJsonText(name)) as Json;
  return JSON.stringify({ class_name: model.class_name, config: keras2ModelConfig(model.config as Json), keras_version: '2.15.0', backend: 'tensorflow' }, null, 1);
}

// --- Variants of the MobileNetV2 transfer model -------------------------------------------------

const MOBILENET = 'mobilenetv2_transfer';
const BASE = 'mobilenetv2_0.35_64';

function mobilenetJson(): Json {
  return JSON.parse(toJsonText(MOBILENET)) as Json;
}
const outerLayers = (model: Json): Json[] => (model.config as Json).layers as Json[];
const baseOf = (model: Json): Json => {
  const base = outerLayers(model).find((layer) => layer.name === BASE);
  assert.ok(base);
  return base;
};
const innerLayer = (model: Json, name: string): Json => {
  const layer = ((baseOf(model).config as Json).layers as Json[]).find((candidate) => candidate.name === name);
  assert.ok(layer);
  return layer;
};

describe('Keras 3.15 saved models: CNN Lab summary = Keras summary', () => {
  for (const name of NAMES) {
    it(`${name}: every row, the totals and the nested model's rows`, () => {
      assertSameAsKeras(analyze(toJsonText(name), `${name}.to_json.json`), kerasSummary(name));
    });
  }

  for (const name of NAMES) {
    it(`${name} in Keras 2's layout (nested-list inbound_nodes, batch_input_shape): the same summary`, () => {
      assertSameAsKeras(analyze(keras2Text(name), `${name}.json`), kerasSummary(name));
    });
  }

  it('the summary JSON (cnnlab summary --json) carries the nested rows', () => {
    // to_json() writes one line: spread over lines, the rows' lines tell the layers apart.
    const analysis = analyze(JSON.stringify(mobilenetJson(), null, 1), 'model.json');
    assert.ok(analysis.summary);
    const base = summaryToJson(analysis.summary).layers.find((layer) => layer.name === BASE);
    assert.equal(base?.nested?.length, kerasSummary(MOBILENET).nested_models?.[BASE].layers.length);
    assert.deepEqual(base?.nested?.[1], { name: 'Conv1', className: 'Conv2D', outputShape: [null, 32, 32, 16], params: 432, trainableParams: 0, line: base?.nested?.[1].line });
    assert.ok((base?.nested?.[1].line ?? 0) > (base?.line ?? Infinity), 'a nested row points into the nested model');
  });
});

describe('Nested models', () => {
  it('a trainable nested model counts its own frozen layers as non-trainable, the rest as trainable', () => {
    const model = mobilenetJson();
    const setTrainable = (layer: Json, trainable: boolean): void => {
      (layer.config as Json).trainable = trainable;
    };
    setTrainable(baseOf(model), true);
    for (const layer of (baseOf(model).config as Json).layers as Json[]) if (layer.class_name !== 'InputLayer') setTrainable(layer, layer.name !== 'Conv1');
    const base = analyze(JSON.stringify(model), 'model.json').summary?.layers.find((layer) => layer.name === BASE);
    assert.ok(base?.nested);
    assert.equal(base.params, 410208);
    // Conv1's 432 weights, and the moving mean and variance of each BatchNormalization (half its params).
    const batchNormStatistics = base.nested.filter((layer) => layer.className === 'BatchNormalization').reduce((sum, layer) => sum + layer.params / 2, 0);
    assert.equal(base.nonTrainableParams, 432 + batchNormStatistics);
    assert.equal(base.trainableParams, 410208 - base.nonTrainableParams);
  });

  it('a frozen nested model freezes every layer inside it, whatever they say (Keras sets trainable recursively)', () => {
    const model = mobilenetJson();
    for (const layer of (baseOf(model).config as Json).layers as Json[]) (layer.config as Json).trainable = true;
    const summary = analyze(JSON.stringify(model), 'model.json').summary;
    const base = summary?.layers.find((layer) => layer.name === BASE);
    assert.equal(base?.trainableParams, 0);
    assert.equal(base?.nonTrainableParams, 410208);
    assert.ok(base?.nested?.every((layer) => layer.trainableParams === 0));
    assert.equal(summary?.trainableParams, 6405);
  });

  it('an error inside a nested model points to the nested layer, named outer/inner, and the outer layers after it get no shapes', () => {
    const model = mobilenetJson();
    (innerLayer(model, 'Conv1').config as Json).filters = 0;
    const text = JSON.stringify(model, null, 1);
    const analysis = analyzeModel(text, 'model.json');
    const errors = analysis.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
    assert.equal(errors.length, 1, JSON.stringify(errors.map((error) => error.message)));
    assert.equal(errors[0].layer, `${BASE}/Conv1`);
    assert.match(errors[0].message, /Received: filters=0/);
    const line = text.split('\n')[errors[0].range.start.line];
    assert.match(line, /"filters": 0/);
    assert.deepEqual(analysis.summary?.layers.map((layer) => layer.name), ['input_layer_1', 'rescaling']);
  });

  it('a nested model called on a shape it does not accept: Keras\'s "incompatible with the layer" error on its row', () => {
    const model = mobilenetJson();
    const input = outerLayers(model)[0];
    (input.config as Json).batch_shape = [null, 32, 32, 3];
    const analysis = analyzeModel(JSON.stringify(model), 'model.json');
    const errors = analysis.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
    assert.deepEqual(errors.map((error) => [error.layer, error.message]), [
      [BASE, `Input 0 of layer "${BASE}" is incompatible with the layer: expected shape=(None, 64, 64, 3), found shape=(None, 32, 32, 3).`],
    ]);
  });

  it('a base built for any image size (None, None, None, 3): its rows keep None, its row and the layers after it have the shapes it is called on', () => {
    const model = mobilenetJson();
    (innerLayer(model, 'input_layer').config as Json).batch_shape = [null, null, null, 3];
    const summary = analyze(JSON.stringify(model), 'model.json').summary;
    const base = summary?.layers.find((layer) => layer.name === BASE);
    assert.deepEqual(base?.outputShape, [null, 2, 2, 1280]);
    assert.deepEqual(base?.nested?.[0].outputShape, [null, null, null, 3]);
    assert.deepEqual(base?.nested?.[base.nested.length - 1].outputShape, [null, null, null, 1280]);
    assert.equal(summary?.totalParams, 416613);
  });

  const dense = (name: string, units: number, inbound?: string): Json => ({
    class_name: 'Dense',
    config: { name, units, activation: 'relu', trainable: true },
    name,
    ...(inbound === undefined ? {} : { inbound_nodes: [{ args: [{ class_name: '__keras_tensor__', config: { keras_history: [inbound, 0, 0] } }], kwargs: {} }] }),
  });
  const input = (name: string, batchShape: Shape): Json => ({ class_name: 'InputLayer', config: { batch_shape: batchShape, name }, name, inbound_nodes: [] });

  it('a Sequential model nested in a functional one, built on the shape it is called on (no input of its own)', () => {
    const head = { class_name: 'Sequential', name: 'head', config: { name: 'head', trainable: true, layers: [dense('dense', 8), dense('dense_1', 3)] }, inbound_nodes: [{ args: [{ class_name: '__keras_tensor__', config: { keras_history: ['features', 0, 0] } }], kwargs: {} }] };
    const model = { class_name: 'Functional', config: { name: 'outer', layers: [input('image', [null, 5]), dense('features', 4, 'image'), head], input_layers: ['image', 0, 0], output_layers: ['head', 0, 0] } };
    const summary = analyze(JSON.stringify(model), 'model.json').summary;
    assert.deepEqual(summary?.layers.map(asKerasRow), [
      { name: 'image', class_name: 'InputLayer', output_shape: [null, 5], params: 0, trainable_params: 0 },
      { name: 'features', class_name: 'Dense', output_shape: [null, 4], params: 24, trainable_params: 24 },
      { name: 'head', class_name: 'Sequential', output_shape: [null, 3], params: 4 * 8 + 8 + 8 * 3 + 3, trainable_params: 67 },
    ]);
    // Inner names live in their own namespace: `dense` inside `head` is not the outer model's.
    assert.deepEqual(summary?.layers[2].nested?.map(asKerasRow), [
      { name: 'dense', class_name: 'Dense', output_shape: [null, 8], params: 40, trainable_params: 40 },
      { name: 'dense_1', class_name: 'Dense', output_shape: [null, 3], params: 27, trainable_params: 27 },
    ]);
  });

  it('a functional model as the first layer of a Sequential one starts from its own input', () => {
    const body = { class_name: 'Functional', name: 'body', config: { name: 'body', trainable: false, layers: [input('x', [null, 6]), dense('d', 2, 'x')], input_layers: [['x', 0, 0]], output_layers: [['d', 0, 0]] } };
    const model = { class_name: 'Sequential', config: { name: 'outer', layers: [body, dense('out', 1)] } };
    const summary = analyze(JSON.stringify(model), 'model.json').summary;
    assert.deepEqual(summary?.layers.map(asKerasRow), [
      { name: 'body', class_name: 'Functional', output_shape: [null, 2], params: 14, trainable_params: 0 },
      { name: 'out', class_name: 'Dense', output_shape: [null, 1], params: 3, trainable_params: 3 },
    ]);
    assert.deepEqual([summary?.trainableParams, summary?.nonTrainableParams], [3, 14]);
  });

  it('a nested model with two outputs is refused, not summarized wrongly', () => {
    const twoHeads = { class_name: 'Functional', name: 'two', config: { name: 'two', layers: [input('x', [null, 6]), dense('a', 2, 'x'), dense('b', 2, 'x')], input_layers: [['x', 0, 0]], output_layers: [['a', 0, 0], ['b', 0, 0]] } };
    const model = { class_name: 'Sequential', config: { name: 'outer', layers: [twoHeads] } };
    const errors = analyzeModel(JSON.stringify(model), 'model.json').diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
    assert.deepEqual(errors.map((error) => error.message), ['CNN Lab reads a nested model with one output; "two" has 2. Received: output_layers=["a","b"].']);
  });

  it('a nested model without a layers list is reported and keeps its place', () => {
    const model = mobilenetJson();
    delete (baseOf(model).config as Json).layers;
    const analysis = analyzeModel(JSON.stringify(model), 'model.json');
    assert.deepEqual(analysis.diagnostics.filter((diagnostic) => diagnostic.severity === 'error').map((error) => error.message), ['The Keras model has no "config.layers" list.']);
    assert.deepEqual(analysis.summary?.layers.map((layer) => layer.name), ['input_layer_1', 'rescaling']);
  });
});

// Test helpers: the Keras reference file, and generators that write one seed model in each
// front end's syntax (our JSON, Keras 2 and Keras 3 `to_json()`, TypeScript).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ReferenceLayer {
  type: string;
  config: Record<string, unknown>;
}
export interface ReferenceModel {
  name: string;
  input_shape: number[];
  layers: ReferenceLayer[];
  expected: { output_shape: number[]; params: number }[];
  total_params: number;
  trainable_params: number;
  non_trainable_params: number;
}

export const REFERENCE_PATH = join(__dirname, '..', 'fixtures', 'seed-summaries.json');
export const referenceModels = (): ReferenceModel[] => JSON.parse(readFileSync(REFERENCE_PATH, 'utf8')) as ReferenceModel[];

const camel = (key: string): string => key.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
const tfjsValue = (key: string, value: unknown): unknown => (key === 'kernel_initializer' && value === 'lecun_normal' ? 'leCunNormal' : value);

export function toModelJson(model: ReferenceModel): string {
  const layers = model.layers.map((layer) => {
    const options: Record<string, unknown> = { type: layer.type };
    for (const [key, value] of Object.entries(layer.config)) options[camel(key)] = tfjsValue(key, value);
    return options;
  });
  return JSON.stringify({ name: model.name, inputShape: model.input_shape, layers }, null, 2);
}

/** Keras 2 (tf.keras 2.x): no InputLayer, `batch_input_shape` on the first layer, BatchNormalization axis as a list. */
export function toKeras2Json(model: ReferenceModel): string {
  const layers = model.layers.map((layer, index) => {
    const config: Record<string, unknown> = { trainable: true, dtype: 'float32', ...layer.config };
    if (index === 0) config.batch_input_shape = [null, ...model.input_shape];
    if (layer.type === 'BatchNormalization') Object.assign(config, { axis: [index === 0 ? model.input_shape.length : model.expected[index - 1].output_shape.length], momentum: 0.99, epsilon: 0.001, center: true, scale: true });
    if (layer.type === 'Conv2D') Object.assign(config, { strides: [1, 1], data_format: 'channels_last', dilation_rate: [1, 1], groups: 1, use_bias: true });
    return { class_name: layer.type, config };
  });
  return JSON.stringify({ class_name: 'Sequential', config: { name: 'sequential', layers }, keras_version: '2.11.0', backend: 'tensorflow' });
}

/** Keras 3: `module`/`registered_name`, an explicit InputLayer with `batch_shape`, dtype policies. */
export function toKeras3Json(model: ReferenceModel): string {
  const policy = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
  const layers: unknown[] = [
    { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, ...model.input_shape], dtype: 'float32', sparse: false, name: 'input_layer' }, registered_name: null },
  ];
  for (const layer of model.layers) {
    const config: Record<string, unknown> = { trainable: true, dtype: policy, ...layer.config };
    if (layer.type === 'BatchNormalization') Object.assign(config, { axis: -1, momentum: 0.99, epsilon: 0.001, center: true, scale: true, synchronized: false });
    if (layer.type === 'Dense') Object.assign(config, { use_bias: true, lora_rank: null });
    layers.push({ module: 'keras.layers', class_name: layer.type, config, registered_name: null });
  }
  return JSON.stringify({ module: 'keras', class_name: 'Sequential', config: { name: 'sequential', trainable: true, dtype: policy, layers }, registered_name: null }, null, 1);
}

const FACTORIES: Record<string, string> = {
  Conv2D: 'conv2d', MaxPooling2D: 'maxPooling2d', Dropout: 'dropout', Flatten: 'flatten', Dense: 'dense', BatchNormalization: 'batchNormalization',
};

/** `model.add(tf.layers.x({...}))` statements, with the input shape held in a const to exercise resolution. */
export function toTypeScript(model: ReferenceModel): string {
  const lines = [
    "import * as tf from '@tensorflow/tfjs';",
    `const inputShape = [${model.input_shape.join(', ')}];`,
    `const model = tf.sequential({ name: '${model.name}' });`,
  ];
  model.layers.forEach((layer, index) => {
    const options: string[] = index === 0 ? ['inputShape: inputShape'] : [];
    for (const [key, value] of Object.entries(layer.config)) options.push(`${camel(key)}: ${JSON.stringify(tfjsValue(key, value))}`);
    lines.push(`model.add(tf.layers.${FACTORIES[layer.type]}({ ${options.join(', ')} }));`);
  });
  lines.push('export default model;');
  return lines.join('\n');
}


// Small real model files and jobs for the trainer tests.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrainerEvent, TrainJob } from '../../src/channels/trainer';

export function temporaryDir(prefix = 'cnnlab-trainer-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A tiny CNN for 12×12 grayscale shapes (4 classes): a training step costs milliseconds. */
export function tinyCnn(training: Record<string, unknown> = {}, lastLayer: Record<string, unknown> = { type: 'Dense', units: 4, activation: 'softmax' }): Record<string, unknown> {
  return {
    name: 'tiny-cnn',
    inputShape: [12, 12, 1],
    layers: [{ type: 'Conv2D', filters: 4, kernelSize: 3, activation: 'relu' }, { type: 'MaxPooling2D', poolSize: 2 }, { type: 'Flatten' }, lastLayer],
    training: { dataset: 'shapes', epochs: 1, batchSize: 16, backend: 'cpu', ...training },
  };
}

export function writeModel(dir: string, model: Record<string, unknown>, name = 'model.model.json'): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(model, null, 2));
  return path;
}

export function job(dir: string, modelFile: string, extra: Partial<TrainJob> = {}): TrainJob {
  return { modelFile, runsDir: join(dir, '.cnnlab', 'runs'), baseDir: dir, trainExamples: 96, testExamples: 32, ...extra };
}

export function collector(): { events: TrainerEvent[]; emit: (event: TrainerEvent) => void; of<T extends TrainerEvent['type']>(type: T): Extract<TrainerEvent, { type: T }>[] } {
  const events: TrainerEvent[] = [];
  return {
    events,
    emit: (event) => events.push(event),
    of: <T extends TrainerEvent['type']>(type: T) => events.filter((event): event is Extract<TrainerEvent, { type: T }> => event.type === type),
  };
}

type KerasJson = Record<string, unknown>;

/** Output 0 of layer `from`, of `shape`, as a Keras 3 `to_json()` writes a layer's input. */
export const kerasTensor = (from: string, shape: (number | null)[]): KerasJson => ({ class_name: '__keras_tensor__', config: { shape, dtype: 'float32', keras_history: [from, 0, 0] } });

/** A trainable Keras 3 `to_json()` layer called on `args`: tensors, or a list of them for a merge layer. */
export const kerasLayer = (className: string, name: string, config: KerasJson, args: unknown[]): KerasJson => ({
  module: 'keras.layers',
  class_name: className,
  config: { name, trainable: true, ...config },
  registered_name: null,
  name,
  inbound_nodes: [{ args, kwargs: {} }],
});

const kerasInput = (name: string): KerasJson => ({ module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, 12, 12, 1], dtype: 'float32', name }, registered_name: null, name, inbound_nodes: [] });

const FUNCTIONAL = { module: 'keras.src.models.functional', class_name: 'Functional', registered_name: 'Functional' };

/**
 * A Keras 3 `to_json()` of pixels (12×12×1) → 'base', a Functional model called as a layer (its input
 * base_input, then `base.layers`, the last its output) → `top`, whose layer 'head' is the output:
 * a pretrained base under a new head, as transfer learning builds it.
 */
export function nestedBaseModel(name: string, base: { trainable: boolean; layers: KerasJson[]; callKwargs?: KerasJson }, top: KerasJson[]): KerasJson {
  const baseModel = {
    ...FUNCTIONAL,
    name: 'base',
    config: { name: 'base', trainable: base.trainable, layers: [kerasInput('base_input'), ...base.layers], input_layers: ['base_input', 0, 0], output_layers: [base.layers[base.layers.length - 1].name, 0, 0] },
    inbound_nodes: [{ args: [kerasTensor('pixels', [null, 12, 12, 1])], kwargs: base.callKwargs ?? {} }],
  };
  return { ...FUNCTIONAL, config: { name, trainable: true, layers: [kerasInput('pixels'), baseModel, ...top], input_layers: ['pixels', 0, 0], output_layers: ['head', 0, 0] } };
}

/** Whether an optional package (tfjs-node, tfjs-node-gpu…) is installed here. */
export function isInstalled(packageName: string): boolean {
  try {
    require.resolve(packageName);
    return true;
  } catch {
    return false;
  }
}

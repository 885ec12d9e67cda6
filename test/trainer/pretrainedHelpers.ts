// Helpers for tests of pretrained bases: Keras weights files written with h5wasm (the layouts
// Keras's save_weights writes), and a tfjs model's weights in Keras's terms.
import { writeFileSync } from 'node:fs';
import type * as tf from '@tensorflow/tfjs';

export interface WeightsLayer {
  name: string;
  weights: { name: string; shape: number[]; values: Float32Array }[];
}

/** h5wasm with its in-memory file system, as src/keras/savedModel.ts loads it. */
async function h5(): Promise<{ api: typeof import('h5wasm', { with: { 'resolution-mode': 'import' } })['default']; fs: { readFile(path: string): Uint8Array; unlink(path: string): void } }> {
  const module = (await import('h5wasm')) as typeof import('h5wasm', { with: { 'resolution-mode': 'import' } });
  const ready = (await module.default.ready) as unknown as { FS: { readFile(path: string): Uint8Array; unlink(path: string): void } };
  return { api: module.default, fs: ready.FS };
}

let fileNumber = 0;

/**
 * Writes weights as Keras's legacy `save_weights` HDF5 (the layout of keras-applications' ImageNet
 * files): `layer_names` at the root, one group per layer with `weight_names`, each weight at
 * LAYER/LAYER/WEIGHT:0. `kerasThree`: Keras 3's `.weights.h5` instead (layers/KEY/vars/0..n).
 */
export async function writeWeightsFile(path: string, layers: WeightsLayer[], kerasThree = false): Promise<void> {
  const { api, fs } = await h5();
  const memoryPath = `/pretrained-test-${process.pid}-${fileNumber++}.h5`;
  const file = new api.File(memoryPath, 'w');
  if (kerasThree) {
    const container = file.create_group('layers');
    layers.forEach((layer, index) => {
      const vars = container.create_group(`layer_${index}`).create_group('vars');
      vars.create_attribute('name', layer.name);
      layer.weights.forEach((weight, weightIndex) => vars.create_dataset({ name: String(weightIndex), data: weight.values, shape: weight.shape, dtype: '<f' }));
    });
  } else {
    file.create_attribute('layer_names', layers.map((layer) => layer.name));
    for (const layer of layers) {
      const group = file.create_group(layer.name);
      if (layer.weights.length === 0) continue;
      group.create_attribute('weight_names', layer.weights.map((weight) => `${layer.name}/${weight.name}:0`));
      const inner = group.create_group(layer.name);
      for (const weight of layer.weights) inner.create_dataset({ name: `${weight.name}:0`, data: weight.values, shape: weight.shape, dtype: '<f' });
    }
  }
  file.close();
  writeFileSync(path, fs.readFile(memoryPath));
  fs.unlink(memoryPath);
}

/** A tfjs model's layers and weights in Keras's terms (`kernel`, `moving_mean`). */
export function layersOf(model: tf.LayersModel): WeightsLayer[] {
  return model.layers.map((layer) => ({
    name: layer.name,
    weights: layer.weights.map((variable) => ({ name: variable.originalName.split('/').at(-1) ?? '', shape: variable.shape as number[], values: variable.read().dataSync() as Float32Array })),
  }));
}


/**
 * A loopback server standing in for storage.googleapis.com through CNNLAB_DATASET_MIRROR (set
 * while it runs, restored by `close`), serving `files` by URL path; `requests` lists the paths asked for.
 */
export async function startWeightsMirror(files: Map<string, Buffer>): Promise<{ requests: string[]; close(): Promise<void> }> {
  const { createServer } = await import('node:http');
  const requests: string[] = [];
  const server = createServer((request, response) => {
    const path = request.url ?? '/';
    requests.push(path);
    const bytes = files.get(path);
    if (bytes) response.writeHead(200, { 'content-length': bytes.length }).end(bytes);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const saved = process.env.CNNLAB_DATASET_MIRROR;
  const address = server.address();
  process.env.CNNLAB_DATASET_MIRROR = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
  return {
    requests,
    close: async () => {
      if (saved === undefined) delete process.env.CNNLAB_DATASET_MIRROR;
      else process.env.CNNLAB_DATASET_MIRROR = saved;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

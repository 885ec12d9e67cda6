// One run seed drives every random choice of training: weight initialisation, dropout masks,
// shuffling, augmentation and the generated datasets. Streams for different purposes are derived
// from the run seed and a label, so adding a layer or an augmentation does not shift the others.
import type * as tf from '@tensorflow/tfjs';

/**
 * A 31-bit seed for `label` under the run seed (FNV-1a). Never 0: tfjs's random ops treat a seed
 * of 0 as "no seed" and fall back to Math.random.
 */
export function deriveSeed(runSeed: number, label: string): number {
  let hash = 0x811c9dc5;
  for (const char of `${runSeed}\u0000${label}`) {
    hash ^= char.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 1) || 1;
}

interface SeedableInitializer {
  seed?: number | null;
}

function isSeedableInitializer(value: unknown): value is SeedableInitializer {
  return typeof value === 'object' && value !== null && 'seed' in value && typeof (value as { apply?: unknown }).apply === 'function';
}

/**
 * Gives every random initializer of `layer` (kernel, bias, depthwise, pointwise, gamma…, whatever
 * the layer kind holds) its own seed derived from the run seed and the layer's name, unless the
 * model file fixed one. Must run before the layer is built, when its weights are drawn.
 */
export function seedInitializers(layer: tf.layers.Layer, runSeed: number): void {
  for (const [field, value] of Object.entries(layer)) {
    if (!field.endsWith('Initializer') || !isSeedableInitializer(value)) continue;
    if (value.seed === undefined || value.seed === null) value.seed = deriveSeed(runSeed, `${layer.name}/${field}`);
  }
}

/** Layer kinds that draw a random mask on every training call, and read it from their `seed` field. */
const stochasticLayerKinds: ReadonlySet<string> = new Set(['Dropout', 'SpatialDropout2D']);

/**
 * tfjs's dropout draws its mask from the layer's fixed `seed`, which would repeat the same mask on
 * every batch; instead each batch gets a fresh seed from the run's dropout stream.
 */
export function reseedStochasticLayers(model: tf.LayersModel, random: () => number): void {
  for (const layer of model.layers) {
    if (stochasticLayerKinds.has(layer.getClassName())) {
      (layer as unknown as { seed: number }).seed = Math.floor(random() * 0x7ffffffe) + 1;
    }
  }
}

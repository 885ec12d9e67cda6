// Freezing as Keras does it. tfjs already leaves a frozen layer's weights alone (`trainable: false`
// takes them out of the weights the optimizer updates), but it still runs a frozen
// BatchNormalization in training mode: it normalizes with the batch's statistics and moves its
// moving mean and variance towards them on every batch. Keras (since 2.1.3, and Keras 3) runs a
// frozen BatchNormalization in inference mode: its moving statistics, and what it outputs, stay
// those of the model it was frozen in, which is what fine-tuning a pretrained base relies on.
//
// tfjs also saves a model without a nested model's own `trainable: false` (its layers' flags are
// kept): a resumed run would thaw a frozen base. freezeAsWritten sets the flags again from the IR.
import type * as tf from '@tensorflow/tfjs';
import type { LayerSpec } from '../model/types';

type Kwargs = Record<string, unknown>;
type Call = (inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs) => tf.Tensor | tf.Tensor[];

/** Marks the layers already given the Keras behaviour, so that doing it twice changes nothing. */
const inferenceWhenFrozen = new WeakSet<tf.layers.Layer>();

/** A model used as a layer (tfjs's Container): its own layers. */
function innerLayers(layer: tf.layers.Layer): tf.layers.Layer[] | undefined {
  const layers = (layer as unknown as { layers?: unknown }).layers;
  return Array.isArray(layers) ? (layers as tf.layers.Layer[]) : undefined;
}

/**
 * Makes every BatchNormalization of `model`, in nested models too, run in inference mode while it
 * is frozen: while the layer, or a model it is nested in, has `trainable` false, as that flag stands
 * at each call (so freezing or thawing later takes effect too). Other layers are left as they are.
 * Call it on a model once it is built or loaded, before training.
 */
export function runFrozenBatchNormInInference(model: tf.LayersModel): void {
  const visit = (layers: tf.layers.Layer[], enclosing: tf.layers.Layer[]): void => {
    for (const layer of layers) {
      const inner = innerLayers(layer);
      if (inner) visit(inner, [...enclosing, layer]);
      else if (layer.getClassName() === 'BatchNormalization') inferenceWhileFrozen(layer, enclosing);
    }
  };
  visit(model.layers, [model]);
}

function inferenceWhileFrozen(layer: tf.layers.Layer, enclosing: tf.layers.Layer[]): void {
  if (inferenceWhenFrozen.has(layer)) return;
  inferenceWhenFrozen.add(layer);
  const chain = [layer, ...enclosing];
  const call = layer.call.bind(layer) as Call;
  const frozenCall: Call = (inputs, kwargs) => call(inputs, chain.every((item) => item.trainable) ? kwargs : { ...kwargs, training: false });
  (layer as unknown as { call: Call }).call = frozenCall;
}

/**
 * Sets `trainable = false` again on every layer the model file freezes, nested models and the
 * layers inside them included, found by name. Layers the IR does not name are left as they are.
 */
export function freezeAsWritten(model: tf.LayersModel, layers: readonly LayerSpec[]): void {
  const visit = (container: tf.layers.Layer[], specs: readonly LayerSpec[]): void => {
    for (const spec of specs) {
      const layer = container.find((candidate) => candidate.name === spec.name);
      if (!layer) continue;
      if (spec.config.trainable === false) layer.trainable = false;
      const inner = innerLayers(layer);
      if (spec.model && inner) visit(inner, spec.model.layers);
    }
  };
  visit(model.layers, layers);
}

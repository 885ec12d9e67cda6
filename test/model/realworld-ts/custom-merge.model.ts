// A custom layer with two inputs and one learned weight per input, in a functional model.
import * as tf from '@tensorflow/tfjs';

class WeightedSum extends tf.layers.Layer {
  static className = 'WeightedSum';

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shapes = inputShape as tf.Shape[];
    this.addWeight('mix', [shapes.length], 'float32', tf.initializers.constant({ value: 0.5 }));
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return (inputShape as tf.Shape[])[0];
  }
}
tf.serialization.registerClass(WeightedSum);

const input = tf.input({ shape: [24] });
const wide = tf.layers.dense({ units: 12, activation: 'relu' }).apply(input) as tf.SymbolicTensor;
const deep1 = tf.layers.dense({ units: 32, activation: 'relu' }).apply(input) as tf.SymbolicTensor;
const deep2 = tf.layers.dense({ units: 12, activation: 'relu' }).apply(deep1) as tf.SymbolicTensor;
const mixed = new WeightedSum({ name: 'mix' }).apply([wide, deep2]) as tf.SymbolicTensor;
const output = tf.layers.dense({ units: 1, activation: 'sigmoid' }).apply(mixed) as tf.SymbolicTensor;

export default tf.model({ inputs: input, outputs: output });

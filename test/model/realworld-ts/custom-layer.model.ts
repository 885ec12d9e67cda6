// Custom layers: a per-channel scale with weights made in build(), and a reshaping layer without
// weights whose output shape comes from its own computeOutputShape.
import * as tf from '@tensorflow/tfjs';

class ChannelScale extends tf.layers.Layer {
  static className = 'ChannelScale';
  private scale?: tf.LayerVariable;

  constructor(config: { name?: string; inputShape?: number[] } = {}) {
    super(config);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = inputShape as tf.Shape;
    const channels = shape[shape.length - 1] as number;
    this.scale = this.addWeight('scale', [channels], 'float32', tf.initializers.ones());
    this.addWeight('calls', [1], 'float32', tf.initializers.zeros(), undefined, false);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.mul(input, (this.scale as tf.LayerVariable).read());
  }
}
tf.serialization.registerClass(ChannelScale);

class SpaceToFeatures extends tf.layers.Layer {
  static className = 'SpaceToFeatures';

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [batch, height, width, channels] = inputShape as tf.Shape;
    return [batch, (height as number) * (width as number) * (channels as number)];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.reshape(input, [input.shape[0], -1]);
  }
}
tf.serialization.registerClass(SpaceToFeatures);

export default function build(): tf.Sequential {
  const model = tf.sequential({ name: 'custom' });
  model.add(tf.layers.conv2d({ inputShape: [12, 12, 1], filters: 8, kernelSize: 3, activation: 'relu' }));
  model.add(new ChannelScale());
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(new SpaceToFeatures({}));
  model.add(tf.layers.dense({ units: 4, activation: 'softmax' }));
  return model;
}

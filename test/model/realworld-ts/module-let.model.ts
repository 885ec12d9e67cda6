// A model declared with `let` at module level and assigned further down; a size reassigned once.
import * as tf from '@tensorflow/tfjs';

let model: tf.Sequential;
let hiddenUnits = 64;
hiddenUnits = hiddenUnits * 2;

model = tf.sequential();
model.add(tf.layers.dense({ inputShape: [10], units: hiddenUnits, activation: 'relu' }));
model.add(tf.layers.dense({ units: hiddenUnits / 4, activation: 'relu' }));
model.add(tf.layers.dense({ units: 1 }));

export default model;

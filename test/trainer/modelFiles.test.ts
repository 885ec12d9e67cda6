import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fileSaveHandler, hasSavedModel, loadSavedModel, savedTrainingState } from '../../src/trainer/modelFiles';
import { temporaryDir } from './helpers';

function smallModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 2, inputShape: [3], kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }));
  return model;
}

describe('saved models', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('keeps the saved weights and their epoch count together when a later save is cut off before model.json', async () => {
    const dir = temporaryDir();
    const model = smallModel();
    await model.save(fileSaveHandler(dir, { epochsCompleted: 1 }));
    const saved = model.getWeights().map((weight) => Array.from(weight.dataSync()));
    // The next save wrote its weights, then the process died before model.json was replaced.
    writeFileSync(join(dir, 'weights-2-deadbeef.bin'), new Uint8Array(64).fill(7));

    assert.ok(hasSavedModel(dir));
    assert.deepEqual(savedTrainingState(dir), { epochsCompleted: 1 });
    const loaded = await loadSavedModel(dir);
    assert.deepEqual(loaded.getWeights().map((weight) => Array.from(weight.dataSync())), saved);
    model.dispose();
    loaded.dispose();
  });

  it('leaves one weights file after repeated saves', async () => {
    const dir = temporaryDir();
    const model = smallModel();
    for (const epochsCompleted of [1, 2, 3]) await model.save(fileSaveHandler(dir, { epochsCompleted }));
    assert.equal(readdirSync(dir).filter((name) => name.endsWith('.bin')).length, 1);
    assert.deepEqual(savedTrainingState(dir), { epochsCompleted: 3 });
  });

  it('refuses a model.json whose weights path leaves the model folder', async () => {
    const dir = temporaryDir();
    await smallModel().save(fileSaveHandler(dir, { epochsCompleted: 1 }));
    const modelJson = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
    modelJson.weightsManifest[0].paths = ['../../outside.bin'];
    writeFileSync(join(dir, 'model.json'), JSON.stringify(modelJson));
    assert.equal(hasSavedModel(dir), false);
    await assert.rejects(loadSavedModel(dir), /names the weights file '\.\.\/\.\.\/outside\.bin', which is not a weights file of this folder/);
  });
});

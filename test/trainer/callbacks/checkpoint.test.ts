import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ModelCheckpoint } from '../../../src/trainer/callbacks/checkpoint';
import { modelSaver } from '../../../src/trainer/callbacks/saveModel';
import { hasSavedModel, loadSavedModel, savedTrainingState } from '../../../src/trainer/modelFiles';
import { collector } from '../helpers';
import { openRun, overwriteWeights, smallModel, weightsOf } from './helpers';

describe('callbacks: ModelCheckpoint', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('saves the model of each better epoch to model/best and names that epoch in bestMetrics', async () => {
    const writer = openRun();
    const model = smallModel();
    const events = collector();
    const checkpoint = new ModelCheckpoint(modelSaver(model, writer.modelDir, events.emit), writer, { monitor: 'val_loss', saveBestOnly: true });
    await checkpoint.onEpochEnd(0, { loss: 1, val_loss: 0.8 });
    const best = weightsOf(model);
    overwriteWeights(model, 0.5);
    await checkpoint.onEpochEnd(1, { loss: 0.9, val_loss: 0.85 });

    assert.deepEqual(events.of('checkpoint'), [{ type: 'checkpoint', epoch: 0, which: 'best', path: join(writer.modelDir, 'best') }]);
    assert.deepEqual(writer.record.bestMetrics, { loss: 1, val_loss: 0.8, epoch: 0 });
    assert.deepEqual(savedTrainingState(join(writer.modelDir, 'best')), { epochsCompleted: 1 });
    assert.deepEqual(weightsOf(await loadSavedModel(join(writer.modelDir, 'best'))), best);

    await checkpoint.onEpochEnd(2, { loss: 0.7, val_loss: 0.6 });
    assert.deepEqual(writer.record.bestMetrics, { loss: 0.7, val_loss: 0.6, epoch: 2 });
    assert.deepEqual(savedTrainingState(join(writer.modelDir, 'best')), { epochsCompleted: 3 });
  });

  it('with saveBestOnly: false saves every epoch, and still names the best one', async () => {
    const writer = openRun();
    const events = collector();
    const checkpoint = new ModelCheckpoint(modelSaver(smallModel(), writer.modelDir, events.emit), writer, { monitor: 'val_acc', saveBestOnly: false });
    await checkpoint.onEpochEnd(0, { val_acc: 0.5 });
    await checkpoint.onEpochEnd(1, { val_acc: 0.4 });
    assert.deepEqual(events.of('checkpoint').map((event) => event.epoch), [0, 1]);
    assert.deepEqual(writer.record.bestMetrics, { val_acc: 0.5, epoch: 0 });
  });

  it('makes a resumed run beat the best of the run it continues before it saves', async () => {
    const writer = openRun(2);
    const events = collector();
    const previousBest = { loss: 0.5, val_loss: 0.4, epoch: 1 };
    const checkpoint = new ModelCheckpoint(modelSaver(smallModel(), writer.modelDir, events.emit), writer, { monitor: 'val_loss', saveBestOnly: true }, previousBest);
    await checkpoint.onEpochEnd(2, { loss: 0.45, val_loss: 0.45 });
    assert.equal(events.of('checkpoint').length, 0);
    assert.equal(hasSavedModel(join(writer.modelDir, 'best')), false);
    await checkpoint.onEpochEnd(3, { loss: 0.4, val_loss: 0.3 });
    assert.deepEqual(events.of('checkpoint').map((event) => event.epoch), [3]);
  });
});

import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Backup } from '../../../src/trainer/callbacks/backup';
import { modelSaver } from '../../../src/trainer/callbacks/saveModel';
import { hasSavedModel, loadSavedModel, savedTrainingState } from '../../../src/trainer/modelFiles';
import { collector } from '../helpers';
import { openRun, overwriteWeights, smallModel, weightsOf } from './helpers';

describe('callbacks: Backup', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('saves the model to model/last after every epoch, with the epoch count in the model and in run.json', async () => {
    const writer = openRun();
    const model = smallModel();
    const events = collector();
    const backup = new Backup(modelSaver(model, writer.modelDir, events.emit), writer);
    await backup.onEpochEnd(0, { loss: 1 });
    overwriteWeights(model, 0.5);
    await backup.onEpochEnd(1, { loss: 0.8, acc: 0.6 });

    const last = join(writer.modelDir, 'last');
    assert.deepEqual(savedTrainingState(last), { epochsCompleted: 2 });
    assert.deepEqual(weightsOf(await loadSavedModel(last)), weightsOf(model));
    assert.deepEqual({ epochsCompleted: writer.record.epochsCompleted, finalMetrics: writer.record.finalMetrics }, { epochsCompleted: 2, finalMetrics: { loss: 0.8, acc: 0.6 } });
    assert.deepEqual(events.of('checkpoint').map(({ epoch, which }) => [epoch, which]), [[0, 'last'], [1, 'last']]);
    await backup.onTrainEnd('completed');
    assert.equal(events.of('checkpoint').length, 2, 'a completed run was saved at its last epoch already');
  });

  it('on a stop, saves the weights as they are under the count of whole epochs, so resuming repeats the cut epoch', async () => {
    const writer = openRun(3);
    const model = smallModel();
    const events = collector();
    const backup = new Backup(modelSaver(model, writer.modelDir, events.emit), writer);
    overwriteWeights(model, 0.25);
    await backup.onTrainEnd('stopped');
    const last = join(writer.modelDir, 'last');
    assert.deepEqual(savedTrainingState(last), { epochsCompleted: 3 });
    assert.deepEqual(weightsOf(await loadSavedModel(last)), weightsOf(model));
    assert.deepEqual(events.of('checkpoint').map(({ epoch, which }) => [epoch, which]), [[2, 'last']]);
  });

  it('on a stop before the first epoch ends, saves the model as trained through no epoch', async () => {
    const writer = openRun(0);
    const events = collector();
    await new Backup(modelSaver(smallModel(), writer.modelDir, events.emit), writer).onTrainEnd('stopped');
    assert.ok(hasSavedModel(join(writer.modelDir, 'last')));
    assert.deepEqual(savedTrainingState(join(writer.modelDir, 'last')), { epochsCompleted: 0 });
    assert.deepEqual(events.of('checkpoint').map(({ epoch }) => epoch), [0]);
  });
});

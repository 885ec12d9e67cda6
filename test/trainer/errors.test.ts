import assert from 'node:assert/strict';
import { BackendUnavailableError, installHints } from '../../src/trainer/backends';
import { DatasetError } from '../../src/trainer/datasets';
import { hintFor, TrainingError } from '../../src/trainer/errors';
import { TrainingConfigError } from '../../src/trainer/trainingConfig';
import { runTraining } from '../../src/trainer/train';
import { collector, isInstalled, job, temporaryDir, tinyCnn, writeModel } from './helpers';

describe('hintFor: what the user should do about a failed run', () => {
  it('passes on the install hint of a backend that is not available', () => {
    const error = new BackendUnavailableError('webgpu', [{ name: 'webgpu', reason: 'no adapter' }], installHints.webgpu);
    assert.equal(hintFor(error), installHints.webgpu);
  });

  it('passes on the hint of a training or dataset error', () => {
    assert.equal(hintFor(new TrainingError('Bad model.', 'Fix it.')), 'Fix it.');
    assert.equal(hintFor(new DatasetError('Bad folder.', 'Move it.')), 'Move it.');
    assert.equal(hintFor(new TrainingError('No hint.')), undefined);
  });

  it('says what to do when the backend runs out of memory, or the training block is wrong', () => {
    assert.match(hintFor(new Error('Array buffer allocation failed')) ?? '', /lower the batch size/);
    assert.match(hintFor(new TrainingConfigError('Unknown optimizer.')) ?? '', /training block/);
    assert.equal(hintFor(new Error('Something else.')), undefined);
  });

  it('reaches the user: a run on a backend that is not installed fails with its install hint', async function () {
    if (isInstalled('@tensorflow/tfjs-node') || isInstalled('@tensorflow/tfjs-node-gpu')) this.skip();
    const dir = temporaryDir();
    const events = collector();
    const record = await runTraining(job(dir, writeModel(dir, tinyCnn({ backend: 'tensorflow' }))), events.emit);
    assert.equal(record, undefined, 'no run folder: the backend is chosen before it is created');
    const [failed] = events.of('failed');
    assert.match(failed.message, /The tensorflow backend is not available/);
    assert.equal(failed.hint, installHints.tensorflow);
  });
});

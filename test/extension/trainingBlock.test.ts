import { strict as assert } from 'node:assert';
import { withTrainingChanges } from '../../src/extension/trainingBlock';

describe('withTrainingChanges', () => {
  it('edits existing keys in place, keeping comments, formatting and Keras spellings', () => {
    const text = '{\n  // my model\n  "layers": [],\n  "training": { "dataset": "mnist", "batch_size": 64 }\n}\n';
    const out = withTrainingChanges(text, { dataset: 'shapes', batchSize: 16 });
    assert.equal(out, '{\n  // my model\n  "layers": [],\n  "training": { "dataset": "shapes", "batch_size": 16 }\n}\n');
  });

  it('adds a training block when the file has none', () => {
    const out = withTrainingChanges('{\n  "layers": []\n}', { epochs: 3 });
    assert.deepEqual(JSON.parse(out), { layers: [], training: { epochs: 3 } });
  });

  it('keeps a learning rate inside an optimizer object', () => {
    const text = '{"training": {"optimizer": {"name": "adam", "learningRate": 0.001}}}';
    const out = withTrainingChanges(text, { learningRate: 0.01 });
    assert.deepEqual(JSON.parse(out), { training: { optimizer: { name: 'adam', learningRate: 0.01 } } });
  });
});

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseTrainArguments } from '../../src/cli/train';
import { runTraining } from '../../src/trainer/train';
import { collector, temporaryDir } from './helpers';

const sample = join(__dirname, '..', '..', 'samples', 'shapes-cnn.model.json');

describe('cnnlab train', () => {
  it('reads its options into a job that overrides the training block', () => {
    const job = parseTrainArguments(['model.model.json', '--epochs', '3', '--batch-size', '8', '--backend', 'cpu', '--runs-dir', 'out', '--dataset', 'mnist'], '/ws');
    assert.equal(job.modelFile, '/ws/model.model.json');
    assert.equal(job.runsDir, '/ws/out');
    assert.deepEqual(job.overrides, { epochs: 3, batchSize: 8, backend: 'cpu', dataset: 'mnist' });
    assert.equal(parseTrainArguments(['m.model.json'], '/ws').runsDir, '/ws/.cnnlab/runs');
    assert.throws(() => parseTrainArguments(['m.model.json', '--epochs', 'two'], '/ws'), /--epochs needs a whole number above 0\. Received: two/);
    assert.throws(() => parseTrainArguments(['m.model.json', '--backend', 'wasm'], '/ws'), /--backend must be auto, tensorflow, webgpu or cpu/);
    assert.throws(() => parseTrainArguments([], '/ws'), /Give the model file/);
  });

  it('trains the shapes demo sample to at least 90 % test accuracy on the pure-JS CPU backend', async function () {
    this.timeout(600_000);
    const dir = temporaryDir();
    const events = collector();
    const started = Date.now();
    const record = await runTraining({ modelFile: sample, runsDir: join(dir, 'runs'), baseDir: dir, overrides: { backend: 'cpu' } }, events.emit);
    assert.equal(record?.status, 'completed', JSON.stringify(events.of('failed')));
    const accuracy = record?.evaluation?.accuracy ?? 0;
    console.log(`      shapes demo: test accuracy ${(accuracy * 100).toFixed(1)} % in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    assert.ok(accuracy >= 0.9, `test accuracy ${accuracy}`);
  });
});

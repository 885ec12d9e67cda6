import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseSweepArguments } from '../../src/cli/sweep';
import { parseRunOption, parseTrainArguments, trainUsage } from '../../src/cli/train';
import { runTraining } from '../../src/trainer/train';
import { collector, temporaryDir, tinyCnn, writeModel } from './helpers';

const cli = join(__dirname, '..', '..', 'src', 'cli.ts');
// The CLI runs in a temporary folder, where `--import tsx` would not find the package.
const tsxLoader = pathToFileURL(join(__dirname, '..', '..', 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

function runCli(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', tsxLoader, cli, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const sample = join(__dirname, '..', '..', 'samples', 'shapes-cnn.model.json');

describe('cnnlab train', () => {
  it('reads its options into a job that overrides the training block', () => {
    const job = parseTrainArguments(['model.model.json', '--epochs', '3', '--batch-size', '8', '--backend', 'cpu', '--runs-dir', 'out', '--dataset', 'mnist'], '/ws');
    assert.equal(job.modelFile, '/ws/model.model.json');
    assert.equal(job.runsDir, '/ws/out');
    assert.deepEqual(job.overrides, { epochs: 3, batchSize: 8, backend: 'cpu', dataset: 'mnist' });
    assert.equal(parseTrainArguments(['m.model.json'], '/ws').runsDir, '/ws/.cnnlab/runs');
    assert.throws(() => parseTrainArguments(['m.model.json', '--epochs', 'two'], '/ws'), /--epochs needs a whole number above 0\. Received: two/);
    assert.equal(parseTrainArguments(['m.model.json', '--backend', 'wasm'], '/ws').overrides?.backend, 'wasm');
    assert.throws(() => parseTrainArguments(['m.model.json', '--backend', 'gpu'], '/ws'), /--backend must be auto, tensorflow, webgpu, wasm or cpu\. Received: gpu\./);
    assert.throws(() => parseTrainArguments([], '/ws'), /Give the model file/);
  });

  it('reads the run options it shares with cnnlab sweep the same way (parseRunOption)', () => {
    const shared = ['--epochs', '4', '--train-examples', '64', '--test-examples', '16', '--runs-dir', 'out', '--data-dir', 'data'];
    const train = parseTrainArguments(['m.model.json', ...shared], '/ws');
    const sweep = parseSweepArguments(['m.model.json', ...shared, '--parallel', '2'], '/ws');
    assert.deepEqual(
      { epochs: train.overrides?.epochs, trainExamples: train.trainExamples, testExamples: train.testExamples, runsDir: train.runsDir, dataDir: train.dataDir },
      { epochs: 4, trainExamples: 64, testExamples: 16, runsDir: '/ws/out', dataDir: '/ws/data' },
    );
    assert.deepEqual({ job: sweep.job, runsDir: sweep.runsDir, dataDir: sweep.dataDir, parallel: sweep.parallel }, { job: { overrides: { epochs: 4 }, trainExamples: 64, testExamples: 16 }, runsDir: '/ws/out', dataDir: '/ws/data', parallel: 2 });
    const options = {};
    assert.equal(parseRunOption(['m.model.json', '--epochs', '2'], 1, '/ws', options), 2, 'the index of the value');
    assert.equal(parseRunOption(['m.model.json', '--batch-size', '2'], 1, '/ws', options), undefined, 'not a shared option');
    assert.deepEqual(options, { epochs: 2 });
    assert.throws(() => parseSweepArguments(['m.model.json', '--test-examples', '0'], '/ws'), /--test-examples needs a whole number above 0\. Received: 0\./);
  });

  it('prints the summary, Keras-style epoch lines and the test metrics, and exits 0', function () {
    this.timeout(120_000);
    const dir = temporaryDir();
    writeModel(dir, tinyCnn({ epochs: 2 }));
    const { status, stdout, stderr } = runCli(['train', 'model.model.json', '--train-examples', '64', '--test-examples', '16'], dir);
    assert.equal(status, 0, stderr + stdout);
    assert.match(stdout, /Total params: /);
    assert.match(stdout, /^Epoch 2\/2 - \d+s - loss: \d\.\d{4} - acc: \d\.\d{4} - val_loss: \d\.\d{4} - val_acc: \d\.\d{4}$/m);
    assert.match(stdout, /^Test: loss: \d\.\d{4} - acc: \d\.\d{4}$/m);
    assert.match(stdout, /Run completed: 2\/2 epochs\. Saved in \.cnnlab\/runs\//);
  });

  it('names the run folder it saved to, also under --runs-dir', function () {
    this.timeout(120_000);
    const dir = temporaryDir();
    writeModel(dir, tinyCnn({ epochs: 1 }));
    const runsDir = temporaryDir('cnnlab-elsewhere-');
    const { status, stdout, stderr } = runCli(['train', 'model.model.json', '--train-examples', '32', '--test-examples', '8', '--runs-dir', runsDir], dir);
    assert.equal(status, 0, stderr + stdout);
    const saved = /Saved in (.+)$/m.exec(stdout)?.[1] ?? '';
    assert.ok(saved.startsWith(`${runsDir}/`), saved);
    assert.ok(existsSync(join(saved, 'run.json')), saved);
  });

  it('prints its usage for --help (exit 0), and after a usage error what was wrong, a blank line and the usage (exit 2)', function () {
    this.timeout(120_000);
    const dir = temporaryDir();
    assert.deepEqual(runCli(['train', '--help'], dir), { status: 0, stdout: trainUsage, stderr: '' });
    assert.deepEqual(runCli(['train', 'model.model.json', '--epoch', '2'], dir), { status: 2, stdout: '', stderr: `cnnlab train: Unknown option --epoch.\n\n${trainUsage}` });
  });

  it('exits 1 with the message and hint when training fails', function () {
    this.timeout(120_000);
    const dir = temporaryDir();
    writeModel(dir, tinyCnn({}, { type: 'Dense', units: 10, activation: 'softmax' }));
    const { status, stdout } = runCli(['train', 'model.model.json'], dir);
    assert.equal(status, 1);
    assert.match(stdout, /Training failed: The model's last layer has 10 units but 'shapes' has 4 classes/);
    assert.match(stdout, /Hint: Set units: 4 on the last Dense layer/);
  });

  // The sample fixes its seed, so this trains to the same accuracy on every run. It trains on wasm,
  // which `npm run demo` picks on a machine without CUDA; the pure-JS backend trains in train.test.ts.
  it('trains the shapes demo sample to at least 90 % test accuracy on the WebAssembly backend', async function () {
    this.timeout(600_000);
    const dir = temporaryDir();
    const events = collector();
    const started = Date.now();
    const record = await runTraining({ modelFile: sample, runsDir: join(dir, 'runs'), baseDir: dir, overrides: { backend: 'wasm' } }, events.emit);
    assert.equal(record?.status, 'completed', JSON.stringify(events.of('failed')));
    const accuracy = record?.evaluation?.accuracy ?? 0;
    console.log(`      shapes demo: test accuracy ${(accuracy * 100).toFixed(1)} % in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    assert.ok(accuracy >= 0.9, `test accuracy ${accuracy}`);
  });
});

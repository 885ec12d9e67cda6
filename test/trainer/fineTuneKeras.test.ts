// Fine-tuning a Keras saved model (TrainJob.initialWeights "model-file", `cnnlab train FILE.keras
// --fine-tune`): the model the run trains starts with every weight the file saved, so before
// training it predicts Keras's own outputs for the fixture's images; its layers saved as frozen
// (partial_frozen: conv2, bn2, conv3) keep the file's values through a real epoch while the rest
// learn; run.json records where the weights came from, and the run's train.py starts from the
// same file. A file with no weights is refused.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { parseTrainArguments, trainUsage } from '../../src/cli/train';
import { exportRun } from '../../src/keras/exportRun';
import { readKerasWeights } from '../../src/keras/savedModel';
import { readImage } from '../../src/keras/predict';
import { readRun, recordProblem } from '../../src/runs/store';
import { generateShapes } from '../../src/trainer/datasets/shapes';
import { loadSavedModel } from '../../src/trainer/modelFiles';
import { loadModel, readRunSource } from '../../src/trainer/runSource';
import { runTraining } from '../../src/trainer/train';
import { collector, job, temporaryDir, tinyCnn, writeModel } from './helpers';

const FIXTURES = join(__dirname, '..', 'fixtures', 'keras-saved');
const MODEL = 'partial_frozen';
const FROZEN = ['conv2', 'bn2', 'conv3'];
const LEARNING = ['conv1', 'fc1', 'predictions'];

interface Expected {
  input_shape: [number, number, number];
  cases: { image: string; softmax: number[] }[];
}
const expected = JSON.parse(readFileSync(join(FIXTURES, `${MODEL}.expected.json`), 'utf8')) as Expected;

/** photos/N/I.png: 10 classes of 3 drawn shapes each, 32×32 RGB, the fixture's input size. */
async function writePhotos(dir: string): Promise<string> {
  const folder = join(dir, 'photos');
  const size = 32 * 32 * 3;
  const shapes = generateShapes({ height: 32, width: 32, channels: 3, trainExamples: 30, testExamples: 1, seed: 5 });
  for (let index = 0; index < 30; index++) {
    const classFolder = join(folder, `class${index % 10}`);
    mkdirSync(classFolder, { recursive: true });
    const pixels = Buffer.from(shapes.train.images.subarray(index * size, (index + 1) * size));
    await sharp(pixels, { raw: { width: 32, height: 32, channels: 3 } }).png().toFile(join(classFolder, `${index}.png`));
  }
  return folder;
}

/** The model's softmax for each of the fixture's images, pixels / 255 as Keras's were. */
async function predictFixtureImages(model: tf.LayersModel): Promise<number[][]> {
  const outputs: number[][] = [];
  for (const entry of expected.cases) {
    const { input } = await readImage(join(FIXTURES, entry.image), expected.input_shape);
    const output = model.predict(input) as tf.Tensor;
    outputs.push(Array.from(output.dataSync()));
    tf.dispose([input, output]);
  }
  return outputs;
}

const maxDifference = (a: number[][], b: number[][]): number => Math.max(...a.flatMap((row, i) => row.map((value, j) => Math.abs(value - b[i][j]))));

/** Every weight of layer `name` in the file, flattened in the file's order. */
async function fileValues(path: string, name: string): Promise<number[]> {
  const layer = (await readKerasWeights(path)).layers.get(name);
  assert.ok(layer, `the file holds weights for ${name}`);
  return layer.weights.flatMap((weight) => Array.from(weight.values));
}

const modelValues = (model: tf.LayersModel, name: string): number[] => model.getLayer(name).getWeights().flatMap((weight) => Array.from(weight.dataSync()));

describe('fine-tuning a Keras saved model from its own weights', function () {
  this.timeout(300_000);
  before(async () => {
    await tf.setBackend('cpu');
  });

  for (const extension of ['keras', 'h5']) {
    it(`.${extension}: the model the run starts from predicts Keras's outputs (within 1e-4)`, async () => {
      const dir = temporaryDir('cnnlab-fine-tune-keras-');
      const modelFile = join(FIXTURES, `${MODEL}.${extension}`);
      const source = await readRunSource(job(dir, modelFile, { initialWeights: 'model-file', overrides: { dataset: 'shapes', backend: 'cpu' } }));
      const model = await loadModel(source);
      try {
        const difference = maxDifference(await predictFixtureImages(model), expected.cases.map((entry) => entry.softmax));
        assert.ok(difference < 1e-4, `max difference ${difference}`);
        assert.deepEqual(model.trainableWeights.map((weight) => weight.originalName.split('/')[0]).filter((name, index, all) => all.indexOf(name) === index), ['conv1', 'bn1', 'fc1', 'predictions']);
      } finally {
        model.dispose();
      }
    });
  }

  it('without the flag, the same file trains from new weights (its predictions are not the file\'s)', async () => {
    const dir = temporaryDir('cnnlab-fine-tune-keras-');
    const source = await readRunSource(job(dir, join(FIXTURES, `${MODEL}.keras`), { overrides: { dataset: 'shapes', backend: 'cpu' } }));
    const model = await loadModel(source);
    try {
      assert.ok(maxDifference(await predictFixtureImages(model), expected.cases.map((entry) => entry.softmax)) > 1e-2);
    } finally {
      model.dispose();
    }
  });

  it('a real epoch on an image folder: frozen layers keep the file\'s weights, the others learn, run.json says where they came from', async () => {
    const dir = temporaryDir('cnnlab-fine-tune-keras-');
    const photos = await writePhotos(dir);
    const modelFile = join(FIXTURES, `${MODEL}.keras`);
    const events = collector();
    const record = await runTraining(
      job(dir, modelFile, { initialWeights: 'model-file', overrides: { dataset: `folder:${photos}`, epochs: 1, batchSize: 8, backend: 'cpu', learningRate: 0.01 } }),
      events.emit,
    );
    assert.equal(record?.status, 'completed', JSON.stringify(events.of('failed')));
    assert.ok(events.of('progress').some((event) => event.message === `Starting from the weights saved in ${MODEL}.keras`));
    const run = await readRun(join(dir, '.cnnlab', 'runs', record.id));
    assert.deepEqual(run.record.initialWeights, { from: modelFile });
    assert.equal(recordProblem({ ...run.record, initialWeights: 'partial_frozen.keras' }), '"initialWeights" is not an object with a "from" file');
    const trained = await loadSavedModel(join(dir, '.cnnlab', 'runs', record.id, 'model', 'last'));
    try {
      for (const name of FROZEN) assert.deepEqual(modelValues(trained, name), await fileValues(modelFile, name), `${name} is frozen in the file and keeps its weights`);
      for (const name of LEARNING) assert.notDeepEqual(modelValues(trained, name), await fileValues(modelFile, name), `${name} learns`);
    } finally {
      trained.dispose();
    }
    // Its train.py starts from the same file, as the run did, and is valid Python.
    const out = join(dir, 'train.py');
    const exported = await exportRun(join(dir, '.cnnlab', 'runs', record.id), 'python', out);
    assert.deepEqual(exported.warnings.filter((warning) => warning.includes('fine-tuned from')), [], 'the file is there');
    const script = readFileSync(out, 'utf8');
    assert.ok(script.includes(`INITIAL_MODEL = ${JSON.stringify(modelFile)}  # the file the run fine-tuned from`), script);
    assert.match(script, /\n {4}model = keras\.models\.load_model\(INITIAL_MODEL, compile=False\)\n/);
    assert.doesNotMatch(script, /\n {4}model = build_model\(\)/);
    const compiled = spawnSync('python3', ['-m', 'py_compile', out], { encoding: 'utf8' });
    assert.equal(compiled.status, 0, compiled.stderr);
    // A file moved away since: train.py is still written, and the export says what to set.
    const runJson = join(dir, '.cnnlab', 'runs', record.id, 'run.json');
    const gone = join(dir, 'moved.keras');
    writeFileSync(runJson, JSON.stringify({ ...JSON.parse(readFileSync(runJson, 'utf8')), initialWeights: { from: gone } }));
    const moved = await exportRun(join(dir, '.cnnlab', 'runs', record.id), 'python', join(dir, 'moved.py'));
    assert.ok(moved.warnings.includes(`The Keras file the run fine-tuned from, ${gone}, is not there now; set INITIAL_MODEL in train.py.`), JSON.stringify(moved.warnings));
  });

  it('a dataset with other classes is refused with what fits the file, and how to put a new head on it', async () => {
    const dir = temporaryDir('cnnlab-fine-tune-keras-');
    const events = collector();
    const record = await runTraining(job(dir, join(FIXTURES, `${MODEL}.keras`), { initialWeights: 'model-file', overrides: { dataset: 'shapes', backend: 'cpu' } }), events.emit);
    assert.equal(record?.status, 'failed');
    const [failure] = events.of('failed');
    assert.equal(failure.message, "The model's last layer has 10 units but 'shapes' has 4 classes (circle, square, triangle, cross).");
    assert.equal(
      failure.hint,
      `${MODEL}.keras classifies into 10 classes: train it on a dataset with 10 classes, or use it as a base under a new head in a .model.json: { "type": "Model", "path": "${MODEL}.keras", "trainable": false }, then a Dense layer of 4 units.`,
    );
  });

  it('`cnnlab train FILE.keras --fine-tune` asks for the file\'s weights', () => {
    const fineTune = parseTrainArguments(['model.keras', '--fine-tune', '--dataset', 'folder:photos'], '/ws');
    assert.equal(fineTune.initialWeights, 'model-file');
    assert.equal(fineTune.modelFile, '/ws/model.keras');
    assert.equal(parseTrainArguments(['model.keras'], '/ws').initialWeights, undefined);
    assert.match(trainUsage, /--fine-tune {8}start from the weights saved in FILE \(a \.keras or \.h5 file\)/);
  });

  it('refuses a model file that holds no weights, and a resume that would also start from the file', async () => {
    const dir = temporaryDir('cnnlab-fine-tune-keras-');
    const modelFile = writeModel(dir, tinyCnn());
    const events = collector();
    const record = await runTraining(job(dir, modelFile, { initialWeights: 'model-file' }), events.emit);
    assert.equal(record, undefined);
    const [failure] = events.of('failed');
    assert.equal(
      failure.message,
      'Only a Keras saved model holds weights to fine-tune from: expected a .keras or .h5 file (model.save). Received: model.model.json.',
    );
    assert.match(failure.hint ?? '', /without --fine-tune/);
    await assert.rejects(readRunSource(job(dir, join(FIXTURES, `${MODEL}.keras`), { initialWeights: 'model-file', resumeFrom: 'some-run' })), /cannot also start from the weights saved in the model file\. Received: resume some-run/);
  });
});

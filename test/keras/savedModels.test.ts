// The six models Keras 3.15 saved (test/fixtures/keras-saved), each as .keras and as .h5:
// `cnnlab summary FILE --json` equals Keras's model.summary() (summary.json), and
// `cnnlab predict FILE IMAGE… --json` and the library (loadPredictionModel + predictImages) give
// Keras's softmax outputs (expected.json) within 1e-4. A run's best model predicts the same.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { runPredict } from '../../src/cli/predict';
import { runSummaryCommand } from '../../src/cli/summary';
import { loadKerasModel } from '../../src/keras/loadModel';
import { loadPredictionModel, predictImages, topClasses } from '../../src/keras/predict';
import { kerasFileKind, readKerasModelConfig, toSnakeCase } from '../../src/keras/savedModel';
import type { LayerJson, SummaryJson } from '../../src/model/format';
import { MODEL_DIR } from '../../src/runs/store';
import { fileSaveHandler } from '../../src/trainer/modelFiles';
import { plantRun, sampleRecord } from '../trainer/runFolders';

const FIXTURES = join(__dirname, '..', 'fixtures', 'keras-saved');
const NAMES = ['mnist_cnn', 'cifar_bn_cnn', 'functional_residual', 'separable_gap', 'mobilenetv2_transfer', 'partial_frozen'];
const FORMATS = ['keras', 'h5'] as const;
const TOLERANCE = 1e-4;

interface KerasRow {
  name: string;
  class_name: string;
  output_shape: (number | null)[];
  params: number;
  trainable_params: number;
}
interface KerasSummary {
  layers: KerasRow[];
  total_params: number;
  trainable_params: number;
  non_trainable_params: number;
  nested_models?: Record<string, { layers: KerasRow[] }>;
}
interface Expected {
  cases: { image: string; softmax: number[]; argmax: number }[];
}

const fixture = (file: string): string => join(FIXTURES, file);
const kerasSummary = (name: string): KerasSummary => JSON.parse(readFileSync(fixture(`${name}.summary.json`), 'utf8')) as KerasSummary;
const expectedOf = (name: string): Expected => JSON.parse(readFileSync(fixture(`${name}.expected.json`), 'utf8')) as Expected;
const imagesOf = (name: string): string[] => expectedOf(name).cases.map((entry) => fixture(entry.image));

const asRow = (layer: LayerJson): KerasRow => ({ name: layer.name, class_name: layer.className, output_shape: layer.outputShape, params: layer.params, trainable_params: layer.trainableParams });
const pickRow = ({ name, class_name, output_shape, params, trainable_params }: KerasRow): KerasRow => ({ name, class_name, output_shape, params, trainable_params });

async function cli(run: (args: string[], streams: { stdout: (text: string) => void; stderr: (text: string) => void }) => Promise<number>, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await run(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
  return { code, stdout, stderr };
}

function maxDifference(expected: Expected, probabilities: number[][]): number {
  assert.equal(probabilities.length, expected.cases.length);
  let max = 0;
  expected.cases.forEach((entry, index) => {
    assert.equal(probabilities[index].length, entry.softmax.length);
    entry.softmax.forEach((value, column) => (max = Math.max(max, Math.abs(value - probabilities[index][column]))));
  });
  return max;
}

describe('Keras saved models (.keras and .h5): summary and predictions equal Keras', function () {
  this.timeout(120_000);
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('knows the two kinds by extension', () => {
    assert.equal(kerasFileKind('a/b/model.keras'), 'keras');
    assert.equal(kerasFileKind('MODEL.H5'), 'h5');
    assert.equal(kerasFileKind('m.hdf5'), 'h5');
    assert.equal(kerasFileKind('m.model.json'), undefined);
    assert.equal(toSnakeCase('Conv2D'), 'conv2d');
    assert.equal(toSnakeCase('BatchNormalization'), 'batch_normalization');
    assert.equal(toSnakeCase('ReLU'), 're_lu');
    assert.equal(toSnakeCase('GlobalAveragePooling2D'), 'global_average_pooling2d');
  });

  for (const name of NAMES) {
    for (const format of FORMATS) {
      const file = fixture(`${name}.${format}`);

      it(`${name}.${format}: cnnlab summary --json equals Keras's summary`, async () => {
        const { code, stdout, stderr } = await cli(runSummaryCommand, [file, '--json']);
        assert.equal(code, 0, stderr);
        const summary = JSON.parse(stdout) as SummaryJson;
        const keras = kerasSummary(name);
        assert.deepEqual(summary.layers.map(asRow), keras.layers.map(pickRow));
        assert.deepEqual(
          [summary.totalParams, summary.trainableParams, summary.nonTrainableParams],
          [keras.total_params, keras.trainable_params, keras.non_trainable_params],
        );
        for (const [nestedName, nested] of Object.entries(keras.nested_models ?? {})) {
          const row = summary.layers.find((layer) => layer.name === nestedName);
          assert.ok(row?.nested, `${nestedName} has its own rows`);
          assert.deepEqual(row.nested.map(asRow), nested.layers.map(pickRow));
        }
      });

      it(`${name}.${format}: cnnlab predict --json gives Keras's softmax within ${TOLERANCE}`, async () => {
        const images = imagesOf(name);
        const { code, stdout, stderr } = await cli(runPredict, [file, ...images, '--json']);
        assert.equal(code, 0, stderr);
        const { predictions } = JSON.parse(stdout) as { predictions: { image: string; probabilities: number[]; top: { class: string; probability: number }[] }[] };
        assert.deepEqual(predictions.map((prediction) => prediction.image), images);
        const expected = expectedOf(name);
        const difference = maxDifference(expected, predictions.map((prediction) => prediction.probabilities));
        assert.ok(difference <= TOLERANCE, `max abs difference ${difference}`);
        predictions.forEach((prediction, index) => {
          assert.equal(prediction.top.length, Math.min(5, prediction.probabilities.length));
          assert.equal(prediction.top[0].class, String(expected.cases[index].argmax));
          assert.deepEqual(Object.keys(prediction.top[0]), ['class', 'probability']);
        });
      });
    }
  }

  for (const name of NAMES) {
    it(`${name}: the library's predictions from .keras and from .h5 agree with Keras (and each other)`, async () => {
      const expected = expectedOf(name);
      const results: number[][][] = [];
      for (const format of FORMATS) {
        const loaded = await loadPredictionModel(fixture(`${name}.${format}`), tmpdir());
        try {
          const predictions = await predictImages(loaded, imagesOf(name), 3);
          results.push(predictions.map((prediction) => prediction.probabilities));
          assert.ok(maxDifference(expected, results[results.length - 1]) <= TOLERANCE);
          assert.ok(predictions.every((prediction) => prediction.top.length === 3 && prediction.resizedFrom === undefined));
        } finally {
          loaded.model.dispose();
        }
      }
      assert.deepEqual(results[0], results[1], 'both formats hold the same float32 weights');
    });
  }

  it('reads the architecture alone (no weights) with the Keras version', async () => {
    const keras = await readKerasModelConfig(fixture('mnist_cnn.keras'));
    const h5 = await readKerasModelConfig(fixture('mnist_cnn.h5'));
    assert.equal(keras.kerasVersion, '3.15.1');
    assert.equal(h5.kerasVersion, '3.15.1');
    assert.equal(h5.backend, 'jax');
    assert.equal((JSON.parse(keras.configText) as { class_name: string }).class_name, 'Sequential');
    assert.equal((JSON.parse(h5.configText) as { class_name: string }).class_name, 'Sequential');
  });

  it('sets every weight, BatchNormalization moving statistics and frozen layers included', async () => {
    const { model, analysis } = await loadKerasModel(fixture('partial_frozen.keras'));
    try {
      assert.equal(model.countParams(), kerasSummary('partial_frozen').total_params);
      const bn2 = model.getLayer('bn2');
      const [, , movingMean, movingVariance] = bn2.getWeights();
      // The fixtures' statistics are never the initial 0 and 1.
      assert.ok(movingMean.dataSync().every((value) => value !== 0));
      assert.ok(movingVariance.dataSync().every((value) => value !== 1));
      assert.ok(analysis.ir.layers.some((layer) => layer.name === 'conv2'));
    } finally {
      model.dispose();
    }
  });

  it('orders the top classes by probability and names them when it can', () => {
    assert.deepEqual(topClasses([0.1, 0.6, 0.3], 2), [
      { class: '1', probability: 0.6 },
      { class: '2', probability: 0.3 },
    ]);
    assert.deepEqual(topClasses([0.5, 0.5], 5, ['cat', 'dog']), [
      { class: 'cat', probability: 0.5 },
      { class: 'dog', probability: 0.5 },
    ]);
  });

  describe('a run', () => {
    let base: string;
    before(() => {
      base = mkdtempSync(join(tmpdir(), 'cnnlab-predict-run-'));
    });
    after(() => rmSync(base, { recursive: true, force: true }));

    it("predicts with a run's best model (by id and by folder), its classes named by the run's dataset", async () => {
      const runsDir = join(base, '.cnnlab', 'runs');
      const id = '20261201-000000-000-mnist-cnn-abcd';
      const classNames = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
      const runDir = plantRun(runsDir, id, sampleRecord(id, { dataset: 'mnist', evaluation: { loss: 0, accuracy: 1, classNames, confusion: [], perClassAccuracy: [], misclassified: [] } }));
      const { model } = await loadKerasModel(fixture('mnist_cnn.keras'));
      await model.save(fileSaveHandler(join(runDir, MODEL_DIR, 'best'), { epochsCompleted: 1 }));
      model.dispose();
      const expected = expectedOf('mnist_cnn');
      for (const target of [id, runDir, join(runDir, MODEL_DIR, 'best')]) {
        const { code, stdout, stderr } = await cli((args, streams) => runPredict(args, streams, base), [target, ...imagesOf('mnist_cnn'), '--json', '--top', '2']);
        assert.equal(code, 0, stderr);
        const { predictions } = JSON.parse(stdout) as { predictions: { probabilities: number[]; top: { class: string }[] }[] };
        assert.ok(maxDifference(expected, predictions.map((prediction) => prediction.probabilities)) <= TOLERANCE);
        assert.deepEqual(
          predictions.map((prediction) => prediction.top[0].class),
          expected.cases.map((entry) => classNames[entry.argmax]),
        );
        assert.ok(predictions.every((prediction) => prediction.top.length === 2));
      }
      const text = await cli((args, streams) => runPredict(args, streams, base), [id, imagesOf('mnist_cnn')[0]]);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, new RegExp(`run ${id} \\(model/best\\)`));
      assert.match(text.stdout, new RegExp(`${classNames[expected.cases[0].argmax]} +\\d+\\.\\d\\d %`));
    });
  });
});

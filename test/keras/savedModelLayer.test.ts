// A saved model used as a layer of a model file: `{ "type": "Model", "path": "…", "trainable":
// false }` with a Keras .keras or .h5 file or a tfjs model folder (src/model/applications/savedModel.ts,
// read through src/keras/modelReader.ts). Its summary is Keras's (the saved mobilenetv2_transfer
// model, nested base included), its problems are named at `path`, `cnnlab summary` reads it, and
// the trainer loads its weights: the same predictions as the saved file.
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { runSummaryCommand } from '../../src/cli/summary';
import { loadKerasModel } from '../../src/keras/loadModel';
import { installSavedModelReader } from '../../src/keras/modelReader';
import { analyzeModel } from '../../src/model';
import type { ModelAnalysis } from '../../src/model/types';
import { buildModel } from '../../src/trainer/buildModel';
import { fileSaveHandler } from '../../src/trainer/modelFiles';
import { loadPretrainedWeights } from '../../src/trainer/pretrained';
import { temporaryDir } from '../trainer/helpers';

const FIXTURES = join(__dirname, '..', 'fixtures', 'keras-saved');

interface KerasRow {
  name: string;
  class_name: string;
  output_shape: (number | null)[];
  params: number;
}
const keras = JSON.parse(readFileSync(join(FIXTURES, 'mobilenetv2_transfer.summary.json'), 'utf8')) as { layers: KerasRow[]; total_params: number; nested_models: Record<string, { layers: KerasRow[] }> };

/** A model file in `dir` using `path` as a frozen base, with a head of its own. */
function transferModel(dir: string, path: string, extra: Record<string, unknown> = {}): { analysis: ModelAnalysis; file: string } {
  const model = {
    inputShape: [64, 64, 3],
    layers: [{ type: 'Model', path, trainable: false, ...extra }, { type: 'Dense', units: 2, activation: 'softmax' }],
  };
  const file = join(dir, 'transfer.model.json');
  writeFileSync(file, JSON.stringify(model, null, 2));
  return { analysis: analyzeModel(readFileSync(file, 'utf8'), file), file };
}

const errorsOf = (analysis: ModelAnalysis): string[] => analysis.diagnostics.filter((diagnostic) => diagnostic.severity === 'error').map((diagnostic) => diagnostic.message);

describe('a saved model used as a layer ("type": "Model")', function () {
  this.timeout(120_000);
  let dir: string;
  before(async () => {
    await tf.setBackend('cpu');
    await installSavedModelReader();
    dir = temporaryDir('cnnlab-model-layer-');
    for (const extension of ['keras', 'h5']) copyFileSync(join(FIXTURES, `mobilenetv2_transfer.${extension}`), join(dir, `saved.${extension}`));
  });

  for (const extension of ['keras', 'h5']) {
    it(`.${extension}: one Functional row under the saved model's name, its rows (and its base's) Keras's, all frozen`, () => {
      const { analysis } = transferModel(dir, `saved.${extension}`);
      assert.deepEqual(errorsOf(analysis), []);
      const [row, dense] = analysis.summary?.layers ?? [];
      assert.deepEqual([row.name, row.className, row.outputShape, row.params, row.trainableParams], ['functional', 'Functional', [null, 5], keras.total_params, 0]);
      assert.deepEqual(
        row.nested?.map((layer) => ({ name: layer.name, class_name: layer.className, output_shape: layer.outputShape, params: layer.params })),
        keras.layers.map(({ name, class_name, output_shape, params }) => ({ name, class_name, output_shape, params })),
      );
      assert.deepEqual(dense.outputShape, [null, 2]);
      assert.equal(analysis.summary?.trainableParams, 5 * 2 + 2);
      assert.equal(analysis.summary?.totalParams, keras.total_params + 12);
    });
  }

  it('problems are named at `path`: no path, a missing file, a file that is no model, an unknown option, an input it does not take', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ path: undefined }, /^A Model layer needs `path`, the saved model to use as a layer/],
      [{ path: 'nowhere.keras' }, /^The saved model "nowhere\.keras" cannot be used as a layer: .*nowhere\.keras does not exist \(ENOENT\)\.$/],
      [{ path: 'transfer.model.json' }, /^The saved model "transfer\.model\.json" cannot be used as a layer: transfer\.model\.json is not a tfjs layers model \(no "modelTopology"\)\.$/],
      [{ path: 'saved.keras', trainible: false }, /^Unrecognized keyword argument passed to Model: 'trainible'\. Did you mean 'trainable'\?/],
    ];
    for (const [extra, message] of cases) {
      const { analysis } = transferModel(dir, 'saved.keras', extra);
      const errors = errorsOf(analysis);
      assert.equal(errors.length, 1, errors.join('\n'));
      assert.match(errors[0], message);
    }
    const { analysis } = transferModel(dir, 'saved.keras');
    const text = JSON.stringify({ inputShape: [32, 32, 3], layers: [{ type: 'Model', path: 'saved.keras' }] });
    const mismatch = analyzeModel(text, join(dir, 'small.model.json'));
    assert.deepEqual(errorsOf(mismatch), ['Input 0 of layer "functional" is incompatible with the layer: expected shape=(None, 64, 64, 3), found shape=(None, 32, 32, 3).']);
    assert.deepEqual(errorsOf(analysis), []);
  });

  it('cnnlab summary --json prints the base folded, its rows under nested', async () => {
    const { file } = transferModel(dir, 'saved.h5');
    let out = '';
    const code = await runSummaryCommand([file, '--json'], { stdout: (text) => (out += text), stderr: () => undefined });
    assert.equal(code, 0);
    const json = JSON.parse(out) as { layers: { name: string; nested?: { name: string; nested?: unknown[] }[] }[]; totalParams: number };
    assert.equal(json.layers[0].name, 'functional');
    assert.equal(json.layers[0].nested?.[2].name, 'mobilenetv2_0.35_64');
    assert.equal(json.layers[0].nested?.[2].nested?.length, 154);
    assert.equal(json.totalParams, keras.total_params + 12);
  });

  for (const extension of ['keras', 'h5']) {
    it(`the trainer loads the .${extension} file's weights: the base predicts what the saved model does`, async () => {
      const { analysis } = transferModel(dir, `saved.${extension}`);
      assert.ok(analysis.ir);
      const model = buildModel(analysis.ir, 1);
      const saved = await loadKerasModel(join(dir, `saved.${extension}`));
      const input = tf.randomUniform([2, 64, 64, 3], 0, 1, 'float32', 3);
      try {
        await loadPretrainedWeights(model, analysis.ir, { baseDir: dir, progress: () => undefined });
        const ours = (model.getLayer('functional') as tf.LayersModel).predict(input) as tf.Tensor;
        const theirs = saved.model.predict(input) as tf.Tensor;
        assert.equal(tf.max(tf.abs(tf.sub(ours, theirs))).dataSync()[0], 0);
        tf.dispose([ours, theirs]);
      } finally {
        tf.dispose(input);
        model.dispose();
        saved.model.dispose();
      }
    });
  }

  it('a tfjs model folder: its topology read from model.json, its weights loaded by layer name', async () => {
    // The saved Keras model, saved again by tfjs as a run's model folder is.
    const saved = await loadKerasModel(join(dir, 'saved.keras'));
    const folder = join(dir, 'tfjs-base');
    await saved.model.save(fileSaveHandler(folder, { epochsCompleted: 0 }));
    const { analysis } = transferModel(dir, 'tfjs-base');
    assert.deepEqual(errorsOf(analysis), []);
    const row = analysis.summary?.layers[0];
    assert.deepEqual([row?.className, row?.params, row?.trainableParams], ['Functional', keras.total_params, 0]);
    assert.ok(analysis.ir);
    const model = buildModel(analysis.ir, 1);
    const input = tf.randomUniform([1, 64, 64, 3], 0, 1, 'float32', 4);
    try {
      const progress: string[] = [];
      await loadPretrainedWeights(model, analysis.ir, { baseDir: dir, progress: (message) => progress.push(message) });
      assert.deepEqual(progress, [`Loaded the weights of ${row?.name ?? ''} from tfjs-base`]);
      const ours = (model.getLayer(row?.name ?? '') as tf.LayersModel).predict(input) as tf.Tensor;
      const theirs = saved.model.predict(input) as tf.Tensor;
      assert.equal(tf.max(tf.abs(tf.sub(ours, theirs))).dataSync()[0], 0);
      tf.dispose([ours, theirs]);
    } finally {
      tf.dispose(input);
      model.dispose();
      saved.model.dispose();
    }
  });
});

// Freezing in every front end (issue 13 item 2): a frozen layer's params are non-trainable, as
// Keras counts them; BatchNormalization's moving mean and variance are non-trainable anyway, its
// gamma and beta trainable unless it is frozen. In `.model.ts` files the static reader follows
// `trainable = …` set after construction where the code stands (a layer variable, `model.layers[i]`,
// `model.getLayer(…)`, the model) and says so where it cannot (a loop, a branch, a helper). The
// evaluate path and tfjs itself are compared on such files in realworld-ts.test.ts.
import { strict as assert } from 'node:assert';
import { analyzeModel } from '../../src/model/index';
import type { ModelAnalysis } from '../../src/model/types';

interface Read {
  /** `name:params/trainable` per row */
  rows: string[];
  totals: string;
  warnings: string[];
  errors: string[];
}

function read(analysis: ModelAnalysis): Read {
  const of = (severity: string): string[] => analysis.diagnostics.filter((diagnostic) => diagnostic.severity === severity).map((diagnostic) => `${diagnostic.range.start.line + 1}: ${diagnostic.message}`);
  const summary = analysis.summary;
  return {
    rows: summary?.layers.map((layer) => `${layer.name}:${layer.params}/${layer.trainableParams}`) ?? [],
    totals: summary ? `${summary.totalParams} = ${summary.trainableParams} trainable + ${summary.nonTrainableParams}` : '',
    warnings: of('warning'),
    errors: of('error'),
  };
}

const head = "import * as tf from '@tensorflow/tfjs';\n";
const readTs = (body: string): Read => read(analyzeModel(head + body, 'm.model.ts'));

// Conv2D 3·3·1 → 64: 640 params. BatchNormalization over 64 channels: 4·64 = 256, of which the
// moving mean and variance (128) are always non-trainable. Dense on the 64 pooled channels: 64·10 + 10 = 650.
const conv = (extra = ''): string => `tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 64, kernelSize: 3${extra} })`;
const bn = (extra = ''): string => `tf.layers.batchNormalization({${extra}})`;
const pool = 'tf.layers.globalAveragePooling2d({})';
const dense = (extra = ''): string => `tf.layers.dense({ units: 10${extra} })`;

describe('freezing: JSON model files', () => {
  it('a frozen layer\'s params are all non-trainable; a BatchNormalization\'s moving statistics are non-trainable whether or not it is frozen', () => {
    const model = {
      inputShape: [28, 28, 1],
      layers: [
        { type: 'Conv2D', filters: 64, kernelSize: 3, trainable: false },
        { type: 'BatchNormalization' },
        { type: 'BatchNormalization', trainable: false },
        { type: 'GlobalAveragePooling2D', trainable: false },
        { type: 'Dense', units: 10 },
      ],
    };
    const result = read(analyzeModel(JSON.stringify(model, null, 2), 'm.model.json'));
    assert.deepEqual(result.rows, ['conv2d:640/0', 'batch_normalization:256/128', 'batch_normalization_1:256/0', 'global_average_pooling2d:0/0', 'dense:650/650']);
    assert.equal(result.totals, '1802 = 778 trainable + 1024');
    assert.deepEqual([...result.warnings, ...result.errors], []);
  });

  it('trainable must be true or false, as Keras requires', () => {
    const model = { inputShape: [4], layers: [{ type: 'Dense', units: 2, trainable: 'no' }] };
    const result = read(analyzeModel(JSON.stringify(model), 'm.model.json'));
    assert.equal(result.errors.length, 1);
    assert.match(result.errors[0], /trainable/);
  });
});

describe('freezing: the static .model.ts reader', () => {
  const followed: [string, string, string[], string][] = [
    [
      'trainable: false among the options',
      `export default tf.sequential({ layers: [${conv(', trainable: false')}, ${bn('trainable: false')}, ${pool}, ${dense()}] });\n`,
      ['conv2d:640/0', 'batch_normalization:256/0', 'global_average_pooling2d:0/0', 'dense:650/650'],
      '1546 = 650 trainable + 896',
    ],
    [
      'a layer variable frozen before it is added',
      `const base = ${conv()};\nbase.trainable = false;\nconst model = tf.sequential();\nmodel.add(base);\nmodel.add(${bn()});\nmodel.add(${pool});\nmodel.add(${dense()});\nexport default model;\n`,
      ['conv2d:640/0', 'batch_normalization:256/128', 'global_average_pooling2d:0/0', 'dense:650/650'],
      '1546 = 778 trainable + 768',
    ],
    [
      'a layer variable frozen after the model is built, in the layers list',
      `const norm = ${bn()};\nconst model = tf.sequential({ layers: [${conv()}, norm, ${pool}, ${dense()}] });\nnorm.trainable = false;\nexport default model;\n`,
      ['conv2d:640/640', 'batch_normalization:256/0', 'global_average_pooling2d:0/0', 'dense:650/650'],
      '1546 = 1290 trainable + 256',
    ],
    [
      'model.layers[i] and model.getLayer(name), with an index from a const',
      `const first = 0;\nconst model = tf.sequential({ layers: [${conv()}, ${bn("name: 'norm'")}, ${pool}, ${dense()}] });\nmodel.layers[first].trainable = false;\nmodel.getLayer('norm').trainable = false;\nexport default model;\n`,
      ['conv2d:640/0', 'norm:256/0', 'global_average_pooling2d:0/0', 'dense:650/650'],
      '1546 = 650 trainable + 896',
    ],
    [
      'frozen, then thawed again',
      `const model = tf.sequential({ layers: [${conv(', trainable: false')}, ${pool}, ${dense()}] });\nmodel.layers[0].trainable = true;\nmodel.getLayer(2).trainable = false;\nexport default model;\n`,
      ['conv2d:640/640', 'global_average_pooling2d:0/0', 'dense:650/0'],
      '1290 = 640 trainable + 650',
    ],
    [
      'the whole model frozen: every layer, even one set trainable afterwards (tfjs\'s model then has no trainable weights)',
      `const model = tf.sequential({ layers: [${conv()}, ${bn()}, ${pool}, ${dense()}] });\nmodel.trainable = false;\nmodel.layers[3].trainable = true;\nexport default model;\n`,
      ['conv2d:640/0', 'batch_normalization:256/0', 'global_average_pooling2d:0/0', 'dense:650/0'],
      '1546 = 0 trainable + 1546',
    ],
    [
      'inside the builder function the default export calls',
      `export default function build() {\n  const model = tf.sequential();\n  const stem = ${conv()};\n  model.add(stem);\n  model.add(${pool});\n  model.add(${dense()});\n  stem.trainable = false;\n  return model;\n}\n`,
      ['conv2d:640/0', 'global_average_pooling2d:0/0', 'dense:650/650'],
      '1290 = 650 trainable + 640',
    ],
    [
      'a functional model, by its index in tfjs\'s order (the InputLayer first) and through a layer variable applied',
      'const input = tf.input({ shape: [28, 28, 1] });\nconst stem = tf.layers.conv2d({ filters: 64, kernelSize: 3 });\n' +
        `const x = stem.apply(input) as tf.SymbolicTensor;\nconst y = ${pool}.apply(x) as tf.SymbolicTensor;\nconst out = ${dense()}.apply(y) as tf.SymbolicTensor;\n` +
        'const model = tf.model({ inputs: input, outputs: out });\nstem.trainable = false;\nmodel.layers[3].trainable = false;\nexport default model;\n',
      ['input_1:0/0', 'conv2d:640/0', 'global_average_pooling2d:0/0', 'dense:650/0'],
      '1290 = 0 trainable + 1290',
    ],
  ];
  for (const [how, body, rows, totals] of followed) {
    it(`follows ${how}`, () => {
      assert.deepEqual(readTs(body), { rows, totals, warnings: [], errors: [] });
    });
  }

  it('names a layer variable where it is made, as Keras and tfjs do, whatever order it is added in', () => {
    const result = readTs(`const late = ${dense()};\nconst early = tf.layers.dense({ inputShape: [4], units: 3 });\nexport default tf.sequential({ layers: [early, late] });\n`);
    assert.deepEqual(result.rows, ['dense_1:15/15', 'dense:40/40']);
    assert.deepEqual(result.warnings, []);
  });

  const notFollowed: [string, string, RegExp][] = [
    ['in a loop over model.layers', 'for (const layer of model.layers) layer.trainable = false;\n', /which layers this freezes or unfreezes from `for \(const layer of model\.layers\)/],
    ['with forEach', 'model.layers.forEach((layer) => {\n  layer.trainable = false;\n});\n', /which layers this freezes or unfreezes/],
    ['in a branch', 'const fineTune = true;\nif (fineTune) model.layers[0].trainable = false;\n', /which layers this freezes or unfreezes/],
    ['in a helper function', 'function freeze(): void {\n  model.trainable = false;\n}\nfreeze();\n', /which layers this freezes or unfreezes from `freeze\(\)`/],
    ['on a layer found another way', 'model.layers[model.layers.length - 1].trainable = false;\n', /which layer this freezes or unfreezes/],
    ['with a value that is not true or false', 'const frozen = 0;\nmodel.layers[0].trainable = frozen as unknown as boolean;\n', /whether this freezes the layer \(true or false\)/],
    ['by a name the code never gave (tfjs names layers its own way)', "model.getLayer('dense').trainable = false;\n", /which layer this freezes or unfreezes/],
  ];
  for (const [how, freeze, message] of notFollowed) {
    it(`says it cannot follow a freeze ${how}, rather than show trainable counts that may be wrong`, () => {
      const result = readTs(`const model = tf.sequential({ layers: [${conv()}, ${pool}, ${dense()}] });\n${freeze}export default model;\n`);
      assert.equal(result.errors.length, 0);
      assert.equal(result.warnings.length, 1, result.warnings.join('\n'));
      assert.match(result.warnings[0], message);
    });
  }

  it('a layer variable used twice (a shared layer) is not followed', () => {
    const result = readTs('const shared = tf.layers.dense({ inputShape: [4], units: 4 });\nexport default tf.sequential({ layers: [shared, shared] });\n');
    assert.equal(result.warnings.length, 1);
    assert.match(result.warnings[0], /used a second time/);
  });

  it('a helper called as a statement that adds to the model is not passed over in silence', () => {
    const result = readTs(`const model = tf.sequential({ layers: [${conv()}] });\nfunction addHead(): void {\n  model.add(${dense()});\n}\naddHead();\nexport default model;\n`);
    assert.equal(result.warnings.length, 1);
    assert.match(result.warnings[0], /what this call does to the model from `addHead\(\)`/);
  });
});

// keras.applications bases written as one layer of a model file (src/model/applications): the
// totals Keras documents, Keras's saved MobileNetV2 (alpha 0.35, 64×64) row for row, Keras's names
// and layer order, the options checked as Keras checks them, and the ImageNet files Keras downloads.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APPLICATIONS, type ResolvedApplicationOptions } from '../../src/model/applications';
import { makeDivisible, correctPad } from '../../src/model/applications/mobilenetV2';
import { pythonFixed2, resolveApplicationOptions } from '../../src/model/applications/options';
import { analyzeModel, formatSummary, summaryToJson } from '../../src/model/index';
import type { LayerSummary, ModelAnalysis } from '../../src/model/types';

const FIXTURES = join(__dirname, '..', 'fixtures', 'keras-saved');

function analyze(model: Record<string, unknown>): ModelAnalysis {
  return analyzeModel(JSON.stringify(model, null, 2), 'base.model.json');
}

function base(type: string, options: Record<string, unknown>): { analysis: ModelAnalysis; row: LayerSummary } {
  const analysis = analyze({ layers: [{ type, ...options }] });
  assert.deepEqual(analysis.diagnostics.filter((diagnostic) => diagnostic.severity === 'error'), []);
  const row = analysis.summary?.layers[0];
  assert.ok(row?.nested, 'the base is one row with its own rows under nested');
  return { analysis, row };
}

const errorsOf = (analysis: ModelAnalysis): string[] => analysis.diagnostics.filter((diagnostic) => diagnostic.severity === 'error').map((diagnostic) => diagnostic.message);

describe('keras.applications bases in model files', () => {
  describe("totals Keras documents (keras.io/api/applications, model.summary())", () => {
    const cases: [string, Record<string, unknown>, string, number, number, number][] = [
      // type, options, Keras's model name, layers inside, total params, trainable params
      ['VGG16', { includeTop: false, inputShape: [224, 224, 3] }, 'vgg16', 19, 14_714_688, 14_714_688],
      ['VGG19', { includeTop: false, inputShape: [224, 224, 3] }, 'vgg19', 22, 20_024_384, 20_024_384],
      ['ResNet50', { includeTop: false, inputShape: [224, 224, 3] }, 'resnet50', 175, 23_587_712, 23_534_592],
      ['MobileNetV2', { includeTop: false, inputShape: [224, 224, 3] }, 'mobilenetv2_1.00_224', 154, 2_257_984, 2_223_872],
      ['VGG16', {}, 'vgg16', 23, 138_357_544, 138_357_544],
      ['VGG19', {}, 'vgg19', 26, 143_667_240, 143_667_240],
      ['ResNet50', {}, 'resnet50', 177, 25_636_712, 25_583_592],
      ['MobileNetV2', {}, 'mobilenetv2_1.00_224', 156, 3_538_984, 3_504_872],
    ];
    for (const [type, options, name, layerCount, total, trainable] of cases) {
      it(`${type} ${JSON.stringify(options)}: ${total.toLocaleString('en-US')} params`, () => {
        const { analysis, row } = base(type, options);
        assert.equal(row.name, name);
        assert.equal(row.className, 'Functional');
        assert.equal(row.nested?.length, layerCount);
        assert.equal(analysis.summary?.totalParams, total);
        assert.equal(analysis.summary?.trainableParams, trainable);
        assert.equal(analysis.summary?.nonTrainableParams, total - trainable);
      });
    }

    it('trainable: false freezes every layer inside (Keras counts all params as non-trainable)', () => {
      const { analysis, row } = base('ResNet50', { includeTop: false, inputShape: [224, 224, 3], trainable: false });
      assert.equal(analysis.summary?.trainableParams, 0);
      assert.equal(analysis.summary?.nonTrainableParams, 23_587_712);
      assert.ok(row.nested?.every((layer) => layer.trainableParams === 0));
    });

    it('pooling adds Keras\'s GlobalAveragePooling2D / GlobalMaxPooling2D (avg_pool / max_pool in ResNet50)', () => {
      const pooled = base('VGG16', { includeTop: false, inputShape: [224, 224, 3], pooling: 'avg' }).row.nested?.at(-1);
      assert.deepEqual([pooled?.name, pooled?.className, pooled?.outputShape], ['global_average_pooling2d', 'GlobalAveragePooling2D', [null, 512]]);
      const resnet = base('ResNet50', { includeTop: false, inputShape: [224, 224, 3], pooling: 'max' }).row;
      assert.equal(resnet.nested?.at(-1)?.name, 'max_pool');
      assert.deepEqual(resnet.outputShape, [null, 2048]);
      assert.equal(base('MobileNetV2', { includeTop: false, inputShape: [224, 224, 3], pooling: 'max' }).row.nested?.at(-1)?.name, 'global_max_pooling2d');
    });
  });

  it("MobileNetV2 alpha 0.35 at 64×64 equals Keras's saved base row for row (test/fixtures/keras-saved/mobilenetv2_transfer)", () => {
    const keras = JSON.parse(readFileSync(join(FIXTURES, 'mobilenetv2_transfer.summary.json'), 'utf8')) as {
      nested_models: Record<string, { layers: { name: string; class_name: string; output_shape: (number | null)[]; params: number; trainable_params: number }[] }>;
    };
    const expected = keras.nested_models['mobilenetv2_0.35_64'].layers.map(({ name, class_name, output_shape, params, trainable_params }) => ({ name, class_name, output_shape, params, trainable_params }));
    const { row } = base('MobileNetV2', { alpha: 0.35, includeTop: false, weights: null, inputShape: [64, 64, 3], trainable: false });
    assert.equal(row.name, 'mobilenetv2_0.35_64');
    const actual = (row.nested ?? []).map((layer) => ({ name: layer.name, class_name: layer.className, output_shape: layer.outputShape, params: layer.params, trainable_params: layer.trainableParams }));
    assert.equal(actual.length, 154);
    assert.deepEqual(actual, expected);
  });

  it("the whole mobilenetv2_transfer model written as a model file equals Keras's summary, outer rows and totals", () => {
    const analysis = analyze({
      layers: [
        { type: 'InputLayer', name: 'input_layer_1', inputShape: [64, 64, 3] },
        { type: 'Rescaling', scale: 2, offset: -1, inputs: 'input_layer_1' },
        { type: 'MobileNetV2', alpha: 0.35, includeTop: false, weights: null, inputShape: [64, 64, 3], trainable: false, inputs: 'rescaling' },
        { type: 'GlobalAveragePooling2D', inputs: 'mobilenetv2_0.35_64' },
        { type: 'Dropout', rate: 0.2 },
        { type: 'Dense', units: 5, activation: 'softmax' },
      ],
    });
    assert.deepEqual(errorsOf(analysis), []);
    const keras = JSON.parse(readFileSync(join(FIXTURES, 'mobilenetv2_transfer.summary.json'), 'utf8')) as {
      layers: { name: string; class_name: string; output_shape: (number | null)[]; params: number; trainable_params: number }[];
      total_params: number;
      trainable_params: number;
      non_trainable_params: number;
    };
    const rows = analysis.summary?.layers.map((layer) => ({ name: layer.name, class_name: layer.className, output_shape: layer.outputShape, params: layer.params, trainable_params: layer.trainableParams }));
    assert.deepEqual(rows, keras.layers.map(({ name, class_name, output_shape, params, trainable_params }) => ({ name, class_name, output_shape, params, trainable_params })));
    assert.equal(analysis.summary?.totalParams, keras.total_params);
    assert.equal(analysis.summary?.trainableParams, keras.trainable_params);
    assert.equal(analysis.summary?.nonTrainableParams, keras.non_trainable_params);
  });

  it("ResNet50's residual blocks in Keras's order: main branch first, then the shortcut beside the depth-tied main-branch layers", () => {
    const names = (base('ResNet50', { includeTop: false, inputShape: [224, 224, 3] }).row.nested ?? []).map((layer) => layer.name);
    assert.deepEqual(names.slice(0, 7), ['input_layer', 'conv1_pad', 'conv1_conv', 'conv1_bn', 'conv1_relu', 'pool1_pad', 'pool1_pool']);
    assert.deepEqual(names.slice(7, 19), [
      'conv2_block1_1_conv', 'conv2_block1_1_bn', 'conv2_block1_1_relu', 'conv2_block1_2_conv', 'conv2_block1_2_bn', 'conv2_block1_2_relu',
      'conv2_block1_0_conv', 'conv2_block1_3_conv', 'conv2_block1_0_bn', 'conv2_block1_3_bn', 'conv2_block1_add', 'conv2_block1_out',
    ]);
    assert.equal(names.at(-1), 'conv5_block3_out');
  });

  it('shown folded: one row in the text summary, the inner rows under nested in the JSON', () => {
    const analysis = analyze({
      inputShape: [96, 96, 3],
      layers: [{ type: 'MobileNetV2', includeTop: false, weights: null, trainable: false }, { type: 'GlobalAveragePooling2D' }, { type: 'Dense', units: 3, activation: 'softmax' }],
    });
    assert.deepEqual(errorsOf(analysis), []);
    const summary = analysis.summary;
    assert.ok(summary);
    // The top-level inputShape is the base's own, as Keras's input_shape is.
    assert.equal(summary.layers[0].name, 'mobilenetv2_1.00_96');
    assert.deepEqual(summary.layers[0].nested?.[0].outputShape, [null, 96, 96, 3]);
    const text = formatSummary(summary);
    assert.match(text, /^ mobilenetv2_1\.00_96 \(Functi {2}\(None, 3, 3, 1280\) {7}2257984 {3}$/m);
    assert.doesNotMatch(text, /block_1_expand/);
    const json = summaryToJson(summary);
    assert.equal(json.layers[0].nested?.length, 154);
    assert.equal(json.layers[0].nested?.[1].name, 'Conv1');
    assert.equal(json.totalParams, 2_257_984 + 1280 * 3 + 3);
    assert.equal(json.trainableParams, 1280 * 3 + 3);
  });

  it('a base called on a layer with no inputShape of its own: built on (None, None, 3) as Keras does, its row as called', () => {
    const analysis = analyze({
      inputShape: [64, 64, 3],
      layers: [{ type: 'Rescaling', scale: 0.00784313725490196, offset: -1 }, { type: 'VGG16', includeTop: false, weights: null }, { type: 'Flatten' }],
    });
    assert.deepEqual(errorsOf(analysis), []);
    const [, vgg, flatten] = analysis.summary?.layers ?? [];
    assert.deepEqual(vgg.outputShape, [null, 2, 2, 512]);
    assert.deepEqual(vgg.nested?.[0].outputShape, [null, null, null, 3]);
    assert.deepEqual(flatten.outputShape, [null, 2048]);
  });

  it("a functional model refers to the base by Keras's name", () => {
    const analysis = analyze({
      layers: [
        { type: 'InputLayer', inputShape: [128, 128, 3] },
        { type: 'ResNet50', includeTop: false, weights: null, inputs: 'input_1' },
        { type: 'GlobalMaxPooling2D', inputs: 'resnet50' },
      ],
    });
    assert.deepEqual(errorsOf(analysis), []);
    assert.deepEqual(analysis.summary?.layers.map((layer) => [layer.name, layer.outputShape]), [
      ['input_1', [null, 128, 128, 3]],
      ['resnet50', [null, 4, 4, 2048]],
      ['global_max_pooling2d', [null, 2048]],
    ]);
  });

  it("a name given in the file replaces Keras's", () => {
    const { row } = base('VGG16', { name: 'backbone', includeTop: false, inputShape: [32, 32, 3], weights: null });
    assert.equal(row.name, 'backbone');
  });

  describe('MobileNetV2 names and widths as Keras computes them', () => {
    it('_make_divisible and correct_pad', () => {
      assert.equal(makeDivisible(32 * 0.35, 8), 16);
      assert.equal(makeDivisible(Math.trunc(16 * 0.35), 8), 8);
      assert.equal(makeDivisible(Math.trunc(24 * 0.35), 8), 8);
      assert.equal(makeDivisible(Math.trunc(320 * 0.35), 8), 112);
      assert.equal(makeDivisible(1280 * 1.4, 8), 1792);
      assert.deepEqual(correctPad(64, 64, 3), [[0, 1], [0, 1]]);
      assert.deepEqual(correctPad(7, 7, 3), [[1, 1], [1, 1]]);
      assert.deepEqual(correctPad(null, null, 3), [[0, 1], [0, 1]]);
    });

    it("the model's name: f\"mobilenetv2_{alpha:0.2f}_{rows}\", 224 when ImageNet weights of another size are loaded", () => {
      assert.equal(pythonFixed2(0.35), '0.35');
      assert.equal(pythonFixed2(1), '1.00');
      assert.equal(pythonFixed2(0.125), '0.12');
      assert.equal(pythonFixed2(0.375), '0.38');
      assert.equal(base('MobileNetV2', { alpha: 0.5, includeTop: false, weights: null, inputShape: [100, 100, 3] }).row.name, 'mobilenetv2_0.50_100');
      const imagenet = base('MobileNetV2', { alpha: 0.5, includeTop: false, inputShape: [100, 100, 3] });
      assert.equal(imagenet.row.name, 'mobilenetv2_0.50_224');
      assert.match(imagenet.analysis.diagnostics.find((diagnostic) => diagnostic.severity === 'warning')?.message ?? '', /Weights for input shape \(224, 224\)|weights for input shape \(224, 224\) will be loaded/);
      assert.equal(base('MobileNetV2', { includeTop: false, weights: null }).row.name, 'mobilenetv2_1.00_None');
      assert.equal(base('MobileNetV2', { alpha: 1.4, includeTop: false, inputShape: [224, 224, 3] }).row.nested?.find((layer) => layer.name === 'Conv_1')?.outputShape.at(-1), 1792);
    });
  });

  describe("options checked as Keras checks them (Keras's messages)", () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['VGG16', { classes: 10 }, /If using `weights: "imagenet"` with `includeTop: true`, `classes` should be 1000\. Received: classes=10\./],
      ['ResNet50', { inputShape: [64, 64, 3] }, /When setting `includeTop: true` and loading "imagenet" weights, `inputShape` should be \[224,224,3\]\. Received: inputShape=\[64,64,3\]\./],
      ['VGG16', { includeTop: false, inputShape: [64, 64, 1] }, /The input must have 3 channels\. Received: inputShape=\[64,64,1\]\./],
      ['VGG19', { includeTop: false, inputShape: [16, 16, 3] }, /Input size must be at least 32x32\. Received: inputShape=\[16,16,3\]\./],
      ['VGG16', { includeTop: false, inputShape: [64, 3] }, /`inputShape` must be a list of three integers/],
      ['VGG16', { weights: null, inputShape: [null, null, 3] }, /If `includeTop` is true, you should specify a static `inputShape`\. Received: inputShape=\[null,null,3\]\./],
      ['MobileNetV2', { alpha: 0.4, includeTop: false }, /If imagenet weights are being loaded, alpha must be one of `0\.35`, `0\.50`, `0\.75`, `1\.0`, `1\.3` or `1\.4` only\. Received: alpha=0\.4\./],
      ['ResNet50', { classifierActivation: 'relu' }, /Only `null` and "softmax" activations are allowed for the `classifierActivation` argument when using pretrained weights, with `includeTop: true`\. Received: classifierActivation="relu"\./],
      ['VGG16', { weights: 'vgg.bin' }, /The `weights` argument should be either `null` \(random initialization\), "imagenet" \(pre-training on ImageNet\), or the path to the weights file to be loaded \(\.h5, \.weights\.h5 or \.keras\)\. Received: weights="vgg\.bin"\./],
      ['VGG16', { includeTop: false, pooling: 'mean' }, /Invalid value for `pooling` of VGG16: expected "avg", "max" or null\. Received: pooling="mean"\./],
      ['VGG16', { inclueTop: false }, /Unrecognized keyword argument passed to VGG16: 'inclueTop'\. Did you mean 'includeTop'\?/],
      ['VGG16', { alpha: 0.5 }, /Unrecognized keyword argument passed to VGG16: 'alpha'/],
      ['MobileNetV2', { alpha: -1, weights: null }, /Invalid value for `alpha` of MobileNetV2: expected a positive number/],
    ];
    for (const [type, options, message] of cases) {
      it(`${type} ${JSON.stringify(options)}`, () => {
        const analysis = analyze({ layers: [{ type, ...options }, { type: 'Flatten' }] });
        const errors = errorsOf(analysis);
        assert.equal(errors.length, 1, errors.join('\n'));
        assert.match(errors[0], message);
        // The base is not built: the layer after it follows an error and gets no row of its own.
        assert.deepEqual(analysis.summary?.layers, []);
      });
    }

    it('the error is at the option written', () => {
      const text = '{\n  "layers": [\n    { "type": "VGG16", "classes": 10 }\n  ]\n}\n';
      const [diagnostic] = analyzeModel(text, 'x.model.json').diagnostics;
      assert.deepEqual(diagnostic.range, { start: { line: 2, character: 34 }, end: { line: 2, character: 36 } });
    });

    it('pooling with the top is a warning (Keras ignores it)', () => {
      const analysis = analyze({ layers: [{ type: 'VGG16', weights: null, pooling: 'avg' }] });
      assert.deepEqual(errorsOf(analysis), []);
      assert.match(analysis.diagnostics[0].message, /`pooling` is ignored when `includeTop` is true/);
      assert.equal(analysis.summary?.totalParams, 138_357_544);
    });
  });

  describe('the ImageNet weights files Keras downloads (keras/src/applications/*.py), with the MD5s it pins', () => {
    const resolved = (type: 'VGG16' | 'VGG19' | 'ResNet50' | 'MobileNetV2', options: Record<string, unknown>): ResolvedApplicationOptions => {
      const { options: resolvedOptions } = resolveApplicationOptions(type, options);
      assert.ok(resolvedOptions);
      return resolvedOptions;
    };
    it('VGG16, VGG19, ResNet50: with and without the top', () => {
      assert.deepEqual(APPLICATIONS.VGG16.imagenet(resolved('VGG16', {})), {
        cacheName: 'keras-applications/vgg16',
        baseUrl: 'https://storage.googleapis.com/tensorflow/keras-applications/vgg16/',
        fileName: 'vgg16_weights_tf_dim_ordering_tf_kernels.h5',
        md5: '64373286793e3c8b2b4e3219cbf3544b',
      });
      assert.equal(APPLICATIONS.VGG16.imagenet(resolved('VGG16', { includeTop: false })).md5, '6d6bbae143d832006294945121d1f1fc');
      assert.equal(APPLICATIONS.VGG19.imagenet(resolved('VGG19', {})).md5, 'cbe5617147190e668d6c5d5026f83318');
      assert.deepEqual(APPLICATIONS.VGG19.imagenet(resolved('VGG19', { includeTop: false })), {
        cacheName: 'keras-applications/vgg19',
        baseUrl: 'https://storage.googleapis.com/tensorflow/keras-applications/vgg19/',
        fileName: 'vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5',
        md5: '253f8cb515780f3b799900260a226db6',
      });
      assert.deepEqual(APPLICATIONS.ResNet50.imagenet(resolved('ResNet50', { includeTop: false })), {
        cacheName: 'keras-applications/resnet',
        baseUrl: 'https://storage.googleapis.com/tensorflow/keras-applications/resnet/',
        fileName: 'resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5',
        md5: '4d473c1dd8becc155b73f8504c6f6626',
      });
      assert.equal(APPLICATIONS.ResNet50.imagenet(resolved('ResNet50', {})).md5, '2cb95161c43110f7111970584f804107');
    });
    it('MobileNetV2: named by alpha and size (224 for another size), no hash pinned', () => {
      assert.deepEqual(APPLICATIONS.MobileNetV2.imagenet(resolved('MobileNetV2', { alpha: 0.35, includeTop: false, inputShape: [96, 96, 3] })), {
        cacheName: 'keras-applications/mobilenet_v2',
        baseUrl: 'https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/',
        fileName: 'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96_no_top.h5',
      });
      assert.equal(APPLICATIONS.MobileNetV2.imagenet(resolved('MobileNetV2', {})).fileName, 'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5');
      assert.equal(APPLICATIONS.MobileNetV2.imagenet(resolved('MobileNetV2', { includeTop: false, inputShape: [64, 64, 3] })).fileName, 'mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5');
    });
  });
});

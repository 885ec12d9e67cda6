// keras.applications bases in a model file: a layer `{ "type": "VGG16", "includeTop": false,
// "weights": "imagenet", "inputShape": [224, 224, 3], "trainable": false }` becomes a model nested
// as a layer (LayerSpec.model), its inner layers, names, shapes and params those Keras builds
// (./vgg, ./resnet, ./mobilenetV2), summarized as one `Functional` row. Where its ImageNet weights
// come from (file names, URLs and the hashes Keras pins) is here too; the trainer downloads and
// loads them (src/trainer/pretrained.ts).

import type { LayerSpec, ModelDiagnostic, ModelIR, SourceRange } from '../types';
import { mobileNetV2 } from './mobilenetV2';
import { pythonFloat, resolveApplicationOptions, type ApplicationName, type ResolvedApplicationOptions } from './options';
import { resnet50 } from './resnet';
import { vgg16, vgg19 } from './vgg';

export { APPLICATION_OPTIONS, type ApplicationName, type ResolvedApplicationOptions } from './options';

interface ApplicationSpec {
  description: string;
  build(options: ResolvedApplicationOptions): ModelIR;
  /** The ImageNet weights file Keras downloads for these options (keras/src/applications/*.py). */
  imagenet(options: ResolvedApplicationOptions): PretrainedWeightsFile;
}

/** One file of keras-applications' published weights. */
export interface PretrainedWeightsFile {
  /** Folder under storage.googleapis.com/tensorflow/keras-applications/, also the cache's and a mirror's folder (`keras-applications/vgg16`). */
  cacheName: string;
  /** The folder's URL, ending in `/`. */
  baseUrl: string;
  fileName: string;
  /** The MD5 Keras pins for the file (its `file_hash`); absent where Keras pins none (MobileNetV2). */
  md5?: string;
}

const KERAS_APPLICATIONS_URL = 'https://storage.googleapis.com/tensorflow/keras-applications/';

function weightsFile(folder: string, fileName: string, md5?: string): PretrainedWeightsFile {
  return { cacheName: `keras-applications/${folder}`, baseUrl: `${KERAS_APPLICATIONS_URL}${folder}/`, fileName, ...(md5 ? { md5 } : {}) };
}

/** VGG16/VGG19/ResNet50: the file with or without the top, and the MD5 Keras's get_file checks it against. */
const pinned = (folder: string, prefix: string, md5Top: string, md5NoTop: string) => (options: ResolvedApplicationOptions): PretrainedWeightsFile =>
  options.includeTop ? weightsFile(folder, `${prefix}_weights_tf_dim_ordering_tf_kernels.h5`, md5Top) : weightsFile(folder, `${prefix}_weights_tf_dim_ordering_tf_kernels_notop.h5`, md5NoTop);

export const APPLICATIONS: Record<ApplicationName, ApplicationSpec> = {
  VGG16: {
    description: 'keras.applications.VGG16: 13 convolutions in 5 blocks (+ 3 dense layers with the top); 14,714,688 params without the top at 224×224.',
    build: vgg16,
    imagenet: pinned('vgg16', 'vgg16', '64373286793e3c8b2b4e3219cbf3544b', '6d6bbae143d832006294945121d1f1fc'),
  },
  VGG19: {
    description: 'keras.applications.VGG19: 16 convolutions in 5 blocks (+ 3 dense layers with the top); 20,024,384 params without the top.',
    build: vgg19,
    imagenet: pinned('vgg19', 'vgg19', 'cbe5617147190e668d6c5d5026f83318', '253f8cb515780f3b799900260a226db6'),
  },
  ResNet50: {
    description: 'keras.applications.ResNet50: 16 bottleneck residual blocks; 23,587,712 params without the top.',
    build: resnet50,
    imagenet: pinned('resnet', 'resnet50', '2cb95161c43110f7111970584f804107', '4d473c1dd8becc155b73f8504c6f6626'),
  },
  MobileNetV2: {
    description: 'keras.applications.MobileNetV2: 17 inverted residual blocks, width multiplier alpha; 2,257,984 params without the top at alpha 1.0.',
    build: mobileNetV2,
    // Keras pins no hash for these files (mobilenet_v2.py calls get_file without file_hash).
    imagenet: (options) =>
      weightsFile(
        'mobilenet_v2',
        `mobilenet_v2_weights_tf_dim_ordering_tf_kernels_${pythonFloat(options.alpha)}_${String(options.rows)}${options.includeTop ? '' : '_no_top'}.h5`,
      ),
  },
};

export const APPLICATION_NAMES = Object.keys(APPLICATIONS) as ApplicationName[];

export function isApplication(className: string): className is ApplicationName {
  return Object.hasOwn(APPLICATIONS, className);
}

/** The resolved options of an expanded application layer (LayerSpec.application), as its config says. */
export function applicationOptions(layer: LayerSpec): ResolvedApplicationOptions | undefined {
  const application = layer.application;
  if (!application || !isApplication(application)) return undefined;
  return resolveApplicationOptions(application, { ...layer.config, name: layer.name }).options;
}

/**
 * Turns an application layer (className VGG16, ResNet50…) into the Keras model it builds, nested as
 * a layer: `model` set, className `Functional` (as Keras's summary shows it), `application` kept,
 * and its name Keras's (`vgg16`, `mobilenetv2_1.00_224`) unless the file names it. Returns the
 * problems with its options, at their ranges; with an error the layer stays unbuilt (unreadable).
 */
export function expandApplication(layer: LayerSpec, fallbackRange: SourceRange): ModelDiagnostic[] {
  const application = layer.className;
  if (!isApplication(application)) return [];
  const { options, problems } = resolveApplicationOptions(application, layer.config);
  const diagnostics = problems.map((problem): ModelDiagnostic => {
    const range = (problem.option && (problem.onKey ? layer.optionKeyRanges?.[problem.option] : layer.optionRanges?.[problem.option])) || layer.typeRange || layer.range || fallbackRange;
    return { severity: problem.severity, code: problem.code, message: problem.message, range, layer: layer.name };
  });
  layer.application = application;
  if (!options) {
    layer.unreadable = true;
    return diagnostics;
  }
  layer.name = options.name;
  layer.className = 'Functional';
  layer.model = APPLICATIONS[application].build(options);
  return diagnostics.map((diagnostic) => ({ ...diagnostic, layer: layer.name }));
}

/** What each application option means, its Keras name, default and the values to propose (the JSON Schema's completion). */
const OPTION_DOCS: Record<string, { description: string; keras: string; default?: unknown; values?: unknown[] }> = {
  includeTop: { description: 'Whether to include the classifier at the top of the network (then the input must be 224×224×3 with ImageNet weights).', keras: 'include_top', default: true, values: [false, true] },
  weights: { description: 'null (random initialization), "imagenet" (downloaded into the cache on first training) or the path of a Keras weights file (.h5, .weights.h5 or .keras), relative to this file.', keras: 'weights', default: 'imagenet', values: ['imagenet', null] },
  inputShape: { description: 'Shape of one input image (height, width, 3), each side at least 32; without the top any size.', keras: 'input_shape', values: [[224, 224, 3], [160, 160, 3], [96, 96, 3]] },
  pooling: { description: 'Without the top: null (4-D output), "avg" (GlobalAveragePooling2D) or "max" (GlobalMaxPooling2D).', keras: 'pooling', values: ['avg', 'max', null] },
  classes: { description: 'Number of classes of the top classifier (1000 with ImageNet weights).', keras: 'classes', default: 1000 },
  classifierActivation: { description: 'Activation of the top classifier: "softmax", or null for the logits (only these with pretrained weights).', keras: 'classifier_activation', default: 'softmax', values: ['softmax', null] },
  alpha: { description: 'Width multiplier: the number of filters of each layer scaled (ImageNet weights for 0.35, 0.5, 0.75, 1.0, 1.3, 1.4).', keras: 'alpha', default: 1.0, values: [0.35, 0.5, 0.75, 1.0, 1.3, 1.4] },
  trainable: { description: 'false freezes every layer of the base (transfer learning); its BatchNormalization layers then run in inference mode.', keras: 'trainable', default: true, values: [false, true] },
  name: { description: "The base's name (default: Keras's, e.g. vgg16 or mobilenetv2_1.00_224).", keras: 'name' },
  path: { description: 'The saved model: a .keras or .h5 file or a tfjs model folder, relative to this file.', keras: 'keras.saving.load_model(path)' },
  inputs: { description: 'Functional models: the layer feeding the base.', keras: 'inputs' },
};

/** JSON Schema variants proposing the applications' options (and the `Model` layer's), in the style of src/model/schema.ts. */
export function applicationSchemaVariants(): Record<string, unknown>[] {
  const variant = (type: string, description: string, options: string[]): Record<string, unknown> => {
    const properties: Record<string, unknown> = { type: { description, suggestSortText: '000 type' } };
    [...options, 'inputs'].forEach((option, index) => {
      const docs = OPTION_DOCS[option];
      properties[option] = {
        description: `${docs.description} Keras: ${docs.keras}.`,
        completionDetail: `Keras: ${docs.keras}`,
        suggestSortText: `${String(index + 1).padStart(3, '0')} ${option}`,
        ...(docs.default === undefined ? {} : { default: docs.default }),
        ...(docs.values ? { defaultSnippets: docs.values.map((value) => ({ label: JSON.stringify(value), body: value })) } : {}),
      };
    });
    return { if: { properties: { type: { enum: [type] } }, required: ['type'] }, then: { properties } };
  };
  const order = ['includeTop', 'weights', 'inputShape', 'trainable', 'pooling', 'classes', 'classifierActivation', 'name'];
  return [
    ...APPLICATION_NAMES.map((name) => variant(name, APPLICATIONS[name].description, name === 'MobileNetV2' ? ['alpha', ...order] : order)),
    variant('Model', 'A saved model used as a layer (keras.saving.load_model): a .keras or .h5 file or a tfjs model folder; its weights are loaded when training.', ['path', 'trainable', 'name']),
  ];
}

// The intermediate representation (IR) every front end produces and every later stage consumes.
// Pure data: no vscode, no tfjs. Shapes include the batch axis first; `null` is Keras's `None`.

import type { SweepSpec } from './sweep';
import type { BackendChoice, LossName, OptimizerName } from './vocabulary';

/** One axis of a tensor shape: a size, or `null` for an unknown size (Keras prints `None`). */
export type Dim = number | null;
/** A full shape including the batch axis, e.g. `[null, 26, 26, 64]`. */
export type Shape = Dim[];

/** Zero-based position in a source file (same convention as the LSP and vscode.Position). */
export interface SourcePosition {
  line: number;
  character: number;
}

export interface SourceRange {
  start: SourcePosition;
  end: SourcePosition;
}

export type ModelFormat = 'json' | 'keras' | 'typescript';

/** One layer as written by the user. Option names are tf.layers args (camelCase, e.g. `kernelSize`). */
export interface LayerSpec {
  /** Unique layer name (generated Keras-style, e.g. `conv2d_1`, when the file gives none). */
  name: string;
  /** Keras class name, e.g. `Conv2D`, `MaxPooling2D`, `InputLayer`. */
  className: string;
  /**
   * `.model.ts` only: the `tf.layers` function called, as written (`avgPool2d`); the layer kind is
   * looked up by it, so a name tfjs does not export is refused even when it spells a class name.
   * Absent for `tf.input`.
   */
  factory?: string;
  /** Options with tf.layers names; values exactly as written (numbers, arrays, strings, booleans). */
  config: Record<string, unknown>;
  /** Names of the layers feeding this one; for a Sequential model, the previous layer (empty for the first). */
  inbound: string[];
  /** Range of the whole layer declaration in the source, when the front end knows it. */
  range?: SourceRange;
  /** Range of each option's value (key: option name), for diagnostics on the exact token. */
  optionRanges?: Record<string, SourceRange>;
  /** Range of each option's key as written (key: option name), for rename quick fixes. */
  optionKeyRanges?: Record<string, SourceRange>;
  /** Range of the layer type as written, without quotes (`Conv2D` in JSON, `conv2d` in `tf.layers.conv2d`). */
  typeRange?: SourceRange;
  /** Where a new layer can be inserted just before this one, for quick fixes (absent: no insertion offered). */
  insertion?: LayerInsertionPoint;
  /**
   * The front end could not read this entry as a layer (not an object, no type) and has reported
   * why. It keeps its place, so that the layers after it are not chained to the one before it;
   * its output is unknown, so the layers it feeds get no shapes, but their own checks still run.
   */
  unreadable?: true;
  /**
   * `.model.ts` run by the evaluator: a layer CNN Lab has no rule for, whose result the module
   * itself gave: a model used as a layer (its own summary), or a `tf.layers.Layer` subclass (its
   * computeOutputShape and addWeight calls). Summarized as given, without option checks.
   */
  computed?: ComputedLayer;
  /**
   * A model used as a layer (Keras `Functional`/`Sequential`/`Model` in a model's layers, e.g. a
   * pretrained base called as `base(x)`): its own IR, in its own namespace of layer names,
   * summarized recursively. Its row shows the model's output shape and its params.
   */
  model?: ModelIR;
  /**
   * A keras.applications base written in a model file (`"type": "VGG16"`, ResNet50, MobileNetV2…;
   * see src/model/applications): the constructor it stands for. Its `model` is the one Keras builds,
   * its options (`weights`, `includeTop`, `alpha`…) stay in `config` for the trainer, which loads its weights.
   */
  application?: string;
}

export interface ComputedLayer {
  outputShape: Shape;
  trainableParams: number;
  nonTrainableParams: number;
  flops: number;
  explanation: string[];
}

/**
 * A place in the source where a layer can be inserted, and the syntax to write it in.
 * `json`: an element of our JSON `layers` array; `typescript-array`: an element of
 * `tf.sequential({layers: [...]})`; `typescript-add`: a `receiver.add(...)` statement.
 */
export interface LayerInsertionPoint {
  position: SourcePosition;
  syntax: 'json' | 'typescript-array' | 'typescript-add';
  /** Indentation of the line the new layer goes on. */
  indent: string;
  /** The model variable for `typescript-add` (`model` in `model.add(...)`). */
  receiver?: string;
}

/** Where an input shape option can be inserted when the model declares none (just after an opening brace). */
export interface InputShapeInsertionPoint {
  position: SourcePosition;
  syntax: 'json' | 'typescript';
  /** The new property goes on its own line with this indentation; absent: on the brace's line (one-line objects stay one line). */
  indent?: string;
  /** The file's line break (`\n` or `\r\n`), used with `indent`. */
  lineBreak?: string;
}

export type { LossName, OptimizerName } from './vocabulary';

/** The optional `training` block of a model file: dataset and hyperparameters (tfjs names, Keras names accepted on input). */
export interface TrainingConfig {
  /** `shapes`, `mnist`, `fashion-mnist`, `cifar10` or `folder:PATH`. */
  dataset?: string;
  epochs?: number;
  batchSize?: number;
  optimizer?: OptimizerName | { name: OptimizerName; learningRate?: number; momentum?: number; nesterov?: boolean };
  learningRate?: number;
  loss?: LossName;
  /** Loss computed on logits rather than probabilities (Keras `from_logits=True`). */
  fromLogits?: boolean;
  metrics?: string[];
  validationSplit?: number;
  shuffle?: boolean;
  seed?: number;
  /** Grayscale images for `folder:` datasets; image size comes from the model's input shape. */
  grayscale?: boolean;
  earlyStopping?: { monitor?: string; patience?: number; minDelta?: number; restoreBestWeights?: boolean };
  reduceLROnPlateau?: { monitor?: string; factor?: number; patience?: number; minLR?: number };
  checkpoint?: { monitor?: string; saveBestOnly?: boolean };
  augmentation?: { horizontalFlip?: boolean; rotationRange?: number; widthShiftRange?: number; heightShiftRange?: number; zoomRange?: number };
  backend?: BackendChoice;
}

export interface ModelIR {
  name: string;
  format: ModelFormat;
  /** `sequential`: each layer feeds the next; `functional`: `inbound` gives the graph. */
  topology: 'sequential' | 'functional';
  /** In topological order. An `InputLayer` is explicit for functional models and for Sequential models that declare one. */
  layers: LayerSpec[];
  /** Names of the model's input layers and output layers. */
  inputs: string[];
  outputs: string[];
  training?: TrainingConfig;
  /** The `sweep` block of a `*.model.json` file (src/model/sweep.ts); other formats have none. */
  sweep?: SweepSpec;
  /** Range of the model declaration (where the model-level CodeLens goes). */
  range?: SourceRange;
  /** Where a missing input shape can be added, for the quick fix. */
  inputShapeInsertion?: InputShapeInsertionPoint;
  /**
   * The front end stopped before the end of the model (code the static reader cannot follow, with
   * a warning saying so): `layers` holds only those before that point, so checks of the model as a
   * whole (that it has layers, how it ends) do not apply.
   */
  incomplete?: boolean;
}

export type DiagnosticSeverity = 'error' | 'warning' | 'info';

export type DiagnosticCode =
  | 'parse-error'
  | 'non-positive-dimension'
  | 'wrong-rank'
  | 'shape-mismatch'
  | 'unknown-layer'
  | 'unknown-option'
  | 'bad-option-value'
  | 'missing-input-shape'
  | 'not-a-model'
  | 'unresolved-expression'
  /** The static `*.model.ts` reader stopped following a value that would cost too much to read (hostile or runaway code). */
  | 'analysis-budget';

/** A machine-applicable fix the editor can offer as a quick fix. */
export interface QuickFix {
  title: string;
  edits: { range: SourceRange; newText: string }[];
}

export interface ModelDiagnostic {
  severity: DiagnosticSeverity;
  code: DiagnosticCode;
  /** Keras-style wording: what is wrong, what was expected, "Received: …". */
  message: string;
  range: SourceRange;
  layer?: string;
  fixes?: QuickFix[];
  /**
   * A syntax error of the file's language, which VS Code's own JSON or TypeScript service also
   * reports in the editor (see editorDiagnostics in ./presentation); the CLI prints it.
   */
  syntax?: 'json' | 'typescript';
}

export interface LayerSummary {
  name: string;
  className: string;
  /** Output shape with the batch axis, e.g. `[null, 26, 26, 64]`. */
  outputShape: Shape;
  params: number;
  trainableParams: number;
  nonTrainableParams: number;
  /** Multiply-adds counted as 2 FLOPs, for one example (batch size 1). */
  flops: number;
  /** Number of elements in one example's output activation. */
  activationSize: number;
  inbound: string[];
  range?: SourceRange;
  /** Lines explaining the arithmetic in the user's numbers, e.g. `(28 + 2·0 − 3) / 1 + 1 = 26`. */
  explanation: string[];
  /** A model used as a layer (LayerSpec.model): its own rows, as Keras's `summary(expand_nested=True)` shows them. */
  nested?: LayerSummary[];
}

export interface ModelSummary {
  name: string;
  topology: 'sequential' | 'functional';
  /** Every layer up to the first error; layers after an error are absent. */
  layers: LayerSummary[];
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
  flops: number;
  /** Bytes for the weights as float32. */
  weightBytes: number;
  diagnostics: ModelDiagnostic[];
}

/** What the editor and CLI need from one file: the IR when it could be read, the summary, every diagnostic. */
export interface ModelAnalysis {
  format?: ModelFormat;
  ir?: ModelIR;
  summary?: ModelSummary;
  diagnostics: ModelDiagnostic[];
}

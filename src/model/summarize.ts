// IR → summary: checks every layer's type and options against the catalog, walks the graph in
// order applying the layer rules, and turns rule problems into diagnostics at the exact
// source range with quick fixes in the front end's syntax. Reports every independent error in
// one pass: each layer's type, option names, option values and name are checked whatever happened
// before it; a layer whose input shape cannot be known (it follows an error) gets no summary and
// no shape checks, since any shape problem found there would be a consequence, not a new error.

import { APPLICATION_NAMES } from './applications';
import { allClassNames, allFactoryNames, kerasOnlyOptions, layerKindByClassName, layerKindByFactory, layerKindLike, nearestName, optionsOf, type LayerKind } from './catalog';
import { applyLayerRule, type LayerProblem } from './layers';
import { describeValue, expectedForValue } from './options';
import { formatShape } from './shape';
import type {
  ComputedLayer,
  DiagnosticCode,
  DiagnosticSeverity,
  LayerSpec,
  LayerSummary,
  ModelDiagnostic,
  ModelIR,
  ModelSummary,
  QuickFix,
  Shape,
  SourceRange,
} from './types';
import { ACTIVATIONS, builtInDataset } from './vocabulary';

const FILE_START: SourceRange = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** Where a layer's input comes from: a shape the user wrote (which a fix may edit) or another layer. */
interface InputSource {
  shapes: Shape[];
  /** The layer whose `inputShape`/`batchInputShape` option gave the shape, when the input is the model input. */
  declaredBy?: LayerSpec;
}

/** How a model nested in another as a layer (LayerSpec.model) is summarized. */
interface NestedContext {
  /** Shapes the calling model feeds its inputs, in the order of `ir.inputs`; used where an input declares none. */
  given?: Shape[];
  /** The given shapes replace the declared ones: the model as called, rather than as built on its own inputs. */
  givenWins?: boolean;
  /** The model, or one it is nested in, has `trainable: false`, which in Keras freezes every layer inside it. */
  frozen?: boolean;
}

class Summarizer {
  readonly diagnostics: ModelDiagnostic[] = [];
  readonly layers: LayerSummary[] = [];
  private readonly outputs = new Map<string, Shape>();
  private readonly declaringLayer = new Map<string, LayerSpec>();
  private readonly seenNames = new Map<string, LayerSpec>();

  /** Names of the layers walked so far, for telling "not defined before" from "defined, but without a known shape". */
  private readonly defined = new Set<string>();

  constructor(
    private readonly ir: ModelIR,
    private readonly context: NestedContext = {},
  ) {}

  run(): void {
    if (this.ir.layers.length === 0) {
      // A model whose first layer the reader could not follow already has its warning saying so.
      if (this.ir.incomplete) return;
      this.report('error', 'not-a-model', 'The model has no layers. Add at least one layer to `layers`.', this.ir.range ?? FILE_START);
      return;
    }
    let previous: LayerSpec | undefined;
    for (const layer of this.ir.layers) {
      this.summarizeLayer(layer, previous);
      this.defined.add(layer.name);
      previous = layer;
    }
    // About the model as a whole: only meaningful when every layer was summarized.
    if (!this.diagnostics.some((diagnostic) => diagnostic.severity === 'error')) this.checkClassifierIsFlat();
  }

  private report(severity: DiagnosticSeverity, code: DiagnosticCode, message: string, range: SourceRange, layer?: string, fixes?: QuickFix[]): void {
    const diagnostic: ModelDiagnostic = { severity, code, message, range };
    if (layer !== undefined) diagnostic.layer = layer;
    if (fixes && fixes.length > 0) diagnostic.fixes = fixes;
    this.diagnostics.push(diagnostic);
  }

  private rangeOf(layer: LayerSpec, option?: string): SourceRange {
    return (option && layer.optionRanges?.[option]) || layer.typeRange || layer.range || this.ir.range || FILE_START;
  }

  /**
   * Checks one layer and, when its input shapes are known and it has no error, records its output
   * shape and summary. A layer left without an output leaves the layers it feeds without a shape.
   */
  private summarizeLayer(layer: LayerSpec, previous: LayerSpec | undefined): void {
    // An entry the front end could not read as a layer has its diagnostic already.
    if (layer.unreadable) return;
    const layerKind = layer.computed || layer.model ? undefined : this.kindOf(layer);
    const options = layerKind ? this.checkOptions(layer, layerKind) : undefined;
    const duplicate = this.seenNames.has(layer.name);
    if (duplicate) {
      // Which of the two layers a later reference means is unknown: neither name gives a shape now.
      this.outputs.delete(layer.name);
      this.report('error', 'bad-option-value', `All layer names should be unique. The name "${layer.name}" is used more than once. Rename this layer.`, this.rangeOf(layer, 'name'), layer.name);
    } else {
      this.seenNames.set(layer.name, layer);
    }
    if (layer.computed && !duplicate) this.addComputed(layer, layer.computed, previous);
    if (layer.model && !duplicate) this.addNested(layer, layer.model, previous);
    if (!layerKind || !options || duplicate) return;
    const source = this.inputOf(layer, layerKind, previous);
    if (!source) return;
    const outcome = applyLayerRule({ layerName: layer.name, className: layerKind.className, options, inputs: source.shapes });
    if (!outcome.ok) {
      this.reportProblem(layer, outcome.problem, source);
      return;
    }
    const result = outcome.result;
    this.outputs.set(layer.name, result.outputShape);
    if (source.declaredBy && layerKind.className === 'InputLayer') this.declaringLayer.set(layer.name, source.declaredBy);
    const hiddenInput = layerKind.className === 'InputLayer' && this.ir.topology === 'sequential';
    if (hiddenInput) return;
    const params = result.trainableParams + result.nonTrainableParams;
    const frozen = options.trainable === false || this.context.frozen === true;
    const summary: LayerSummary = {
      name: layer.name,
      className: layerKind.className,
      outputShape: result.outputShape,
      params,
      trainableParams: frozen ? 0 : result.trainableParams,
      nonTrainableParams: frozen ? params : result.nonTrainableParams,
      flops: result.flops,
      activationSize: activationSizeOf(result.outputShape),
      inbound: [...layer.inbound],
      explanation: result.explanation,
    };
    if (layer.range) summary.range = layer.range;
    this.layers.push(summary);
  }

  /** A layer whose result the front end gives (see LayerSpec.computed), once its inputs are known. */
  private addComputed(layer: LayerSpec, computed: ComputedLayer, previous: LayerSpec | undefined): void {
    const inbound = this.ir.topology === 'sequential' ? (previous ? [previous.name] : []) : layer.inbound;
    if (!inbound.every((name) => this.outputs.has(name))) return;
    this.outputs.set(layer.name, computed.outputShape);
    const summary: LayerSummary = {
      name: layer.name,
      className: layer.className,
      outputShape: computed.outputShape,
      params: computed.trainableParams + computed.nonTrainableParams,
      trainableParams: computed.trainableParams,
      nonTrainableParams: computed.nonTrainableParams,
      flops: computed.flops,
      activationSize: activationSizeOf(computed.outputShape),
      inbound: [...layer.inbound],
      explanation: computed.explanation,
    };
    if (layer.range) summary.range = layer.range;
    this.layers.push(summary);
  }

  /**
   * A model used as a layer (LayerSpec.model), summarized on its own and shown as one row: its
   * output shape and params, with its rows under `nested`. Its diagnostics name the layer inside it.
   */
  private addNested(layer: LayerSpec, model: ModelIR, previous: LayerSpec | undefined): void {
    const inbound = this.inboundOf(layer, previous);
    // Called on nothing (the first layer of a Sequential model), it starts from its own inputs.
    const given = inbound.length > 0 ? this.shapesOf(layer, inbound) : [];
    if (!given || !this.checkNestedCall(layer, model, given)) return;
    const frozen = this.context.frozen === true || layer.config.trainable === false;
    const own = this.runNested(layer, model, { given, frozen }, true);
    if (!own) return;
    // Keras shows the nested rows as the model was built on its own inputs, and its row as called
    // here: they differ where the model declares an axis None that the caller knows.
    const called = shapesAsCalled(model, given);
    const outer = called ? this.runNested(layer, model, { given: called, givenWins: true, frozen }, false) : own;
    if (!outer) return;
    const outputShape = outer.outputs.get(model.outputs[0]);
    if (!outputShape) {
      this.report('error', 'not-a-model', `The model "${layer.name}" gives its output from "${model.outputs[0]}", which is not one of its layers. Received: output_layers=${describeValue(model.outputs)}.`, this.rangeOf(layer), layer.name);
      return;
    }
    this.outputs.set(layer.name, outputShape);
    this.layers.push(nestedRow(layer, outputShape, own.layers, outer.layers, frozen));
  }

  /** Keras's checks of a model called on tensors: one tensor per input, each of a shape it accepts, and one output (all CNN Lab follows). */
  private checkNestedCall(layer: LayerSpec, model: ModelIR, given: Shape[]): boolean {
    if (model.outputs.length !== 1) {
      this.report('error', 'not-a-model', `CNN Lab reads a nested model with one output; "${layer.name}" has ${model.outputs.length}. Received: output_layers=${describeValue(model.outputs)}.`, this.rangeOf(layer), layer.name);
      return false;
    }
    if (given.length === 0) return true;
    if (given.length !== model.inputs.length) {
      this.report('error', 'shape-mismatch', `Layer "${layer.name}" expects ${model.inputs.length} input(s), but it received ${given.length} input tensors. Received: inputs=${describeValue(layer.inbound)}.`, this.rangeOf(layer, 'inputs'), layer.name);
      return false;
    }
    return given.every((shape, index) => {
      const expected = declaredInputOf(model, index);
      if (!expected || compatibleShapes(expected, shape)) return true;
      this.report(
        'error',
        'shape-mismatch',
        `Input ${index} of layer "${layer.name}" is incompatible with the layer: expected shape=${formatShape(expected)}, found shape=${formatShape(shape)}.`,
        this.rangeOf(layer, 'inputs'),
        layer.name,
      );
      return false;
    });
  }

  /**
   * Summarizes a nested model; its diagnostics (all of them, or with `allDiagnostics` false only its
   * errors, which a second run on other shapes may add) join this model's, naming `outer/inner`.
   * Undefined when it has an error.
   */
  private runNested(layer: LayerSpec, model: ModelIR, context: NestedContext, allDiagnostics: boolean): Summarizer | undefined {
    const inner = new Summarizer(model, context);
    inner.run();
    for (const diagnostic of inner.diagnostics) {
      if (allDiagnostics || diagnostic.severity === 'error') this.diagnostics.push({ ...diagnostic, layer: diagnostic.layer === undefined ? layer.name : `${layer.name}/${diagnostic.layer}` });
    }
    return inner.diagnostics.some((diagnostic) => diagnostic.severity === 'error') ? undefined : inner;
  }

  private kindOf(layer: LayerSpec): LayerKind | undefined {
    // In TypeScript the kind comes from the tf.layers function called, and only from the ones tfjs
    // exports: `tf.layers.spatialDropout2d` or `tf.layers.Dense` would fail when the code runs.
    const factory = this.ir.format === 'typescript' ? layer.factory : undefined;
    const known = factory !== undefined ? layerKindByFactory(factory) : layerKindByClassName(layer.className);
    if (known) return known;
    const typescript = factory !== undefined;
    const asWritten = factory ?? layer.className;
    const sameKind = typescript ? layerKindLike(asWritten) : undefined;
    // A model file also takes the keras.applications bases and saved models (src/model/applications).
    const suggestion = sameKind?.factory ?? nearestName(asWritten, typescript ? allFactoryNames() : [...allClassNames(), ...APPLICATION_NAMES, 'Model']);
    const range = layer.typeRange ?? this.rangeOf(layer);
    if (sameKind && sameKind.factory === undefined) {
      this.report(
        'error',
        'unknown-layer',
        `tf.layers.${asWritten} is not a function in tfjs: tfjs has no ${sameKind.className} layer. Use it in a *.model.json file (CNN Lab's trainer supplies it), or use another layer here.`,
        range,
        layer.name,
      );
      return undefined;
    }
    const didYouMean = suggestion ? ` Did you mean '${suggestion}'?` : '';
    const written = typescript ? `tf.layers.${asWritten}` : layer.className;
    const fixes: QuickFix[] = suggestion && layer.typeRange ? [{ title: `Change to '${suggestion}'`, edits: [{ range: layer.typeRange, newText: suggestion }] }] : [];
    this.report(
      'error',
      'unknown-layer',
      `Unknown layer: '${written}'.${didYouMean} Supported layers: ${typescript ? allFactoryNames().join(', ') : [...new Set(allClassNames().map((name) => layerKindByClassName(name)?.className))].join(', ')}.` +
        (typescript ? '' : ` Pretrained bases: ${APPLICATION_NAMES.join(', ')}, and Model (a saved model).`),
      range,
      layer.name,
      fixes,
    );
    return undefined;
  }

  /** The options with defaults filled in, or undefined after reporting what is wrong with them. */
  private checkOptions(layer: LayerSpec, layerKind: LayerKind): Record<string, unknown> | undefined {
    // A `.model.ts` file takes only the options tfjs's layer has (not Conv2DTranspose's outputPadding).
    const accepted = optionsOf(layerKind, this.ir.format);
    let valid = true;
    for (const [key, value] of Object.entries(layer.config)) {
      // Own options only: `constructor` or `toString` must not be found on Object.prototype.
      const spec = Object.hasOwn(accepted, key) ? accepted[key] : undefined;
      if (!spec) {
        valid = false;
        const suggestion = nearestName(key, Object.keys(accepted));
        const kerasOnly = kerasOnlyOptions(layerKind).includes(key);
        const keyRange = layer.optionKeyRanges?.[key];
        const fixes: QuickFix[] = suggestion && keyRange ? [{ title: `Rename to '${suggestion}'`, edits: [{ range: keyRange, newText: suggestion }] }] : [];
        this.report(
          'error',
          'unknown-option',
          `Unrecognized keyword argument passed to ${layerKind.className}: '${key}'.${suggestion ? ` Did you mean '${suggestion}'?` : ''} ` +
            (kerasOnly ? `tf.layers.${layerKind.factory ?? ''} has no ${key}, a Keras option: write the model as *.model.json or Keras JSON to use it. ` : '') +
            `Accepted options: ${Object.keys(layerKind.options).filter((name) => name in accepted).join(', ') || 'none besides the common ones'}; common: ${Object.keys(accepted).filter((name) => !(name in layerKind.options)).join(', ')}.`,
          keyRange ?? this.rangeOf(layer, key),
          layer.name,
          fixes,
        );
        continue;
      }
      const expected = expectedForValue(spec.kind, value);
      if (expected) {
        valid = false;
        const fixes: QuickFix[] = [];
        const valueRange = layer.optionRanges?.[key];
        if (spec.kind === 'activation' && typeof value === 'string' && valueRange) {
          const suggestion = nearestName(value, ACTIVATIONS);
          if (suggestion) fixes.push({ title: `Change to "${suggestion}"`, edits: [{ range: valueRange, newText: JSON.stringify(suggestion) }] });
        }
        const channelsFirst = spec.kind === 'dataFormat' && value === 'channelsFirst';
        this.report(
          'error',
          'bad-option-value',
          channelsFirst
            ? `Layer "${layer.name}" (${layerKind.className}) uses dataFormat "channelsFirst", which CNN Lab does not support: expected "channelsLast" (height, width, channels). Received: dataFormat=${describeValue(value)}. Reorder the input to channels-last and remove the option.`
            : `Invalid value for \`${key}\` of ${layerKind.className} "${layer.name}": expected ${expected}. Received: ${key}=${describeValue(value)}.`,
          this.rangeOf(layer, key),
          layer.name,
          fixes,
        );
      }
    }
    for (const [key, spec] of Object.entries(layerKind.options)) {
      if (spec.required && !(key in layer.config)) {
        valid = false;
        this.report(
          'error',
          'bad-option-value',
          `${layerKind.className} is missing the required option \`${key}\` (${spec.description}). Received: no ${key}. Add \`${key}\` to layer "${layer.name}".`,
          layer.typeRange ?? this.rangeOf(layer),
          layer.name,
        );
      }
    }
    if (!valid) return undefined;
    const resolved: Record<string, unknown> = {};
    for (const [key, spec] of Object.entries(accepted)) resolved[key] = key in layer.config ? layer.config[key] : spec.default;
    return resolved;
  }

  /** The shape a model input starts from: the one it declares, or the one the calling model gives (see NestedContext). */
  private startShape(layer: LayerSpec): InputSource | undefined {
    const declared = declaredShape(layer);
    const index = this.ir.inputs.indexOf(layer.name);
    const given = index >= 0 ? this.context.given?.[index] : undefined;
    if (given && (this.context.givenWins === true || !declared)) return { shapes: [given] };
    return declared ? { shapes: [declared], declaredBy: layer } : undefined;
  }

  private inboundOf(layer: LayerSpec, previous: LayerSpec | undefined): string[] {
    return this.ir.topology === 'sequential' ? (previous ? [previous.name] : []) : layer.inbound;
  }

  private inputOf(layer: LayerSpec, layerKind: LayerKind, previous: LayerSpec | undefined): InputSource | undefined {
    if (layerKind.className === 'InputLayer') {
      const start = this.startShape(layer);
      if (start) return start;
      this.missingInputShape(layer, `InputLayer "${layer.name}" needs \`inputShape\` (e.g. [28, 28, 1]) or \`batchInputShape\`.`);
      return undefined;
    }
    const inbound = this.inboundOf(layer, previous);
    if (inbound.length === 0) {
      const start = this.startShape(layer);
      if (start) return start;
      this.missingInputShape(
        layer,
        this.ir.topology === 'sequential'
          ? 'The first layer in a Sequential model must get an `inputShape` or `batchInputShape` argument, so the model cannot be built and no shapes can be computed.'
          : `Layer "${layer.name}" has no inputs: give it \`inputs\` or start the model with an InputLayer.`,
      );
      return undefined;
    }
    const shapes = this.shapesOf(layer, inbound);
    if (!shapes) return undefined;
    const declaredBy = inbound.length === 1 ? this.declaringLayer.get(inbound[0]) : undefined;
    return declaredBy ? { shapes, declaredBy } : { shapes };
  }

  /** The output shapes of the layers feeding this one; undefined when one is unknown (reported if it is no layer). */
  private shapesOf(layer: LayerSpec, inbound: string[]): Shape[] | undefined {
    const shapes: Shape[] = [];
    for (const name of inbound) {
      const shape = this.outputs.get(name);
      // A layer that exists but has no known output (it has an error, or follows one): this layer's
      // input is unknown, which is no new problem.
      if (!shape && this.defined.has(name)) return undefined;
      if (!shape) {
        const known = [...this.outputs.keys()];
        const suggestion = nearestName(name, known);
        this.report(
          'error',
          'bad-option-value',
          `Layer "${layer.name}" takes its input from "${name}", which is not a layer defined before it.${suggestion ? ` Did you mean "${suggestion}"?` : ''} Received: inputs=${describeValue(layer.inbound)}.`,
          this.rangeOf(layer, 'inputs'),
          layer.name,
        );
        return undefined;
      }
      shapes.push(shape);
    }
    return shapes;
  }

  private missingInputShape(layer: LayerSpec, problem: string): void {
    const dataset = this.ir.training?.dataset;
    const suggested = dataset ? builtInDataset(dataset)?.inputShape : undefined;
    const insertion = this.ir.inputShapeInsertion;
    const fixes: QuickFix[] = [];
    if (suggested && insertion) {
      const shapeText = `[${suggested.join(', ')}]`;
      const property = insertion.syntax === 'json' ? `"inputShape": ${shapeText},` : `inputShape: ${shapeText},`;
      const newText = insertion.indent === undefined ? ` ${property}` : `${insertion.lineBreak ?? '\n'}${insertion.indent}${property}`;
      fixes.push({
        title: `Add inputShape ${shapeText} (${dataset})`,
        edits: [{ range: { start: insertion.position, end: insertion.position }, newText }],
      });
    }
    const hint = suggested ? ` The training dataset ${dataset} has examples of shape ${shapeList(suggested)}.` : ' Add e.g. `"inputShape": [28, 28, 1]` for 28×28 grayscale images.';
    this.report('error', 'missing-input-shape', `${problem}${hint}`, layer.typeRange ?? this.rangeOf(layer), layer.name, fixes);
  }

  private reportProblem(layer: LayerSpec, problem: LayerProblem, source: InputSource): void {
    const fixes: QuickFix[] = [];
    if (problem.fix?.kind === 'add-channel-axis' && source.declaredBy) {
      const declaring = source.declaredBy;
      const batch = Array.isArray(declaring.config.batchInputShape);
      const key = batch ? 'batchInputShape' : 'inputShape';
      const range = declaring.optionRanges?.[key];
      const written = declaring.config[key];
      if (range && Array.isArray(written)) {
        const newText = `[${[...written, 1].map((dim) => (dim === null ? 'null' : String(dim))).join(', ')}]`;
        fixes.push({ title: `Add a channel axis: ${key} ${newText}`, edits: [{ range, newText }] });
      }
    }
    const range = problem.option === 'inputs' && !layer.optionRanges?.inputs ? layer.typeRange ?? this.rangeOf(layer) : this.rangeOf(layer, problem.option);
    this.report(problem.severity ?? 'error', problem.code, problem.message, range, layer.name, fixes);
  }

  /**
   * A Sequential classifier whose Dense layers see a 4-D input outputs one prediction per pixel
   * rather than per example. Keras accepts that (Dense works on the last axis), so this is a
   * warning, given only when the model ends in a softmax over a rank > 2 output.
   */
  private checkClassifierIsFlat(): void {
    if (this.ir.topology !== 'sequential' || this.layers.length === 0 || this.ir.incomplete) return;
    const last = this.layers[this.layers.length - 1];
    const lastSpec = this.ir.layers[this.ir.layers.length - 1];
    const endsInSoftmax = lastSpec.config.activation === 'softmax' || last.className === 'Softmax';
    if (!endsInSoftmax || last.outputShape.length <= 2) return;
    const firstDense = this.ir.layers.findIndex((spec) => spec.className === 'Dense');
    if (firstDense < 0) return;
    const spec = this.ir.layers[firstDense];
    const inputShape = firstDense === 0 ? declaredShape(spec) : this.outputs.get(this.ir.layers[firstDense - 1].name);
    if (!inputShape || inputShape.length <= 2) return;
    const fixes: QuickFix[] = [];
    if (spec.insertion) {
      const { position, syntax, indent, receiver } = spec.insertion;
      const text =
        syntax === 'json'
          ? `{ "type": "Flatten" },\n${indent}`
          : syntax === 'typescript-array'
            ? `tf.layers.flatten(),\n${indent}`
            : `${receiver ?? 'model'}.add(tf.layers.flatten());\n${indent}`;
      fixes.push({ title: 'Insert a Flatten layer before this Dense layer', edits: [{ range: { start: position, end: position }, newText: text }] });
    }
    this.report(
      'warning',
      'wrong-rank',
      `Dense layer "${spec.name}" is applied to the last axis of a ${inputShape.length}-D input ${formatShape(inputShape)}, so the model outputs ${formatShape(last.outputShape)}: ` +
        `one prediction per position instead of one per example. Expected a flat input (batch, features) before a softmax classifier: insert Flatten (or GlobalAveragePooling2D) before "${spec.name}".`,
      spec.typeRange ?? this.rangeOf(spec),
      spec.name,
      fixes,
    );
  }
}

const shapeList = (dims: readonly number[]): string => `[${dims.join(', ')}]`;

const activationSizeOf = (shape: Shape): number => shape.slice(1).reduce<number>((product, dim) => product * (dim ?? 0), 1);

/** The input shape a layer declares (`batchInputShape`, or `inputShape` with `batchSize`), batch axis first. */
function declaredShape(layer: LayerSpec): Shape | undefined {
  const batchShape = layer.config.batchInputShape;
  if (Array.isArray(batchShape)) return batchShape as Shape;
  const inputShape = layer.config.inputShape;
  if (Array.isArray(inputShape)) {
    const batchSize = typeof layer.config.batchSize === 'number' ? layer.config.batchSize : null;
    return [batchSize, ...(inputShape as Shape)];
  }
  return undefined;
}

/** The shape a nested model's input declares (its InputLayer, or the first layer of a Sequential model), if any. */
function declaredInputOf(model: ModelIR, index: number): Shape | undefined {
  const spec = model.layers.find((candidate) => candidate.name === model.inputs[index]);
  return spec ? declaredShape(spec) : undefined;
}

/** Keras's InputSpec check: same rank, and equal sizes wherever both are known. */
function compatibleShapes(expected: Shape, found: Shape): boolean {
  return expected.length === found.length && expected.every((dim, axis) => dim === null || found[axis] === null || dim === found[axis]);
}

const sameShape = (a: Shape, b: Shape): boolean => a.length === b.length && a.every((dim, axis) => dim === b[axis]);

/**
 * The shapes a nested model's inputs take when called on `given` (compatible ones), when they know
 * an axis that its declared inputs leave None; undefined when it runs on its own inputs' shapes.
 */
function shapesAsCalled(model: ModelIR, given: Shape[]): Shape[] | undefined {
  const merged = given.map((shape, index) => {
    const declared = declaredInputOf(model, index);
    return declared ? shape.map((dim, axis) => dim ?? declared[axis]) : shape;
  });
  return merged.every((shape, index) => sameShape(shape, declaredInputOf(model, index) ?? shape)) ? undefined : merged;
}

/** Params of a list of rows, as Keras totals them. */
function paramTotals(layers: LayerSummary[]): { trainableParams: number; nonTrainableParams: number; flops: number } {
  return {
    trainableParams: layers.reduce((sum, layer) => sum + layer.trainableParams, 0),
    nonTrainableParams: layers.reduce((sum, layer) => sum + layer.nonTrainableParams, 0),
    flops: layers.reduce((sum, layer) => sum + layer.flops, 0),
  };
}

/** A nested model's row: its rows as built (`own`), its output and FLOPs as called (`called`). */
function nestedRow(layer: LayerSpec, outputShape: Shape, own: LayerSummary[], called: LayerSummary[], frozen: boolean): LayerSummary {
  const { trainableParams, nonTrainableParams } = paramTotals(own);
  const summary: LayerSummary = {
    name: layer.name,
    className: layer.className,
    outputShape,
    params: trainableParams + nonTrainableParams,
    trainableParams,
    nonTrainableParams,
    flops: paramTotals(called).flops,
    activationSize: activationSizeOf(outputShape),
    inbound: [...layer.inbound],
    explanation: [`${layer.className} model "${layer.name}" used as a layer: the output and params of its ${own.length} layers${frozen ? ', all frozen (trainable: false)' : ''}`],
    nested: own,
  };
  if (layer.range) summary.range = layer.range;
  return summary;
}

/** Summarizes every layer up to the first error; never throws on a well-typed IR. */
export function summarizeModel(ir: ModelIR): ModelSummary {
  const summarizer = new Summarizer(ir);
  summarizer.run();
  const layers = summarizer.layers;
  const { trainableParams, nonTrainableParams, flops } = paramTotals(layers);
  const totalParams = trainableParams + nonTrainableParams;
  return {
    name: ir.name,
    topology: ir.topology,
    layers,
    totalParams,
    trainableParams,
    nonTrainableParams,
    flops,
    weightBytes: totalParams * 4,
    diagnostics: summarizer.diagnostics,
  };
}

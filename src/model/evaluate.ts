// The evaluator for `*.model.ts` code the static reader cannot follow (loops, helper functions):
// transpile the module to CommonJS, run it in a worker thread against a shape-only stand-in of
// tf.layers (./evaluateWorker), terminate the worker at the time limit, and turn what it recorded
// into the IR, with each layer placed on the source line that made it. Running user code is only
// for trusted workspaces: the editor asks `shouldEvaluate` (./presentation) first.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type * as TS from 'typescript';
import { LayerNamer, layerKindByFactory, rewriteInputDim } from './catalog';
import { loadTypeScript } from './compiler';
import { defaultName } from './frontends/json';
import { LineMap } from './source';
import { summarizeModel } from './summarize';
import { readTraining } from './training';
import type { LayerSpec, ModelAnalysis, ModelDiagnostic, ModelIR, SourcePosition, SourceRange } from './types';
import type { GeneratedPosition, RecordedLayer, RecordedModel, WorkerInput, WorkerResult } from './evaluateWorker';

export interface EvaluateOptions {
  /** Wall-clock limit for loading and running the module; the worker is terminated after it. */
  timeoutMs: number;
  /** The built worker script; by default `evaluateWorker.js` next to this bundle. */
  workerScript?: string;
}

/** Heap limits for the module: a runaway allocation ends the worker, not the extension host. */
const workerLimits = { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 };

/** Evaluates a `*.model.ts` module and summarizes the model it exports. Never throws. */
export async function evaluateTypeScriptModel(fileName: string, source: string, options: EvaluateOptions): Promise<ModelAnalysis> {
  const ts = loadTypeScript();
  const lines = new LineMap(source);
  const sourceFile = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const fallbackRange = defaultExportRange(ts, sourceFile, lines);
  const failed = (message: string, range: SourceRange = fallbackRange): ModelAnalysis => ({
    format: 'typescript',
    diagnostics: [{ severity: 'error', code: 'parse-error', message, range }],
  });
  const output = ts.transpileModule(source, {
    fileName,
    reportDiagnostics: true,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: true },
  });
  const syntaxErrors = (output.diagnostics ?? []).filter((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error);
  if (syntaxErrors.length > 0) {
    return {
      format: 'typescript',
      diagnostics: syntaxErrors.map((diagnostic) => ({
        severity: 'error',
        code: 'parse-error',
        message: `TypeScript syntax error: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`,
        range: diagnostic.start === undefined ? fallbackRange : lines.range(diagnostic.start, diagnostic.start + Math.max(diagnostic.length ?? 1, 1)),
      })),
    };
  }
  const sourceMap = new SourceMapLookup(output.sourceMapText ?? '');
  const toOriginal = (position: GeneratedPosition | undefined): SourcePosition | undefined =>
    position ? sourceMap.original(position.line - 1, position.column - 1) : undefined;

  const outcome = await runWorker({ code: output.outputText, fileName }, options);
  if (outcome.kind === 'timeout') {
    return failed(`Running the model module took longer than ${options.timeoutMs} ms, so it was stopped and no shapes are shown. Look for a loop that never ends.`);
  }
  if (outcome.kind === 'crash') return failed(`Running the model module failed: ${outcome.message}`);
  const result = outcome.result;
  if (result.kind === 'error') {
    const position = toOriginal(result.site);
    const range = position ? restOfLine(source, lines, position) : fallbackRange;
    return failed(`Running the model module failed: ${result.message}`, range);
  }

  const locate: Locate = (position) => {
    const original = toOriginal(position);
    return original ? innermostCall(ts, sourceFile, offsetOf(source, original)) : undefined;
  };
  const builder = new IrBuilder(ts, sourceFile, lines, locate);
  builder.nameLayers(result.model);
  const ir = builder.model(result.model, result.model.name ?? defaultName(fileName));
  const diagnostics: ModelDiagnostic[] = [...builder.diagnostics];
  if (result.training !== undefined) {
    const read = readTraining(result.training);
    if (read.training) ir.training = read.training;
    const range = trainingRange(ts, sourceFile, lines) ?? fallbackRange;
    for (const problem of read.problems) diagnostics.push({ severity: problem.severity, code: problem.key ? 'bad-option-value' : 'unknown-option', message: problem.message, range });
  }
  const summary = summarizeModel(ir);
  return { format: 'typescript', ir, summary, diagnostics: [...diagnostics, ...summary.diagnostics] };
}

type WorkerOutcome = { kind: 'done'; result: WorkerResult } | { kind: 'timeout' } | { kind: 'crash'; message: string };

function defaultWorkerScript(): string {
  const script = join(__dirname, 'evaluateWorker.js');
  if (!existsSync(script)) throw new Error(`the evaluator's worker script is missing: ${script}`);
  return script;
}

function runWorker(input: WorkerInput, options: EvaluateOptions): Promise<WorkerOutcome> {
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(options.workerScript ?? defaultWorkerScript(), { workerData: input, resourceLimits: workerLimits, stdout: true, stderr: true });
    } catch (error) {
      resolve({ kind: 'crash', message: error instanceof Error ? error.message : String(error) });
      return;
    }
    let settled = false;
    const settle = (outcome: WorkerOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(outcome);
    };
    const timer = setTimeout(() => settle({ kind: 'timeout' }), options.timeoutMs);
    worker.once('message', (result: WorkerResult) => settle({ kind: 'done', result }));
    worker.once('error', (error: Error & { code?: string }) =>
      settle({ kind: 'crash', message: error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `it used more than ${workerLimits.maxOldGenerationSizeMb} MB of memory.` : error.message }),
    );
    worker.once('exit', (code) => settle({ kind: 'crash', message: `the module ended the evaluation (exit code ${code}) before exporting a model.` }));
  });
}

/** Where a layer was made, located in the source: the call (or `new`) that made it. */
type Locate = (position: GeneratedPosition | undefined) => TS.CallExpression | TS.NewExpression | undefined;

/**
 * Turns what the worker recorded into the IR. Layers are named as Keras names them, in the order
 * they were made, across nested models too; a nested model becomes one layer whose result is its
 * own summary, and a custom layer one whose result is its computeOutputShape and weights.
 */
class IrBuilder {
  readonly diagnostics: ModelDiagnostic[] = [];
  private readonly names = new Map<number, string>();

  constructor(
    private readonly ts: typeof TS,
    private readonly sourceFile: TS.SourceFile,
    private readonly lines: LineMap,
    private readonly locate: Locate,
  ) {}

  private range(node: TS.Node): SourceRange {
    return this.lines.range(node.getStart(this.sourceFile), node.getEnd());
  }

  /** Keras names a layer when it is made: generated names count up in creation order, skipping the names written. */
  nameLayers(model: RecordedModel): void {
    const all: RecordedLayer[] = [];
    const collect = (recorded: RecordedModel): void => {
      for (const layer of recorded.layers) {
        all.push(layer);
        if (layer.nested) collect(layer.nested);
      }
    };
    collect(model);
    const namer = new LayerNamer();
    for (const layer of all) if (typeof layer.config.name === 'string') namer.reserve(layer.config.name);
    for (const layer of all.sort((a, b) => a.id - b.id)) {
      const written = layer.config.name;
      this.names.set(layer.id, typeof written === 'string' && written.length > 0 ? written : namer.next(namingClass(layer)));
    }
  }

  model(model: RecordedModel, name: string): ModelIR {
    const names = (ids: number[]): string[] => ids.map((id) => this.names.get(id) ?? '');
    const layers = model.layers.map((recorded, index): LayerSpec => {
      const inbound = model.topology === 'sequential' ? names(index > 0 ? [model.layers[index - 1].id] : []) : names(recorded.inbound);
      // `model.trainable = false` freezes every layer of the model, as tfjs's container does.
      const frozenByModel = model.trainable === false && recorded.factory !== 'InputLayer';
      return this.layer(frozenByModel ? { ...recorded, config: { ...recorded.config, trainable: false } } : recorded, inbound);
    });
    const ir: ModelIR = {
      name,
      format: 'typescript',
      topology: model.topology,
      layers,
      inputs: model.topology === 'sequential' ? layers.slice(0, 1).map((layer) => layer.name) : names(model.inputs),
      outputs: model.topology === 'sequential' ? layers.slice(-1).map((layer) => layer.name) : names(model.outputs),
    };
    const modelCall = this.locate(model.site);
    if (modelCall) ir.range = this.range(modelCall);
    return ir;
  }

  private layer(recorded: RecordedLayer, inbound: string[]): LayerSpec {
    const layer: LayerSpec = { name: this.names.get(recorded.id) ?? '', className: rowClass(recorded), config: recorded.config, inbound };
    if (recorded.factory !== undefined && recorded.factory !== 'InputLayer') layer.factory = recorded.factory;
    this.placeLayer(layer, recorded);
    if (recorded.nested) this.nestedResult(layer, recorded.nested);
    else if (recorded.custom) this.customResult(layer, recorded.custom);
    const inputDimRange = layer.optionRanges?.inputDim ?? layer.typeRange;
    const inputDimProblem = rewriteInputDim(layer);
    if (inputDimProblem) {
      this.diagnostics.push({ severity: 'error', code: 'bad-option-value', message: inputDimProblem, range: inputDimRange ?? this.lines.range(0, 0), layer: layer.name });
      layer.unreadable = true;
    }
    return layer;
  }

  /** Puts the layer on the call that made it, with the ranges of its options for diagnostics and fixes. */
  private placeLayer(layer: LayerSpec, recorded: RecordedLayer): void {
    const ts = this.ts;
    const call = this.locate(recorded.site);
    if (!call) return;
    layer.range = this.range(call);
    layer.typeRange = this.range(ts.isPropertyAccessExpression(call.expression) ? call.expression.name : call.expression);
    const options = call.arguments?.[0];
    if (!options || !ts.isObjectLiteralExpression(options)) return;
    const optionRanges: Record<string, SourceRange> = {};
    const optionKeyRanges: Record<string, SourceRange> = {};
    const renames: Record<string, string> = layer.className === 'InputLayer' ? { shape: 'inputShape', batchShape: 'batchInputShape' } : {};
    for (const member of options.properties) {
      if (!(ts.isPropertyAssignment(member) || ts.isShorthandPropertyAssignment(member))) continue;
      if (!(ts.isIdentifier(member.name) || ts.isStringLiteral(member.name))) continue;
      const key = renames[member.name.text] ?? member.name.text;
      optionKeyRanges[key] = this.range(member.name);
      optionRanges[key] = this.range(ts.isPropertyAssignment(member) ? member.initializer : member.name);
    }
    layer.optionRanges = optionRanges;
    layer.optionKeyRanges = optionKeyRanges;
  }

  /** A model used as a layer: one row with its output shape and its params, as Keras shows it. */
  private nestedResult(layer: LayerSpec, nested: RecordedModel): void {
    const summary = summarizeModel(this.model(nested, layer.name));
    this.diagnostics.push(...summary.diagnostics);
    const output = summary.layers[summary.layers.length - 1];
    if (!output || summary.diagnostics.some((diagnostic) => diagnostic.severity === 'error')) {
      // Its own diagnostics say what is wrong inside it.
      layer.unreadable = true;
      return;
    }
    const frozen = layer.config.trainable === false;
    layer.computed = {
      outputShape: output.outputShape,
      trainableParams: frozen ? 0 : summary.trainableParams,
      nonTrainableParams: frozen ? summary.totalParams : summary.nonTrainableParams,
      flops: summary.flops,
      explanation: [`${layer.className} model "${layer.name}" used as a layer: the output and params of its ${summary.layers.length} layers`],
    };
  }

  /** A tf.layers.Layer subclass: its own computeOutputShape, and the weights its addWeight calls made. */
  private customResult(layer: LayerSpec, custom: NonNullable<RecordedLayer['custom']>): void {
    if (!custom.outputShape) {
      // Its input has no known shape: an earlier layer has an error, which says why.
      layer.unreadable = true;
      return;
    }
    const frozen = layer.config.trainable === false;
    const size = (shape: number[]): number => shape.reduce((product, dim) => product * dim, 1);
    const trainable = custom.weights.filter((weight) => weight.trainable && !frozen);
    const total = custom.weights.reduce((sum, weight) => sum + size(weight.shape), 0);
    const trainableParams = trainable.reduce((sum, weight) => sum + size(weight.shape), 0);
    const weights = custom.weights.map((weight) => `${weight.name} [${weight.shape.join(', ')}] = ${size(weight.shape)}${weight.trainable && !frozen ? '' : ' (non-trainable)'}`);
    layer.computed = {
      outputShape: custom.outputShape,
      trainableParams,
      nonTrainableParams: total - trainableParams,
      flops: 0,
      explanation: [
        `custom layer ${custom.className}: output shape from its computeOutputShape, params from its addWeight calls (FLOPs not counted)`,
        ...(weights.length > 0 ? weights : ['no weights']),
      ],
    };
  }
}

/** What Keras names a layer after: its class, `model` for a functional model. */
function namingClass(layer: RecordedLayer): string {
  if (layer.nested) return layer.nested.topology === 'sequential' ? 'Sequential' : 'Model';
  return rowClass(layer);
}

/** The class a layer's row shows: Keras's class name, Functional for a functional model. */
function rowClass(layer: RecordedLayer): string {
  if (layer.nested) return layer.nested.topology === 'sequential' ? 'Sequential' : 'Functional';
  if (layer.custom) return layer.custom.className;
  if (layer.factory === undefined || layer.factory === 'InputLayer') return 'InputLayer';
  return layerKindByFactory(layer.factory)?.className ?? layer.factory;
}

/** The smallest call or `new` around an offset: a layer's `tf.layers.x({...})` or `new MyLayer(...)`, whichever of its tokens V8 pointed at. */
function innermostCall(ts: typeof TS, sourceFile: TS.SourceFile, offset: number): TS.CallExpression | TS.NewExpression | undefined {
  let found: TS.CallExpression | TS.NewExpression | undefined;
  const visit = (node: TS.Node): void => {
    if (offset < node.getStart(sourceFile) || offset >= node.getEnd()) return;
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) found = node;
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
}

function defaultExportRange(ts: typeof TS, sourceFile: TS.SourceFile, lines: LineMap): SourceRange {
  for (const statement of sourceFile.statements) {
    const exportsDefault =
      ts.isExportAssignment(statement) ||
      ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) &&
        (statement.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.DefaultKeyword) ?? false));
    if (exportsDefault) {
      const start = statement.getStart(sourceFile);
      const firstLineEnd = sourceFile.text.indexOf('\n', start);
      return lines.range(start, firstLineEnd < 0 ? statement.getEnd() : Math.min(firstLineEnd, statement.getEnd()));
    }
  }
  return lines.range(0, 0);
}

function trainingRange(ts: typeof TS, sourceFile: TS.SourceFile, lines: LineMap): SourceRange | undefined {
  for (const statement of sourceFile.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (ts.isIdentifier(declaration.name) && declaration.name.text === 'training' && declaration.initializer) {
        return lines.range(declaration.initializer.getStart(sourceFile), declaration.initializer.getEnd());
      }
    }
  }
  return undefined;
}

function offsetOf(text: string, position: SourcePosition): number {
  let offset = 0;
  for (let line = 0; line < position.line; line += 1) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return offset + position.character;
}

/** From a position to the end of its line, without trailing blanks: where a throw is reported. */
function restOfLine(text: string, lines: LineMap, position: SourcePosition): SourceRange {
  const start = offsetOf(text, position);
  const lineEnd = text.indexOf('\n', start);
  const end = start + text.slice(start, lineEnd < 0 ? text.length : lineEnd).trimEnd().length;
  return lines.range(start, Math.max(end, start));
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * Generated → original positions from a version 3 source map with one source (what
 * `transpileModule` writes). Each generated line holds segments of base64 VLQ fields:
 * generated column, source index, original line, original column (each relative to the last).
 */
export class SourceMapLookup {
  private readonly lines: { column: number; line: number; character: number }[][] = [];

  constructor(sourceMapText: string) {
    let mappings = '';
    try {
      const parsed = JSON.parse(sourceMapText) as { mappings?: unknown };
      if (typeof parsed.mappings === 'string') mappings = parsed.mappings;
    } catch {
      return;
    }
    let line = 0;
    let character = 0;
    for (const generatedLine of mappings.split(';')) {
      const segments: { column: number; line: number; character: number }[] = [];
      let column = 0;
      for (const segment of generatedLine.split(',')) {
        if (segment.length === 0) continue;
        const fields = decodeVlq(segment);
        column += fields[0];
        if (fields.length < 4) continue;
        line += fields[2];
        character += fields[3];
        segments.push({ column, line, character });
      }
      this.lines.push(segments);
    }
  }

  /** The original position of a zero-based generated line and column: the nearest mapped segment at or before it. */
  original(line: number, column: number): SourcePosition | undefined {
    const segments = this.lines[line];
    if (!segments || segments.length === 0) return undefined;
    let best = segments[0];
    for (const segment of segments) {
      if (segment.column > column) break;
      best = segment;
    }
    return { line: best.line, character: best.character };
  }
}

function decodeVlq(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const character of segment) {
    const digit = BASE64.indexOf(character);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}

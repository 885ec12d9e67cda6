// Front end for `*.model.ts`, read (never run) with the TypeScript compiler API. Understands
// `tf.sequential({layers: [...]})`, `model.add(tf.layers.x({...}))`, and functional
// `tf.input` / `.apply(...)` / `tf.model({inputs, outputs})`, with option values that are
// literals, `const`s and arithmetic on them. Anything else gives an `unresolved-expression`
// warning and the model is summarized only up to that layer, rather than guessed.

import type * as TS from 'typescript';
import { loadTypeScript } from '../compiler';
import { LayerNamer, layerKindByFactory } from '../catalog';
import { LineMap } from '../source';
import { readTraining } from '../training';
import type { LayerSpec, ModelDiagnostic, ModelIR, SourceRange } from '../types';
import { defaultName, type FrontEndResult } from './json';

// Bound by parseTypeScriptModel before anything here runs, so the compiler loads only once a
// `.model.ts` file is actually read (see ../compiler).
let ts: typeof TS;

type Value = number | string | boolean | null | Value[] | { [key: string]: Value };
const UNRESOLVED = Symbol('unresolved');
type Resolved = Value | typeof UNRESOLVED;

class Unresolved {
  constructor(readonly node: TS.Node, readonly what: string) {}
}

interface ModelBuild {
  topology: 'sequential' | 'functional';
  name?: string;
  layers: LayerSpec[];
  outputs: string[];
  range: SourceRange;
  configStart?: number;
}

class TypeScriptReader {
  readonly diagnostics: ModelDiagnostic[] = [];
  private readonly lines: LineMap;
  private readonly constants = new Map<string, TS.Expression>();
  /** Variables holding symbolic tensors → the layer that produced them. */
  private readonly tensors = new Map<string, string>();
  private readonly models = new Map<string, ModelBuild>();
  private readonly namer = new LayerNamer();
  private tfNames = new Set<string>(['tf']);
  private allLayers: LayerSpec[] = [];
  private stopped = false;
  defaultExport?: ModelBuild;
  lastModel?: ModelBuild;
  trainingNode?: TS.Expression;

  constructor(private readonly text: string, private readonly source: TS.SourceFile) {
    this.lines = new LineMap(text);
  }

  private range(node: TS.Node): SourceRange {
    return this.lines.range(node.getStart(this.source), node.getEnd());
  }

  private unresolved(node: TS.Node, what: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.diagnostics.push({
      severity: 'warning',
      code: 'unresolved-expression',
      message: `CNN Lab cannot work out ${what} from \`${node.getText(this.source).slice(0, 60)}\` without running the code, so shapes stop here. Use literal values or consts (loops and helper functions need the trusted-workspace evaluator).`,
      range: this.range(node),
    });
  }

  read(): void {
    for (const statement of this.source.statements) this.statement(statement);
  }

  private statement(statement: TS.Statement): void {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) this.tfNames.add(bindings.name.text);
      if (clause?.name) this.tfNames.add(clause.name.text);
      return;
    }
    if (ts.isVariableStatement(statement)) {
      const exported = statement.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword) ?? false;
      for (const declaration of statement.declarationList.declarations) this.declaration(declaration, exported);
      return;
    }
    if (ts.isExpressionStatement(statement)) {
      this.expressionStatement(statement);
      return;
    }
    if (ts.isExportAssignment(statement)) {
      const model = this.modelExpression(unwrap(statement.expression));
      if (model) this.defaultExport = model;
      return;
    }
    if (ts.isFunctionDeclaration(statement) && statement.body) {
      for (const inner of statement.body.statements) this.statement(inner);
      return;
    }
    if (ts.isReturnStatement(statement) && statement.expression) {
      const model = this.modelExpression(unwrap(statement.expression));
      if (model && !this.defaultExport) this.defaultExport = model;
      return;
    }
    // A loop, a branch or a helper call that touches the model may add layers: skipping it would
    // give shapes for a model that is not the one the code builds.
    if (!this.stopped && this.mentionsModelOrTensor(statement)) this.unresolved(statement, 'what this statement does to the model');
  }

  private mentionsModelOrTensor(node: TS.Node): boolean {
    if (ts.isIdentifier(node)) return this.models.has(node.text) || this.tensors.has(node.text);
    return ts.forEachChild(node, (child) => this.mentionsModelOrTensor(child) || undefined) ?? false;
  }

  private declaration(declaration: TS.VariableDeclaration, exported: boolean): void {
    if (!ts.isIdentifier(declaration.name) || !declaration.initializer) return;
    const name = declaration.name.text;
    const initializer = unwrap(declaration.initializer);
    if (exported && name === 'training') {
      this.trainingNode = initializer;
      return;
    }
    const model = this.modelExpression(initializer);
    if (model) {
      this.models.set(name, model);
      return;
    }
    const tensor = this.tensorExpression(initializer);
    if (tensor !== undefined) {
      this.tensors.set(name, tensor);
      return;
    }
    this.constants.set(name, initializer);
  }

  private expressionStatement(statement: TS.ExpressionStatement): void {
    const call = unwrap(statement.expression);
    if (!ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression) || !ts.isIdentifier(call.expression.expression)) {
      // `convBlock(model, 64)` and the like: a helper may add layers to the model.
      if (!this.stopped && this.mentionsModelOrTensor(call)) this.unresolved(call, 'what this call does to the model');
      return;
    }
    const receiver = call.expression.expression;
    // `model.compile(...)`, `model.summary()` and other methods leave the layers alone.
    if (call.expression.name.text !== 'add') {
      if (!this.models.has(receiver.text) && !this.stopped && call.arguments.some((argument) => this.mentionsModelOrTensor(argument))) {
        this.unresolved(call, 'what this call does to the model');
      }
      return;
    }
    const model = this.models.get(receiver.text);
    if (!model || this.stopped) return;
    const argument = call.arguments[0];
    const layer = argument ? this.layerCall(unwrap(argument), model.layers) : undefined;
    if (!layer) {
      if (argument && !this.stopped) this.unresolved(argument, 'the layer');
      return;
    }
    const start = statement.getStart(this.source);
    layer.insertion = { position: this.lines.position(start), syntax: 'typescript-add', indent: this.lines.indentAt(this.text, start), receiver: receiver.text };
    model.layers.push(layer);
  }

  private isTf(node: TS.Expression): boolean {
    return ts.isIdentifier(node) && this.tfNames.has(node.text);
  }

  /** `tf.sequential(...)` or `tf.model(...)`. */
  private modelExpression(node: TS.Expression): ModelBuild | undefined {
    if (ts.isIdentifier(node)) return this.models.get(node.text);
    if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression) || !this.isTf(node.expression.expression)) return undefined;
    const factory = node.expression.name.text;
    if (factory !== 'sequential' && factory !== 'model') return undefined;
    const configNode = node.arguments[0] ? unwrap(node.arguments[0]) : undefined;
    const config = configNode && ts.isObjectLiteralExpression(configNode) ? configNode : undefined;
    const build: ModelBuild = { topology: factory === 'sequential' ? 'sequential' : 'functional', layers: [], outputs: [], range: this.range(node) };
    if (config) build.configStart = config.getStart(this.source) + 1;
    const nameValue = config ? this.propertyValue(config, 'name') : undefined;
    if (typeof nameValue === 'string') build.name = nameValue;
    if (factory === 'sequential') {
      const layersNode = config ? propertyNode(config, 'layers') : undefined;
      if (layersNode) {
        const list = unwrap(layersNode);
        if (!ts.isArrayLiteralExpression(list)) this.unresolved(layersNode, 'the list of layers');
        else {
          for (const element of list.elements) {
            if (this.stopped) break;
            const layer = this.layerCall(unwrap(element), build.layers);
            if (!layer) {
              this.unresolved(element, 'the layer');
              break;
            }
            const start = element.getStart(this.source);
            layer.insertion = { position: this.lines.position(start), syntax: 'typescript-array', indent: this.lines.indentAt(this.text, start) };
            build.layers.push(layer);
          }
        }
      }
    } else {
      build.layers = this.allLayers;
      const outputs = config ? propertyNode(config, 'outputs') : undefined;
      if (outputs) build.outputs = this.tensorList(unwrap(outputs));
    }
    this.lastModel = build;
    return build;
  }

  private tensorList(node: TS.Expression): string[] {
    const items = ts.isArrayLiteralExpression(node) ? node.elements.map(unwrap) : [node];
    return items.map((item) => this.tensorExpression(item)).filter((name): name is string => name !== undefined);
  }

  /** A symbolic tensor: `tf.input({...})`, `layer.apply(x)`, or a variable holding one. Returns the producing layer's name. */
  private tensorExpression(node: TS.Expression): string | undefined {
    if (ts.isIdentifier(node)) return this.tensors.get(node.text);
    if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return undefined;
    const callee = node.expression;
    if (this.isTf(callee.expression) && callee.name.text === 'input') {
      if (this.stopped) return undefined;
      const layer = this.inputCall(node);
      if (!layer) return undefined;
      this.allLayers.push(layer);
      return layer.name;
    }
    if (callee.name.text !== 'apply') return undefined;
    const layerNode = unwrap(callee.expression);
    if (this.stopped) return undefined;
    const inboundNode = node.arguments[0] ? unwrap(node.arguments[0]) : undefined;
    const inbound = inboundNode ? this.tensorList(inboundNode) : [];
    const layer = this.layerCall(layerNode, this.allLayers);
    if (!layer) {
      this.unresolved(layerNode, 'the layer');
      return undefined;
    }
    if (!inboundNode || inbound.length === 0) {
      this.unresolved(inboundNode ?? node, 'the input of this layer');
      return undefined;
    }
    layer.inbound = inbound;
    if (inboundNode) layer.optionRanges = { ...layer.optionRanges, inputs: this.range(inboundNode) };
    this.allLayers.push(layer);
    return layer.name;
  }

  private inputCall(node: TS.CallExpression): LayerSpec | undefined {
    const configNode = node.arguments[0] ? unwrap(node.arguments[0]) : undefined;
    const layer: LayerSpec = { name: '', className: 'InputLayer', config: {}, inbound: [], range: this.range(node), typeRange: this.range(node.expression) };
    if (configNode && ts.isObjectLiteralExpression(configNode)) {
      if (!this.readOptions(configNode, layer, { shape: 'inputShape', batchShape: 'batchInputShape' })) return undefined;
    }
    layer.name = typeof layer.config.name === 'string' ? layer.config.name : this.namer.next('InputLayer');
    return layer;
  }

  /** `tf.layers.conv2d({...})` → a layer (without `inbound` for functional use). */
  private layerCall(node: TS.Expression, previous: LayerSpec[]): LayerSpec | undefined {
    if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return undefined;
    const layersAccess = node.expression.expression;
    if (!ts.isPropertyAccessExpression(layersAccess) || layersAccess.name.text !== 'layers' || !this.isTf(layersAccess.expression)) return undefined;
    const factoryNode = node.expression.name;
    const factory = factoryNode.text;
    const className = layerKindByFactory(factory)?.className ?? factory;
    const layer: LayerSpec = {
      name: '',
      className,
      config: {},
      inbound: previous.length > 0 ? [previous[previous.length - 1].name] : [],
      range: this.range(node),
      typeRange: this.range(factoryNode),
    };
    const configNode = node.arguments[0] ? unwrap(node.arguments[0]) : undefined;
    if (configNode) {
      if (!ts.isObjectLiteralExpression(configNode)) {
        this.unresolved(configNode, 'the layer options');
        return undefined;
      }
      if (!this.readOptions(configNode, layer, {})) return undefined;
    }
    layer.name = typeof layer.config.name === 'string' ? layer.config.name : this.namer.next(className);
    return layer;
  }

  private readOptions(config: TS.ObjectLiteralExpression, layer: LayerSpec, renames: Record<string, string>): boolean {
    const optionRanges: Record<string, SourceRange> = {};
    const optionKeyRanges: Record<string, SourceRange> = {};
    for (const member of config.properties) {
      if (!ts.isPropertyAssignment(member) && !ts.isShorthandPropertyAssignment(member)) {
        this.unresolved(member, 'this option');
        return false;
      }
      const key = propertyName(member.name);
      if (key === undefined) {
        this.unresolved(member.name, 'the option name');
        return false;
      }
      const option = renames[key] ?? key;
      const valueNode = ts.isPropertyAssignment(member) ? member.initializer : member.name;
      const value = this.evaluate(valueNode);
      if (value === UNRESOLVED) return false;
      layer.config[option] = value;
      optionRanges[option] = this.range(valueNode);
      optionKeyRanges[option] = this.range(member.name);
    }
    layer.optionRanges = optionRanges;
    layer.optionKeyRanges = optionKeyRanges;
    return true;
  }

  private propertyValue(config: TS.ObjectLiteralExpression, key: string): Resolved | undefined {
    const node = propertyNode(config, key);
    return node ? this.evaluate(node) : undefined;
  }

  /** Evaluates a literal-ish expression, reporting `unresolved-expression` when it cannot. */
  evaluate(node: TS.Expression): Resolved {
    try {
      return this.evaluateOrThrow(node, new Set());
    } catch (problem) {
      if (problem instanceof Unresolved) {
        this.unresolved(problem.node, problem.what);
        return UNRESOLVED;
      }
      throw problem;
    }
  }

  private evaluateOrThrow(node: TS.Expression, visiting: Set<string>): Value {
    const expression = unwrap(node);
    if (ts.isNumericLiteral(expression)) return Number(expression.text);
    if (ts.isStringLiteral(expression) || ts.isNoSubstitutionTemplateLiteral(expression)) return expression.text;
    if (expression.kind === ts.SyntaxKind.TrueKeyword) return true;
    if (expression.kind === ts.SyntaxKind.FalseKeyword) return false;
    if (expression.kind === ts.SyntaxKind.NullKeyword) return null;
    if (ts.isIdentifier(expression)) {
      if (expression.text === 'undefined') return null;
      const definition = this.constants.get(expression.text);
      if (!definition || visiting.has(expression.text)) throw new Unresolved(expression, `the value of \`${expression.text}\``);
      visiting.add(expression.text);
      const value = this.evaluateOrThrow(definition, visiting);
      visiting.delete(expression.text);
      return value;
    }
    if (ts.isArrayLiteralExpression(expression)) return expression.elements.map((element) => this.evaluateOrThrow(element, visiting));
    if (ts.isObjectLiteralExpression(expression)) {
      const object: { [key: string]: Value } = {};
      for (const member of expression.properties) {
        if (ts.isPropertyAssignment(member)) {
          const key = propertyName(member.name);
          if (key === undefined) throw new Unresolved(member.name, 'the option name');
          object[key] = this.evaluateOrThrow(member.initializer, visiting);
        } else if (ts.isShorthandPropertyAssignment(member)) {
          object[member.name.text] = this.evaluateOrThrow(member.name, visiting);
        } else {
          throw new Unresolved(member, 'this property');
        }
      }
      return object;
    }
    if (ts.isPrefixUnaryExpression(expression)) {
      const operand = this.evaluateOrThrow(expression.operand, visiting);
      if (typeof operand === 'number' && expression.operator === ts.SyntaxKind.MinusToken) return -operand;
      if (typeof operand === 'number' && expression.operator === ts.SyntaxKind.PlusToken) return operand;
      throw new Unresolved(expression, 'this expression');
    }
    if (ts.isBinaryExpression(expression)) {
      const left = this.evaluateOrThrow(expression.left, visiting);
      const right = this.evaluateOrThrow(expression.right, visiting);
      if (typeof left === 'number' && typeof right === 'number') {
        switch (expression.operatorToken.kind) {
          case ts.SyntaxKind.PlusToken:
            return left + right;
          case ts.SyntaxKind.MinusToken:
            return left - right;
          case ts.SyntaxKind.AsteriskToken:
            return left * right;
          case ts.SyntaxKind.SlashToken:
            return left / right;
          case ts.SyntaxKind.PercentToken:
            return left % right;
          case ts.SyntaxKind.AsteriskAsteriskToken:
            return left ** right;
        }
      }
      if (typeof left === 'string' && typeof right === 'string' && expression.operatorToken.kind === ts.SyntaxKind.PlusToken) return left + right;
      throw new Unresolved(expression, 'this expression');
    }
    throw new Unresolved(expression, 'this value');
  }

  chosenModel(): ModelBuild | undefined {
    return this.defaultExport ?? this.lastModel;
  }

  trainingValue(): Resolved | undefined {
    return this.trainingNode ? this.evaluate(this.trainingNode) : undefined;
  }
}

/** Strips parentheses, `as` casts, `!` and `satisfies`, which do not change a value. */
function unwrap(node: TS.Expression): TS.Expression {
  let current = node;
  for (;;) {
    if (ts.isParenthesizedExpression(current) || ts.isAsExpression(current) || ts.isNonNullExpression(current) || ts.isSatisfiesExpression(current) || ts.isTypeAssertionExpression(current)) {
      current = current.expression;
    } else {
      return current;
    }
  }
}

function propertyName(name: TS.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  return undefined;
}

function propertyNode(config: TS.ObjectLiteralExpression, key: string): TS.Expression | undefined {
  for (const member of config.properties) {
    if (ts.isPropertyAssignment(member) && propertyName(member.name) === key) return member.initializer;
    if (ts.isShorthandPropertyAssignment(member) && member.name.text === key) return member.name;
  }
  return undefined;
}

export function parseTypeScriptModel(text: string, fileName: string): FrontEndResult {
  ts = loadTypeScript();
  const lines = new LineMap(text);
  try {
    return readTypeScriptModel(text, fileName, lines);
  } catch (error) {
    // The compiler and the evaluator recurse on nesting; pathological nesting exhausts the stack.
    if (!(error instanceof RangeError)) throw error;
    return {
      diagnostics: [
        {
          severity: 'error',
          code: 'parse-error',
          message: 'The file is nested too deeply to be read (expressions inside expressions thousands of levels deep). Flatten the nesting.',
          range: lines.range(0, 0),
        },
      ],
    };
  }
}

function readTypeScriptModel(text: string, fileName: string, lines: LineMap): FrontEndResult {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const reader = new TypeScriptReader(text, source);
  const diagnostics: ModelDiagnostic[] = [];
  // Syntax errors come from the parser itself; there is no type checking here.
  for (const diagnostic of (source as unknown as { parseDiagnostics?: TS.DiagnosticWithLocation[] }).parseDiagnostics ?? []) {
    diagnostics.push({
      severity: 'error',
      code: 'parse-error',
      message: `TypeScript syntax error: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`,
      range: lines.range(diagnostic.start, diagnostic.start + Math.max(diagnostic.length, 1)),
    });
  }
  reader.read();
  diagnostics.push(...reader.diagnostics);
  const model = reader.chosenModel();
  if (!model) {
    if (!reader.diagnostics.some((diagnostic) => diagnostic.code === 'unresolved-expression')) {
      diagnostics.push({
        severity: 'error',
        code: 'not-a-model',
        message: 'No model found: expected tf.sequential({layers: [...]}), model.add(tf.layers...) or tf.model({inputs, outputs}) in this file.',
        range: lines.range(0, 0),
      });
    }
    return { diagnostics };
  }
  const ir: ModelIR = {
    name: model.name ?? defaultName(fileName),
    format: 'typescript',
    topology: model.topology,
    layers: model.layers,
    inputs: model.layers.filter((layer) => layer.className === 'InputLayer').map((layer) => layer.name),
    outputs: model.outputs.length > 0 ? model.outputs : model.layers.slice(-1).map((layer) => layer.name),
    range: model.range,
  };
  if (model.topology === 'sequential') {
    ir.inputs = model.layers.slice(0, 1).map((layer) => layer.name);
    const first = model.layers[0];
    const firstConfigStart = first?.range ? firstConfigOffset(text, first) : undefined;
    if (firstConfigStart !== undefined) ir.inputShapeInsertion = { position: lines.position(firstConfigStart), syntax: 'typescript' };
  }
  const training = reader.trainingValue();
  if (training !== undefined && training !== UNRESOLVED) {
    const read = readTraining(training);
    if (read.training) ir.training = read.training;
    const trainingNode = reader.trainingNode;
    const range = trainingNode ? lines.range(trainingNode.getStart(source), trainingNode.getEnd()) : lines.range(0, 0);
    for (const problem of read.problems) diagnostics.push({ severity: problem.severity, code: problem.key ? 'bad-option-value' : 'unknown-option', message: problem.message, range });
  }
  return { ir, diagnostics };
}

/** Just after the `{` of the first layer's options, where an inputShape can be inserted. */
function firstConfigOffset(text: string, layer: LayerSpec): number | undefined {
  const range = layer.range;
  if (!range) return undefined;
  const lineStarts = text.split('\n').slice(0, range.start.line).reduce((offset, line) => offset + line.length + 1, 0);
  const start = lineStarts + range.start.character;
  const brace = text.indexOf('{', start);
  const close = text.indexOf(')', start);
  if (brace < 0 || (close >= 0 && close < brace)) return undefined;
  return brace + 1;
}

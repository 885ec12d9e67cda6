// Front end for `*.model.ts`, read (never run) with the TypeScript compiler API. Understands
// `tf.sequential({layers: [...]})`, `model.add(tf.layers.x({...}))`, and functional
// `tf.input` / `.apply(...)` / `tf.model({inputs, outputs})`, with option values that are
// literals, `const`s and arithmetic on them. Anything else gives an `unresolved-expression`
// warning and the model is summarized only up to that layer, rather than guessed. Freezing is
// followed where it stands: `trainable: false` among a layer's options, and `x.trainable = false`
// on a layer variable (`const conv = tf.layers.conv2d({...})`), on `model.layers[i]`, on
// `model.getLayer('name')` or on the model itself; a freeze in a loop, a branch or a helper is
// a warning, since it changes which params are trainable.
//
// This reader runs on the extension host's only thread, in untrusted workspaces too, on files
// that may come from anywhere; so it must stay cheap whatever the text. Each const is evaluated
// once (memoised), every step and every value produced counts against a budget proportional to
// the file's length (plus a time limit as a backstop), values are capped in size and nesting, and
// evaluation is capped in depth. When a limit is hit the reader stops following that value with an
// `analysis-budget` warning on the line, the way it does for code it cannot follow.

import type * as TS from 'typescript';
import { loadTypeScript } from '../compiler';
import { LayerNamer, layerKindByFactory, rewriteInputDim } from '../catalog';
import { tfjsLayerOrder } from '../graphOrder';
import { firstPropertyIndent, lineBreakOf, LineMap, tooDeeplyNested } from '../source';
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

/** What the static reader may spend on one file; see the comment at the top. */
export const READER_LIMITS = {
  /** Evaluation steps (one per expression node read, plus the size of every string joined and every value handed out)… */
  baseSteps: 100_000,
  /** …and this many more per character of source, so a bigger file gets proportionally more. */
  stepsPerChar: 20,
  /** Wall-clock backstop for evaluation, whatever the step count says. */
  baseMs: 150,
  msPerKiloChar: 1,
  /** Expression nesting followed, counting each const gone through. */
  maxDepth: 500,
  /** Brackets inside one another; the compiler's parser itself overflows the stack near 1,000. */
  maxBracketNesting: 256,
  /** Elements, properties and characters in one value. */
  maxValueSize: 50_000,
  /** Nesting of arrays and objects in one value. */
  maxValueNesting: 64,
};

type BudgetReason = 'work' | 'size' | 'nesting' | 'depth';

/** Thrown when evaluating `node` went past one of READER_LIMITS. */
class BudgetSpent {
  constructor(readonly node: TS.Node, readonly reason: BudgetReason) {}
}

/** Size (elements, properties, characters) and nesting of a value. */
interface Measure {
  size: number;
  nesting: number;
}

/** A deep copy: values are shared inside the reader (a const used twice is one object) and copied on the way out. */
function copyValue(value: Value): Value {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(copyValue);
  const copy: { [key: string]: Value } = {};
  for (const [key, item] of Object.entries(value)) copy[key] = copyValue(item);
  return copy;
}

const IN_PROGRESS = Symbol('in progress');

type FunctionLike = TS.FunctionDeclaration | TS.ArrowFunction | TS.FunctionExpression;
/** Builder functions calling builder functions, followed this deep. */
const MAX_CALL_DEPTH = 16;

interface ModelBuild {
  topology: 'sequential' | 'functional';
  name?: string;
  layers: LayerSpec[];
  outputs: string[];
  range: SourceRange;
  configStart?: number;
  /** `model.trainable = …` as last set: false freezes every layer, whatever its own flag (as tfjs's container does). */
  trainable?: boolean;
}

class TypeScriptReader {
  readonly diagnostics: ModelDiagnostic[] = [];
  private readonly lines: LineMap;
  private readonly constants = new Map<string, TS.Expression>();
  /** Variables holding symbolic tensors → the layer that produced them. */
  private readonly tensors = new Map<string, string>();
  /** Variables holding a layer made apart from its model: `const conv = tf.layers.conv2d({...})`. */
  private readonly layerVariables = new Map<string, LayerSpec>();
  /** Layers placed in a model: using one a second time (a shared layer) is not followed. */
  private readonly placed = new Set<LayerSpec>();
  private readonly models = new Map<string, ModelBuild>();
  private readonly namer = new LayerNamer();
  private tfNames = new Set<string>(['tf']);
  private allLayers: LayerSpec[] = [];
  /** Reading stopped at code it cannot follow: the model holds only the layers before that point. */
  stopped = false;
  /** Each const's value (or why it has none), by its initializer: evaluated at most once. */
  private readonly memo = new Map<TS.Expression, Value | Unresolved | BudgetSpent | typeof IN_PROGRESS>();
  /** Size and nesting of each array and object built, so that measuring one is O(1). */
  private readonly measures = new Map<object, Measure>();
  /** Evaluation steps spent so far, the most allowed, and when time is up. */
  steps = 0;
  private readonly maxSteps: number;
  private readonly deadline: number;
  defaultExport?: ModelBuild;
  lastModel?: ModelBuild;
  /** The default export when it is (or may be) a function, read once the whole module has been. */
  private pendingDefault?: TS.Expression | TS.FunctionDeclaration;
  /** The default export could not be followed: show no model rather than another one in the file. */
  private defaultUnknown = false;
  /** Functions by name: declarations and consts holding arrow functions or function expressions. */
  private readonly functions = new Map<string, FunctionLike>();
  /** Whether a function builds a model, directly or through the functions it calls (see callsBuilder). */
  private readonly reachModel = new Map<FunctionLike, boolean>();
  /** Functions being read, to stop recursion. */
  private readonly calling = new Set<FunctionLike>();
  /** Parameters of the function being read: their values, or why they have none. */
  private parameters = new Map<string, Value | Unresolved>();
  /** Values given by `name = value;` statements the reader followed (see `followedAssignment`). */
  private readonly assigned = new Map<string, Value | Unresolved>();
  /** Names the code changes where the reader does not follow it: their values are never guessed. */
  private untracked = new Set<string>();
  /** The function those parameters belong to. */
  private parameterScope?: FunctionLike;
  trainingNode?: TS.Expression;

  constructor(private readonly text: string, private readonly source: TS.SourceFile) {
    this.lines = new LineMap(text);
    this.maxSteps = READER_LIMITS.baseSteps + READER_LIMITS.stepsPerChar * text.length;
    this.deadline = performance.now() + READER_LIMITS.baseMs + (READER_LIMITS.msPerKiloChar * text.length) / 1000;
  }

  private range(node: TS.Node): SourceRange {
    return this.lines.range(node.getStart(this.source), node.getEnd());
  }

  private unresolved(node: TS.Node, what: string): void {
    if (ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isArrowFunction(node)) node = functionSite(node, this.source);
    if (this.stopped) return;
    this.stopped = true;
    this.diagnostics.push({
      severity: 'warning',
      code: 'unresolved-expression',
      message: `CNN Lab cannot work out ${what} from \`${node.getText(this.source).slice(0, 60)}\` without running the code, so shapes stop here. Use literal values or consts (loops and helper functions need the trusted-workspace evaluator).`,
      range: this.range(node),
    });
  }

  private budgetSpent(problem: BudgetSpent): void {
    if (this.stopped) return;
    this.stopped = true;
    const snippet = problem.node.getText(this.source).slice(0, 60);
    const why: Record<BudgetReason, string> = {
      work: 'following it takes more work than CNN Lab allows itself without running the code (consts that each use the previous one several times do this)',
      size: `it builds a value larger than CNN Lab reads without running the code (more than ${READER_LIMITS.maxValueSize.toLocaleString('en-US')} elements or characters)`,
      nesting: `it builds a value nested more than ${READER_LIMITS.maxValueNesting} levels deep`,
      depth: `the expression is nested more than ${READER_LIMITS.maxDepth} levels deep, counting the consts it goes through`,
    };
    this.diagnostics.push({
      severity: 'warning',
      code: 'analysis-budget',
      message: `CNN Lab stopped following the value of \`${snippet}\`: ${why[problem.reason]}, so shapes stop here. Simplify the expression or write the value inline, or trust the workspace so CNN Lab can run the module instead.`,
      range: this.range(problem.node),
    });
  }

  read(): void {
    // Function declarations are hoisted: a default export may name one declared further down.
    for (const statement of this.source.statements) {
      if (ts.isFunctionDeclaration(statement) && statement.name && statement.body) this.functions.set(statement.name.text, statement);
    }
    this.untracked = untrackedChanges(this.source);
    for (const statement of this.source.statements) this.statement(statement);
    this.resolveDefaultExport();
  }

  /**
   * The model the module's default export gives. A function (declared, `const f = () => …`, or
   * `export default function`) is read as if called with no arguments, the way the evaluator calls
   * it, after the whole module has run; `export default f(…)` and `const m = f(…)` are read where
   * they stand. Other builder functions in the file are never read, so their layers cannot leak
   * into the model. When the export cannot be followed the reader says so and shows no model
   * rather than another builder's.
   */
  private resolveDefaultExport(): void {
    const pending = this.pendingDefault;
    if (pending) {
      const model = this.modelFrom(pending, pending, 0);
      if (model) this.defaultExport = model;
      else {
        this.defaultUnknown = true;
        if (!this.stopped) this.unresolved(ts.isFunctionDeclaration(pending) ? pending.name ?? pending.getFirstToken(this.source) ?? pending : pending, 'which model the default export is');
      }
      return;
    }
    if (this.defaultExport || this.defaultUnknown || this.lastModel) return;
    // No default export and no model built at module level: a single builder function is the
    // model; several are ambiguous (the evaluator would refuse the module for want of a default export).
    const builders = [...this.functions.entries()].filter(([, fn]) => this.buildsModel(fn)).sort(([, a], [, b]) => a.pos - b.pos);
    if (builders.length === 1) {
      const model = this.callFunction(builders[0][1], [], builders[0][1], 0);
      if (model) this.defaultExport = model;
      return;
    }
    if (builders.length > 1 && !this.stopped) {
      this.defaultUnknown = true;
      const names = builders.map(([name]) => `\`${name}\``).join(', ');
      this.stopped = true;
      this.diagnostics.push({
        severity: 'warning',
        code: 'unresolved-expression',
        message: `This file defines several functions that build models (${names}) and has no default export, so CNN Lab cannot tell which one is the model. Add e.g. \`export default ${builders[0][0]};\`.`,
        range: this.range(functionSite(builders[1][1], this.source)),
      });
    }
  }

  /** Whether a function's body calls `tf.sequential` or `tf.model` (a model builder). */
  private buildsModel(fn: FunctionLike): boolean {
    const pending: TS.Node[] = fn.body ? [fn.body] : [];
    for (let node = pending.pop(); node; node = pending.pop()) {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && this.isTf(node.expression.expression)) {
        const name = node.expression.name.text;
        if (name === 'sequential' || name === 'model') return true;
      }
      ts.forEachChild(node, (child) => {
        pending.push(child);
      });
    }
    return false;
  }

  /**
   * The model an expression gives: a model expression or variable, a builder function (called with
   * no arguments), or a call of one. Undefined when it cannot be followed (after reporting why, when
   * the reason is inside the function).
   */
  private modelFrom(node: TS.Expression | TS.FunctionDeclaration, site: TS.Node, depth: number): ModelBuild | undefined {
    if (ts.isFunctionDeclaration(node)) return this.callFunction(node, [], site, depth);
    const expression = unwrap(node);
    const model = this.modelExpression(expression);
    if (model) return model;
    if (ts.isIdentifier(expression)) {
      const fn = this.functions.get(expression.text);
      return fn ? this.callFunction(fn, [], site, depth) : undefined;
    }
    if (ts.isArrowFunction(expression) || ts.isFunctionExpression(expression)) {
      return this.callFunction(expression, [], site, depth);
    }
    if (ts.isCallExpression(expression)) {
      const callee = unwrap(expression.expression);
      const fn = ts.isIdentifier(callee) ? this.functions.get(callee.text) : ts.isArrowFunction(callee) || ts.isFunctionExpression(callee) ? callee : undefined;
      if (fn) return this.callFunction(fn, expression.arguments, expression, depth);
    }
    return undefined;
  }

  /**
   * Reads a builder function's body as a call with these arguments would run it: parameters are
   * bound to the arguments (or their defaults) when those are literal, otherwise reading a
   * parameter is `unresolved-expression`; the function's consts and models are its own and are
   * forgotten when it returns. The model is what the first `return` at the top of the body gives.
   */
  private callFunction(fn: FunctionLike, args: readonly TS.Expression[], site: TS.Node, depth: number): ModelBuild | undefined {
    if (this.stopped) return undefined;
    if (this.calling.has(fn) || depth >= MAX_CALL_DEPTH) {
      this.unresolved(site, 'the model this recursive call builds');
      return undefined;
    }
    const saved = {
      constants: new Map(this.constants),
      models: new Map(this.models),
      tensors: new Map(this.tensors),
      layerVariables: new Map(this.layerVariables),
      functions: new Map(this.functions),
      assigned: new Map(this.assigned),
      parameters: this.parameters,
      scope: this.parameterScope,
    };
    this.calling.add(fn);
    // Arguments are evaluated in the caller's scope, before the parameters are bound.
    const bindings = new Map<string, Value | Unresolved>();
    try {
      const values = fn.parameters.map((_, index) => {
        const argument = args[index];
        if (!argument) return undefined;
        return ts.isSpreadElement(argument) ? new Unresolved(argument, 'this argument') : this.argumentValue(argument);
      });
      this.parameters = bindings;
      this.parameterScope = fn;
      fn.parameters.forEach((parameter, index) => {
        // Defaults are evaluated inside the function, where earlier parameters are visible.
        // A parameter left out and without a default is `undefined` when the code runs; tfjs would
        // not accept that as an option, so the reader does not pretend to know what the call means.
        const value = values[index] ?? (parameter.initializer ? this.argumentValue(parameter.initializer) : new Unresolved(parameter.name, 'this parameter'));
        this.bindParameter(parameter.name, parameter.dotDotDotToken ? new Unresolved(parameter, 'this parameter') : value);
      });
      const body = fn.body;
      if (!body) return undefined;
      if (!ts.isBlock(body)) return this.returned(body, depth);
      // Its own functions are hoisted, so that a call of one (which may freeze or add layers) is seen.
      for (const statement of body.statements) {
        if (ts.isFunctionDeclaration(statement) && statement.name && statement.body) this.functions.set(statement.name.text, statement);
      }
      for (const statement of body.statements) {
        // Once reading has stopped (a loop, a value it cannot follow), the model the function
        // returns is still the one to show, summarized up to where reading stopped.
        if (ts.isReturnStatement(statement)) return statement.expression ? this.returned(statement.expression, depth) : undefined;
        // A `return` inside a branch or loop may return another model than the one below.
        if (!this.stopped && !ts.isFunctionDeclaration(statement) && containsReturn(statement)) {
          this.unresolved(statement, 'which model this function returns');
          return undefined;
        }
        this.statement(statement);
      }
      return undefined;
    } finally {
      this.calling.delete(fn);
      this.constants.clear();
      for (const [key, value] of saved.constants) this.constants.set(key, value);
      this.models.clear();
      for (const [key, value] of saved.models) this.models.set(key, value);
      this.tensors.clear();
      for (const [key, value] of saved.tensors) this.tensors.set(key, value);
      this.layerVariables.clear();
      for (const [key, value] of saved.layerVariables) this.layerVariables.set(key, value);
      this.functions.clear();
      for (const [key, value] of saved.functions) this.functions.set(key, value);
      this.assigned.clear();
      for (const [key, value] of saved.assigned) this.assigned.set(key, value);
      this.parameters = saved.parameters;
      this.parameterScope = saved.scope;
      // The function's consts may depend on its parameters: a second call must evaluate them afresh.
      for (const node of [...this.memo.keys()]) if (node.pos >= fn.pos && node.end <= fn.end) this.memo.delete(node);
    }
  }

  private returned(expression: TS.Expression, depth: number): ModelBuild | undefined {
    const model = this.modelFrom(expression, expression, depth + 1);
    if (!model && !this.stopped) this.unresolved(expression, 'which model this function returns');
    return model;
  }

  /** An argument's value, evaluated now (in the caller's scope), or why it has none. */
  private argumentValue(argument: TS.Expression): Value | Unresolved {
    try {
      return this.evaluateOrThrow(argument, 0);
    } catch (problem) {
      if (problem instanceof Unresolved) return problem;
      if (problem instanceof BudgetSpent) return new Unresolved(problem.node, 'this argument');
      throw problem;
    }
  }

  /** Binds a parameter (or the names of a destructuring pattern) to its value. */
  private bindParameter(name: TS.BindingName, value: Value | Unresolved): void {
    if (ts.isIdentifier(name)) {
      this.parameters.set(name.text, value);
      return;
    }
    name.elements.forEach((element, index) => {
      if (ts.isOmittedExpression(element)) return;
      let item: Value | Unresolved | undefined;
      if (value instanceof Unresolved || element.dotDotDotToken) item = value instanceof Unresolved ? value : new Unresolved(element, 'this parameter');
      else if (ts.isArrayBindingPattern(name)) item = Array.isArray(value) ? value[index] : undefined;
      else {
        const key = element.propertyName ? propertyName(element.propertyName) : ts.isIdentifier(element.name) ? element.name.text : undefined;
        item = key === undefined ? new Unresolved(element, 'this parameter') : value !== null && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, key) ? value[key] : undefined;
      }
      if (item === undefined) item = element.initializer ? this.argumentValue(element.initializer) : null;
      this.bindParameter(element.name, item);
    });
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
      const freeze = trainableAssignment(statement.expression);
      if (freeze) {
        this.trainableStatement(freeze);
        return;
      }
      const assignment = followedAssignment(statement);
      if (assignment) this.assignment(assignment.left, assignment.right);
      else this.expressionStatement(statement);
      return;
    }
    if (ts.isExportAssignment(statement)) {
      const expression = unwrap(statement.expression);
      const model = this.modelExpression(expression);
      if (model) {
        this.defaultExport = model;
        this.pendingDefault = undefined;
      } else if (ts.isCallExpression(expression)) {
        // `export default build(…)` runs where it stands.
        const built = this.modelFrom(expression, expression, 0);
        if (built) this.defaultExport = built;
        else {
          this.defaultUnknown = true;
          if (!this.stopped) this.unresolved(expression, 'which model the default export is');
        }
      } else {
        // A function is called after the module has run; anything else is judged then too.
        this.pendingDefault = expression;
      }
      return;
    }
    if (ts.isExportDeclaration(statement)) {
      // `export { build as default }`
      const clause = statement.exportClause;
      if (!statement.moduleSpecifier && clause && ts.isNamedExports(clause)) {
        for (const element of clause.elements) {
          if (element.name.text === 'default') this.pendingDefault = element.propertyName && ts.isIdentifier(element.propertyName) ? element.propertyName : element.name;
        }
      }
      return;
    }
    if (ts.isFunctionDeclaration(statement)) {
      // Builders are read only when the default export calls them (see resolveDefaultExport).
      const modifiers = statement.modifiers ?? [];
      const isDefault = modifiers.some((modifier) => modifier.kind === ts.SyntaxKind.DefaultKeyword);
      if (isDefault && statement.body) this.pendingDefault = statement;
      return;
    }
    // A loop, a branch or a helper call that touches the model may add layers or freeze them:
    // skipping it would give shapes or params for a model that is not the one the code builds.
    if (!this.stopped && this.mentionsModelOrTensor(statement)) this.unresolved(statement, this.whatItDoes(statement, 'statement'));
  }

  /**
   * Whether code reads a model, a tensor or a layer variable, itself or in a function of this file
   * that it calls (a helper such as `freeze()` may change the model from there). Walks the tree
   * with a stack of its own: nesting thousands deep must not overflow the host's stack. Each
   * function body followed is paid for from the reader's budget.
   */
  private mentionsModelOrTensor(root: TS.Node): boolean {
    const pending: TS.Node[] = [root];
    const followed = new Set<FunctionLike>();
    for (let node = pending.pop(); node; node = pending.pop()) {
      if (ts.isIdentifier(node)) {
        if (this.models.has(node.text) || this.tensors.has(node.text) || this.layerVariables.has(node.text)) return true;
        continue;
      }
      if (ts.isCallExpression(node)) {
        const callee = unwrap(node.expression);
        const fn = ts.isIdentifier(callee) ? this.functions.get(callee.text) : undefined;
        if (fn?.body && !followed.has(fn)) {
          followed.add(fn);
          // A spent budget has stopped the reader with a warning of its own.
          if (!this.afford(fn, fn.end - fn.pos)) return true;
          pending.push(fn.body);
        }
      }
      ts.forEachChild(node, (child) => {
        pending.push(child);
      });
    }
    return false;
  }

  /**
   * What code the reader cannot follow may do, for its warning: freeze layers when it (or a
   * function of this file it calls) sets `trainable`, else anything. Said once, when reading stops.
   */
  private whatItDoes(root: TS.Node, kind: 'statement' | 'call'): string {
    const pending: TS.Node[] = [root];
    const followed = new Set<FunctionLike>();
    for (let node = pending.pop(); node; node = pending.pop()) {
      if (ts.isBinaryExpression(node) && trainableAssignment(node)) return 'which layers this freezes or unfreezes';
      const callee = ts.isCallExpression(node) ? unwrap(node.expression) : undefined;
      const fn = callee && ts.isIdentifier(callee) ? this.functions.get(callee.text) : undefined;
      if (fn?.body && !followed.has(fn)) {
        followed.add(fn);
        pending.push(fn.body);
      }
      ts.forEachChild(node, (child) => {
        pending.push(child);
      });
    }
    return `what this ${kind} does to the model`;
  }

  /**
   * `x.trainable = value;` where the reader stands: on a layer variable, on `model.layers[i]`, on
   * `model.getLayer('name')` or on a model (all its layers). Anything else stops the reader, since
   * which params are trainable would be a guess.
   */
  private trainableStatement(assignment: TrainableAssignment): void {
    if (this.stopped) return;
    const owner = this.trainableOwner(unwrap(assignment.property.expression));
    if (!owner) {
      this.unresolved(assignment.property, 'which layer this freezes or unfreezes');
      return;
    }
    const value = this.evaluate(assignment.value);
    if (value === UNRESOLVED) return;
    if (typeof value !== 'boolean') {
      this.unresolved(assignment.value, 'whether this freezes the layer (true or false)');
      return;
    }
    if ('topology' in owner) owner.trainable = value;
    else owner.config.trainable = value;
  }

  /** The layer or model `x` in `x.trainable = …` is, when the reader can tell. */
  private trainableOwner(target: TS.Expression): LayerSpec | ModelBuild | undefined {
    if (ts.isIdentifier(target)) return this.layerVariables.get(target.text) ?? this.models.get(target.text);
    // `model.layers[i]`: tfjs's list, which for a functional model is in its own order.
    if (ts.isElementAccessExpression(target)) {
      const list = unwrap(target.expression);
      if (!ts.isPropertyAccessExpression(list) || list.name.text !== 'layers') return undefined;
      const model = this.modelVariable(list.expression);
      const index = model ? this.quietValue(target.argumentExpression) : undefined;
      if (!model || typeof index !== 'number' || !Number.isInteger(index) || index < 0) return undefined;
      return modelLayers(model)[index];
    }
    // `model.getLayer('conv1')` by a name the code gave (tfjs's generated names are not Keras's), or `model.getLayer(2)`.
    if (ts.isCallExpression(target) && ts.isPropertyAccessExpression(target.expression) && target.expression.name.text === 'getLayer' && target.arguments.length === 1) {
      const model = this.modelVariable(target.expression.expression);
      const key = model ? this.quietValue(target.arguments[0]) : undefined;
      if (!model) return undefined;
      if (typeof key === 'number') return Number.isInteger(key) && key >= 0 ? modelLayers(model)[key] : undefined;
      return typeof key === 'string' ? modelLayers(model).find((layer) => layer.config.name === key) : undefined;
    }
    return undefined;
  }

  private modelVariable(node: TS.Expression): ModelBuild | undefined {
    const expression = unwrap(node);
    return ts.isIdentifier(expression) ? this.models.get(expression.text) : undefined;
  }

  /** A value, or undefined when it cannot be followed (the caller says what it was looking for). */
  private quietValue(node: TS.Expression): Value | undefined {
    const value = this.argumentValue(node);
    return value instanceof Unresolved ? undefined : value;
  }

  private declaration(declaration: TS.VariableDeclaration, exported: boolean): void {
    if (!ts.isIdentifier(declaration.name)) return;
    const name = declaration.name.text;
    // A declaration in a function shadows a value assigned to the same name outside it.
    this.assigned.delete(name);
    this.layerVariables.delete(name);
    if (!declaration.initializer) return;
    const initializer = unwrap(declaration.initializer);
    if (exported && name === 'training') {
      this.trainingNode = initializer;
      return;
    }
    if (ts.isArrowFunction(initializer) || ts.isFunctionExpression(initializer)) {
      this.functions.set(name, initializer);
      this.constants.delete(name);
      return;
    }
    // `const model = build(…)` runs the builder here, so later `model.add(…)` adds to its model.
    const model = this.modelExpression(initializer) ?? (this.callsBuilder(initializer) ? this.modelFrom(initializer, initializer, 0) : undefined);
    if (model) {
      this.models.set(name, model);
      return;
    }
    const tensor = this.tensorExpression(initializer);
    if (tensor !== undefined) {
      this.tensors.set(name, tensor);
      return;
    }
    // `const conv = tf.layers.conv2d({...})`: made (and named) here, placed where it is used.
    if (this.isLayerFactoryCall(initializer)) {
      const layer = this.stopped ? undefined : this.layerCall(initializer, []);
      if (layer) this.layerVariables.set(name, layer);
      return;
    }
    // `const y = block(x)`: a helper given a tensor or a model may add layers the reader never sees.
    if (!this.stopped && this.mentionsModelOrTensor(initializer)) {
      this.unresolved(initializer, 'what this expression does to the model');
      return;
    }
    this.constants.set(name, initializer);
  }

  /**
   * `name = value;` at the top of the module or of the function being read. Consts computed from
   * the old value keep it, so they are evaluated now; the new value is evaluated now too, since it
   * may use the old one (`units = units * 2`).
   */
  private assignment(target: TS.Identifier, value: TS.Expression): void {
    const name = target.text;
    for (const [constName, definition] of this.constants) {
      if (constName === name || this.memo.has(definition)) continue;
      // Paid from the reader's budget: a file of many consts and many assignments must stay cheap.
      if (!this.afford(definition, definition.end - definition.pos)) return;
      if (mentionsName(definition, name)) this.settle(definition);
    }
    const expression = unwrap(value);
    const model = this.modelExpression(expression) ?? (this.callsBuilder(expression) ? this.modelFrom(expression, expression, 0) : undefined);
    const tensor = model ? undefined : this.tensorExpression(expression);
    if (!model && tensor === undefined && this.mentionsModelOrTensor(expression)) {
      this.unresolved(expression, 'what this assignment does to the model');
      return;
    }
    const layer = model || tensor !== undefined || !this.isLayerFactoryCall(expression) || this.stopped ? undefined : this.layerCall(expression, []);
    const assigned = model || tensor !== undefined || layer || this.isLayerFactoryCall(expression) ? undefined : this.argumentValue(expression);
    this.models.delete(name);
    this.tensors.delete(name);
    this.constants.delete(name);
    this.layerVariables.delete(name);
    if (model) this.models.set(name, model);
    else if (layer) this.layerVariables.set(name, layer);
    else if (tensor !== undefined) this.tensors.set(name, tensor);
    else if (assigned !== undefined && this.parameterScope && this.parameters.has(name)) this.parameters.set(name, assigned);
    else if (assigned !== undefined) this.assigned.set(name, assigned);
  }

  /** Counts work done outside evaluation against the same budget; false, after saying so, once it is spent. */
  private afford(node: TS.Node, cost: number): boolean {
    try {
      this.spend(node, cost);
      return true;
    } catch (problem) {
      if (!(problem instanceof BudgetSpent)) throw problem;
      this.budgetSpent(problem);
      return false;
    }
  }

  /** Evaluates a const's definition into the memo now, whatever it gives. */
  private settle(definition: TS.Expression): void {
    try {
      this.definitionValue(definition, definition, 0);
    } catch (problem) {
      if (!(problem instanceof Unresolved || problem instanceof BudgetSpent || problem instanceof RangeError)) throw problem;
    }
  }

  /** A call of a function in this file that builds a model (a helper returning a tensor is not one). */
  private callsBuilder(node: TS.Expression): boolean {
    if (!ts.isCallExpression(node)) return false;
    const callee = unwrap(node.expression);
    const fn = ts.isIdentifier(callee) ? this.functions.get(callee.text) : ts.isArrowFunction(callee) || ts.isFunctionExpression(callee) ? callee : undefined;
    if (fn === undefined) return false;
    const seen = new Set<FunctionLike>();
    const reaches = this.reachesModel(fn, seen);
    // Every function the walk saw can reach only functions it saw too: none of them builds a model.
    if (!reaches) for (const visited of seen) this.reachModel.set(visited, false);
    return reaches;
  }

  /** Whether `fn` builds a model itself or calls a function of this file that does; remembered, so each body is walked about once. */
  private reachesModel(fn: FunctionLike, seen: Set<FunctionLike>): boolean {
    const known = this.reachModel.get(fn);
    if (known !== undefined) return known;
    if (seen.has(fn)) return false;
    seen.add(fn);
    let reaches = this.buildsModel(fn);
    const pending: TS.Node[] = fn.body && !reaches ? [fn.body] : [];
    for (let node = pending.pop(); node && !reaches; node = pending.pop()) {
      const callee = ts.isCallExpression(node) ? unwrap(node.expression) : undefined;
      const called = callee && ts.isIdentifier(callee) ? this.functions.get(callee.text) : undefined;
      reaches = called !== undefined && this.reachesModel(called, seen);
      ts.forEachChild(node, (child) => {
        pending.push(child);
      });
    }
    if (reaches) this.reachModel.set(fn, true);
    return reaches;
  }

  private expressionStatement(statement: TS.ExpressionStatement): void {
    const call = unwrap(statement.expression);
    if (!ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression) || !ts.isIdentifier(call.expression.expression)) {
      // `convBlock(model, 64)`, `freeze()` and the like: a helper may add layers to the model or freeze them.
      if (!this.stopped && this.mentionsModelOrTensor(call)) this.unresolved(call, this.whatItDoes(call, 'call'));
      return;
    }
    const receiver = call.expression.expression;
    // `model.compile(...)`, `model.summary()` and other methods leave the layers alone.
    if (call.expression.name.text !== 'add') {
      if (!this.models.has(receiver.text) && !this.stopped && call.arguments.some((argument) => this.mentionsModelOrTensor(argument))) {
        this.unresolved(call, this.whatItDoes(call, 'call'));
      }
      return;
    }
    const model = this.models.get(receiver.text);
    if (!model || this.stopped) return;
    const argument = call.arguments[0];
    const layer = argument ? this.layerOf(unwrap(argument), model.layers) : undefined;
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
            const layer = this.layerOf(unwrap(element), build.layers);
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

  /** The layers producing a tensor or a list of them; reading stops at the first one it cannot follow, rather than leave it out. */
  private tensorList(node: TS.Expression): string[] {
    const items = ts.isArrayLiteralExpression(node) ? node.elements.map(unwrap) : [node];
    const names: string[] = [];
    for (const item of items) {
      const name = this.tensorExpression(item);
      if (name === undefined) {
        this.unresolved(item, 'this tensor');
        return [];
      }
      names.push(name);
    }
    return names;
  }

  /** A symbolic tensor: `tf.input({...})`, `layer.apply(x)`, or a variable holding one. Returns the producing layer's name. */
  private tensorExpression(node: TS.Expression): string | undefined {
    if (ts.isIdentifier(node)) return this.tensors.get(node.text);
    if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return undefined;
    const callee = node.expression;
    // `tf.input(...)`, and `tf.layers.input(...)`, which tfjs exports too.
    const tfLayers = ts.isPropertyAccessExpression(callee.expression) && callee.expression.name.text === 'layers' && this.isTf(callee.expression.expression);
    if ((this.isTf(callee.expression) || tfLayers) && callee.name.text === 'input') {
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
    const layer = this.layerOf(layerNode, this.allLayers);
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

  /** `tf.layers.x(...)`, whatever its arguments. */
  private isLayerFactoryCall(node: TS.Expression): node is TS.CallExpression {
    if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return false;
    const layersAccess = node.expression.expression;
    return ts.isPropertyAccessExpression(layersAccess) && layersAccess.name.text === 'layers' && this.isTf(layersAccess.expression);
  }

  /**
   * The layer a model is given (an element of `layers: [...]`, an `add(...)` argument, an `.apply`
   * receiver): a `tf.layers.x({...})` call, or a layer variable, used once.
   */
  private layerOf(node: TS.Expression, previous: LayerSpec[]): LayerSpec | undefined {
    if (!ts.isIdentifier(node)) return this.layerCall(node, previous);
    const layer = this.layerVariables.get(node.text);
    if (!layer || this.stopped) return undefined;
    if (this.placed.has(layer)) {
      this.unresolved(node, `the layer \`${node.text}\` used a second time (CNN Lab does not follow shared layers)`);
      return undefined;
    }
    this.placed.add(layer);
    layer.inbound = previous.length > 0 ? [previous[previous.length - 1].name] : [];
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
      factory,
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
    const inputDimRange = layer.optionRanges?.inputDim ?? this.range(configNode ?? node);
    const inputDimProblem = rewriteInputDim(layer);
    if (inputDimProblem) {
      this.diagnostics.push({ severity: 'error', code: 'bad-option-value', message: inputDimProblem, range: inputDimRange, layer: layer.name });
      // Reported here: the layer gets no shape, rather than a second error about a missing input shape.
      layer.unreadable = true;
    }
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

  /**
   * Evaluates a literal-ish expression, reporting `unresolved-expression` when it cannot and
   * `analysis-budget` when it would cost more than READER_LIMITS allow.
   */
  evaluate(node: TS.Expression): Resolved {
    try {
      const value = this.evaluateOrThrow(node, 0);
      // The copy handed out costs its size, so values used many times are paid for each time.
      this.spend(node, this.measure(value).size);
      return copyValue(value);
    } catch (problem) {
      if (problem instanceof Unresolved) {
        this.unresolved(problem.node, problem.what);
        return UNRESOLVED;
      }
      if (problem instanceof BudgetSpent) {
        this.budgetSpent(problem);
        return UNRESOLVED;
      }
      // The depth limit should come first; this is the backstop for a smaller stack than expected.
      if (problem instanceof RangeError) {
        this.budgetSpent(new BudgetSpent(node, /call stack/i.test(problem.message) ? 'depth' : 'size'));
        return UNRESOLVED;
      }
      throw problem;
    }
  }

  /** Counts `cost` steps against the budget; checks the clock every 1024 steps or so. */
  private spend(node: TS.Node, cost: number): void {
    const before = this.steps;
    this.steps += cost;
    if (this.steps > this.maxSteps) throw new BudgetSpent(node, 'work');
    if (before >> 10 !== this.steps >> 10 && performance.now() > this.deadline) throw new BudgetSpent(node, 'work');
  }

  private measure(value: Value): Measure {
    if (typeof value === 'string') return { size: 1 + value.length, nesting: 0 };
    if (value === null || typeof value !== 'object') return { size: 1, nesting: 0 };
    return this.measures.get(value) ?? { size: 1, nesting: 1 };
  }

  /** Records the measure of a new array or object and refuses one past the limits. */
  private built<T extends Value[] | { [key: string]: Value }>(node: TS.Node, value: T, items: Value[]): T {
    let size = 1;
    let nesting = 0;
    for (const item of items) {
      const inner = this.measure(item);
      size += inner.size;
      nesting = Math.max(nesting, inner.nesting);
    }
    nesting += 1;
    if (size > READER_LIMITS.maxValueSize) throw new BudgetSpent(node, 'size');
    if (nesting > READER_LIMITS.maxValueNesting) throw new BudgetSpent(node, 'nesting');
    this.measures.set(value, { size, nesting });
    return value;
  }

  private evaluateOrThrow(node: TS.Expression, depth: number): Value {
    if (depth > READER_LIMITS.maxDepth) throw new BudgetSpent(node, 'depth');
    this.spend(node, 1);
    const expression = unwrap(node);
    if (ts.isNumericLiteral(expression)) return Number(expression.text);
    if (ts.isStringLiteral(expression) || ts.isNoSubstitutionTemplateLiteral(expression)) {
      if (expression.text.length > READER_LIMITS.maxValueSize) throw new BudgetSpent(expression, 'size');
      return expression.text;
    }
    if (expression.kind === ts.SyntaxKind.TrueKeyword) return true;
    if (expression.kind === ts.SyntaxKind.FalseKeyword) return false;
    if (expression.kind === ts.SyntaxKind.NullKeyword) return null;
    if (ts.isIdentifier(expression)) return this.constant(expression, depth);
    if (ts.isArrayLiteralExpression(expression)) {
      const array = expression.elements.map((element) => this.evaluateOrThrow(element, depth + 1));
      return this.built(expression, array, array);
    }
    if (ts.isObjectLiteralExpression(expression)) {
      const object: { [key: string]: Value } = {};
      for (const member of expression.properties) {
        if (ts.isPropertyAssignment(member)) {
          const key = propertyName(member.name);
          if (key === undefined) throw new Unresolved(member.name, 'the option name');
          object[key] = this.evaluateOrThrow(member.initializer, depth + 1);
        } else if (ts.isShorthandPropertyAssignment(member)) {
          object[member.name.text] = this.evaluateOrThrow(member.name, depth + 1);
        } else {
          throw new Unresolved(member, 'this property');
        }
      }
      return this.built(expression, object, Object.values(object));
    }
    if (ts.isPrefixUnaryExpression(expression)) {
      const operand = this.evaluateOrThrow(expression.operand, depth + 1);
      if (typeof operand === 'number' && expression.operator === ts.SyntaxKind.MinusToken) return -operand;
      if (typeof operand === 'number' && expression.operator === ts.SyntaxKind.PlusToken) return operand;
      throw new Unresolved(expression, 'this expression');
    }
    if (ts.isBinaryExpression(expression)) {
      // `1 + 2 + … + n` nests to the left as deep as it is long: walk that spine in a loop, so a
      // long sum costs steps, not stack depth.
      const spine: TS.BinaryExpression[] = [expression];
      for (let left = unwrap(expression.left); ts.isBinaryExpression(left); left = unwrap(left.left)) {
        this.spend(left, 1);
        spine.push(left);
      }
      let value = this.evaluateOrThrow(spine[spine.length - 1].left, depth + 1);
      for (let index = spine.length - 1; index >= 0; index -= 1) value = this.binary(spine[index], value, this.evaluateOrThrow(spine[index].right, depth + 1));
      return value;
    }
    throw new Unresolved(expression, 'this value');
  }

  private binary(expression: TS.BinaryExpression, left: Value, right: Value): Value {
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
    if (typeof left === 'string' && typeof right === 'string' && expression.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      // Checked before concatenating: doubling a string forty times must not take the memory first.
      const length = left.length + right.length;
      if (length > READER_LIMITS.maxValueSize) throw new BudgetSpent(expression, 'size');
      this.spend(expression, length);
      return left + right;
    }
    throw new Unresolved(expression, 'this expression');
  }

  /**
   * The value of a const, evaluated once per declaration and shared by every use (values are never
   * altered while reading), so a chain of consts that each use the previous one twice stays linear.
   */
  private constant(identifier: TS.Identifier, depth: number): Value {
    if (identifier.text === 'undefined') return null;
    if (this.untracked.has(identifier.text)) throw new Unresolved(identifier, `the value of \`${identifier.text}\`, which the code changes where CNN Lab does not follow it,`);
    // Parameters are in scope inside their function only: a module const read from there keeps its own names.
    const inScope = this.parameterScope !== undefined && identifier.pos >= this.parameterScope.pos && identifier.end <= this.parameterScope.end;
    const parameter = inScope ? this.parameters.get(identifier.text) : undefined;
    if (parameter instanceof Unresolved) throw new Unresolved(identifier, `the value of the parameter \`${identifier.text}\``);
    if (parameter !== undefined) return parameter;
    const assigned = this.assigned.get(identifier.text);
    if (assigned instanceof Unresolved) throw new Unresolved(identifier, `the value of \`${identifier.text}\``);
    if (assigned !== undefined) return assigned;
    const definition = this.constants.get(identifier.text);
    if (!definition) throw new Unresolved(identifier, `the value of \`${identifier.text}\``);
    return this.definitionValue(identifier, definition, depth);
  }

  private definitionValue(identifier: TS.Node, definition: TS.Expression, depth: number): Value {
    const known = this.memo.get(definition);
    // Evaluating a const that (indirectly) uses itself.
    if (known === IN_PROGRESS) throw new Unresolved(identifier, `the value of \`${identifier.getText(this.source)}\``);
    if (known instanceof Unresolved || known instanceof BudgetSpent) throw known;
    if (known !== undefined) return known;
    this.memo.set(definition, IN_PROGRESS);
    let value: Value;
    try {
      value = this.evaluateOrThrow(definition, depth + 1);
    } catch (problem) {
      if (problem instanceof Unresolved || problem instanceof BudgetSpent) this.memo.set(definition, problem);
      else this.memo.delete(definition);
      throw problem;
    }
    this.memo.set(definition, value);
    return value;
  }

  chosenModel(): ModelBuild | undefined {
    if (this.defaultUnknown) return undefined;
    return this.defaultExport ?? this.lastModel;
  }

  trainingValue(): Resolved | undefined {
    return this.trainingNode ? this.evaluate(this.trainingNode) : undefined;
  }
}

/** Where to point at a function: its name, or its first token. */
function functionSite(fn: FunctionLike, source: TS.SourceFile): TS.Node {
  return fn.name ?? fn.getFirstToken(source) ?? fn;
}

/** Whether a statement holds a `return` of its own (not one inside a nested function). */
function containsReturn(root: TS.Node): boolean {
  const pending: TS.Node[] = [root];
  for (let node = pending.pop(); node; node = pending.pop()) {
    if (ts.isReturnStatement(node)) return true;
    if (ts.isFunctionLike(node) || ts.isClassLike(node)) continue;
    ts.forEachChild(node, (child) => {
      pending.push(child);
    });
  }
  return false;
}

/**
 * `name = value;` standing at the top of the module, or at the top of a function body that declares
 * `name` itself: run exactly when the reader reads that statement, so it can follow it.
 */
function followedAssignment(statement: TS.ExpressionStatement): { left: TS.Identifier; right: TS.Expression } | undefined {
  const expression = unwrap(statement.expression);
  if (!ts.isBinaryExpression(expression) || expression.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return undefined;
  const left = unwrap(expression.left);
  if (!ts.isIdentifier(left)) return undefined;
  const block = statement.parent;
  if (ts.isSourceFile(block)) return { left, right: expression.right };
  const fn = ts.isBlock(block) ? block.parent : undefined;
  if (!fn || !(ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn) || ts.isArrowFunction(fn)) || !declaresName(fn, left.text)) return undefined;
  return { left, right: expression.right };
}

/** Whether a function's parameters or the variable statements at the top of its body declare `name`. */
function declaresName(fn: FunctionLike, name: string): boolean {
  const declared: TS.BindingName[] = fn.parameters.map((parameter) => parameter.name);
  if (fn.body && ts.isBlock(fn.body)) {
    for (const statement of fn.body.statements) {
      if (ts.isVariableStatement(statement)) declared.push(...statement.declarationList.declarations.map((declaration) => declaration.name));
    }
  }
  return declared.some((binding) => boundNames(binding).includes(name));
}

function boundNames(binding: TS.BindingName): string[] {
  if (ts.isIdentifier(binding)) return [binding.text];
  return binding.elements.flatMap((element) => (ts.isOmittedExpression(element) ? [] : boundNames(element.name)));
}

/** Methods that change the array, map or set they are called on. */
const MUTATING_METHODS = new Set(['push', 'pop', 'shift', 'unshift', 'splice', 'sort', 'reverse', 'fill', 'copyWithin', 'set', 'delete', 'clear', 'add']);

/**
 * Every name the file changes other than by an assignment the reader follows (see
 * followedAssignment): inside a loop, branch or callback, by `+=` or `++`, through a property
 * (`config.units = 64`) or a method (`widths.push(128)`), or from another function. The reader
 * cannot know the value such a name has when it is read, so it never uses one.
 */
function untrackedChanges(source: TS.SourceFile): Set<string> {
  const names = new Set<string>();
  const add = (target: TS.Expression): void => {
    for (const name of rootNames(target)) names.add(name);
  };
  const pending: TS.Node[] = [source];
  for (let node = pending.pop(); node; node = pending.pop()) {
    if (ts.isBinaryExpression(node)) {
      const kind = node.operatorToken.kind;
      const assigns = kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment;
      if (assigns && !(ts.isExpressionStatement(node.parent) && node.parent.expression === node && followedAssignment(node.parent))) add(node.left);
    } else if ((ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) && (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)) {
      add(node.operand);
    } else if (ts.isDeleteExpression(node)) {
      add(node.expression);
    } else if ((ts.isForOfStatement(node) || ts.isForInStatement(node)) && !ts.isVariableDeclarationList(node.initializer)) {
      add(node.initializer);
    } else if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression.name.text;
      if (MUTATING_METHODS.has(method)) add(node.expression.expression);
      if (method === 'assign' && node.arguments[0]) add(node.arguments[0]);
    }
    ts.forEachChild(node, (child) => {
      pending.push(child);
    });
  }
  return names;
}

/** The variables an assignment target changes: `a`, `a.b[0]` → a; `[a, { b: c }]` → a, c. */
function rootNames(target: TS.Expression): string[] {
  let expression = unwrap(target);
  // `a.b.c…` can be as long as the file: walked in a loop, not by recursion.
  while (ts.isPropertyAccessExpression(expression) || ts.isElementAccessExpression(expression)) expression = unwrap(expression.expression);
  if (ts.isIdentifier(expression)) return [expression.text];
  if (ts.isArrayLiteralExpression(expression)) return expression.elements.flatMap((element) => rootNames(ts.isSpreadElement(element) ? element.expression : element));
  if (ts.isObjectLiteralExpression(expression)) {
    return expression.properties.flatMap((member) => {
      if (ts.isPropertyAssignment(member)) return rootNames(member.initializer);
      if (ts.isShorthandPropertyAssignment(member)) return [member.name.text];
      return ts.isSpreadAssignment(member) ? rootNames(member.expression) : [];
    });
  }
  if (ts.isBinaryExpression(expression) && expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) return rootNames(expression.left);
  return [];
}

/** Whether an expression reads the identifier `name` anywhere inside it. */
function mentionsName(root: TS.Node, name: string): boolean {
  const pending: TS.Node[] = [root];
  for (let node = pending.pop(); node; node = pending.pop()) {
    if (ts.isIdentifier(node) && node.text === name) return true;
    ts.forEachChild(node, (child) => {
      pending.push(child);
    });
  }
  return false;
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
  // The compiler's parser recurses once per bracket level and runs out of stack near a thousand
  // levels: refuse such text before parsing, with the diagnostic where the nesting gets too deep.
  const tooDeep = tooDeeplyNested(text, READER_LIMITS.maxBracketNesting);
  if (tooDeep !== undefined) return { diagnostics: [nestedTooDeeply(lines.range(tooDeep, tooDeep + 1))] };
  try {
    return readTypeScriptModel(text, fileName, lines);
  } catch (error) {
    // Backstop: other nesting (`- - - … 1`) still exhausts the compiler's stack, or a smaller stack than ours.
    if (!(error instanceof RangeError)) throw error;
    return { diagnostics: [nestedTooDeeply(lines.range(0, 0))] };
  }
}

function nestedTooDeeply(range: SourceRange): ModelDiagnostic {
  return {
    severity: 'error',
    code: 'parse-error',
    message: `The file is nested too deeply to be read (more than ${READER_LIMITS.maxBracketNesting} brackets or expressions inside one another). Flatten the nesting.`,
    range,
  };
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
      syntax: 'typescript',
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
  // A model the reader stopped in keeps the order it read its layers in: its outputs are not known.
  const layers = model.topology === 'functional' && !reader.stopped ? inTfjsOrder(model) : model.layers;
  // `model.trainable = false` freezes every layer that has weights, as tfjs does.
  if (model.trainable === false) for (const layer of layers) if (layer.className !== 'InputLayer') layer.config.trainable = false;
  const ir: ModelIR = {
    name: model.name ?? defaultName(fileName),
    format: 'typescript',
    topology: model.topology,
    layers,
    inputs: layers.filter((layer) => layer.className === 'InputLayer').map((layer) => layer.name),
    outputs: model.outputs.length > 0 ? model.outputs : model.layers.slice(-1).map((layer) => layer.name),
    range: model.range,
  };
  if (reader.stopped) ir.incomplete = true;
  if (model.topology === 'sequential') {
    ir.inputs = model.layers.slice(0, 1).map((layer) => layer.name);
    const first = model.layers[0];
    const firstConfigStart = first?.range ? firstConfigOffset(text, first) : undefined;
    if (firstConfigStart !== undefined) {
      const indent = firstPropertyIndent(text, firstConfigStart - 1);
      ir.inputShapeInsertion = indent === undefined ? { position: lines.position(firstConfigStart), syntax: 'typescript' } : { position: lines.position(firstConfigStart), syntax: 'typescript', indent, lineBreak: lineBreakOf(text) };
    }
  }
  const readerDiagnostics = reader.diagnostics.length;
  const training = reader.trainingValue();
  // Reading the training block can stop too (a value it cannot follow, or the budget): say so.
  diagnostics.push(...reader.diagnostics.slice(readerDiagnostics));
  if (training !== undefined && training !== UNRESOLVED) {
    const read = readTraining(training);
    if (read.training) ir.training = read.training;
    const trainingNode = reader.trainingNode;
    const range = trainingNode ? lines.range(trainingNode.getStart(source), trainingNode.getEnd()) : lines.range(0, 0);
    for (const problem of read.problems) diagnostics.push({ severity: problem.severity, code: problem.key ? 'bad-option-value' : 'unknown-option', message: problem.message, range });
  }
  return { ir, diagnostics };
}

/** `model.layers` as tfjs gives it where the code stands: a functional model's in tfjs's order once its outputs are known. */
function modelLayers(model: ModelBuild): LayerSpec[] {
  return model.topology === 'functional' && model.outputs.length > 0 ? inTfjsOrder(model) : model.layers;
}

interface TrainableAssignment {
  /** `x.trainable` */
  property: TS.PropertyAccessExpression;
  value: TS.Expression;
}

/** `x.trainable = value` (plain `=`, on a property named trainable). */
function trainableAssignment(node: TS.Expression): TrainableAssignment | undefined {
  const expression = unwrap(node);
  if (!ts.isBinaryExpression(expression) || expression.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return undefined;
  const property = unwrap(expression.left);
  if (!ts.isPropertyAccessExpression(property) || property.name.text !== 'trainable') return undefined;
  return { property, value: expression.right };
}


/** A functional model's layers as tfjs lists them: those its outputs are computed from, in tfjs's order (see ../graphOrder). */
function inTfjsOrder(model: ModelBuild): LayerSpec[] {
  const byName = new Map(model.layers.map((layer) => [layer.name, layer]));
  const known = (names: string[]): LayerSpec[] => names.map((name) => byName.get(name)).filter((layer): layer is LayerSpec => layer !== undefined);
  const outputs = known(model.outputs);
  return outputs.length > 0 ? tfjsLayerOrder(outputs, (layer) => known(layer.inbound)) : model.layers;
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

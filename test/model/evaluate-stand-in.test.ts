// The evaluator's stand-in of @tensorflow/tfjs (issue 10, item 7): what it offers behaves as tfjs
// does, checked against tfjs itself (tf.util's pure helpers, tf.train's optimizers), and what it
// does not offer is refused by name, on the line that used it, never skipped. Custom layers and
// nested models are followed as tfjs follows them; their errors use tfjs's and Keras's wording.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { buildSync } from 'esbuild';
import { evaluateTypeScriptModel } from '../../src/model/evaluate';
import { train, util } from '../../src/model/evaluateUtil';
import { analyzeModel } from '../../src/model/index';
import type { ModelAnalysis, SourceRange } from '../../src/model/types';

const repoRoot = join(__dirname, '..', '..');

/** Calls to each pure tf.util helper the stand-in has, including ones that throw. */
const UTIL_CALLS: [string, unknown[]][] = [
  ['arraysEqual', [[1, 2], [1, 2]]],
  ['arraysEqual', [[1, 2], [1, 3]]],
  ['arraysEqual', [[1], [1, 2]]],
  ['arraysEqualWithNull', [[null, 2], [1, 2]]],
  ['arraysEqualWithNull', [[1, 2], [1, 3]]],
  ['assert', [true, 'fine']],
  ['assert', [false, () => 'computed message']],
  ['assert', [false, 'plain message']],
  ['assertNonNull', [null]],
  ['assertNonNull', [0]],
  ['assertShapesMatch', [[1, 2], [1, 3], 'Shapes differ:']],
  ['assertShapesMatch', [[1, 2], [1, 2]]],
  ['clamp', [0, 5, 3]],
  ['clamp', [0, -1, 3]],
  ['computeStrides', [[2, 3, 4]]],
  ['computeStrides', [[5]]],
  ['computeStrides', [[]]],
  ['distSquared', [[1, 2], [3, 5]]],
  ['flatten', [[[1, [2, 3]], [4]]]],
  ['flatten', [[new Float32Array([1, 2]), 3]]],
  ['flatten', [[new Float32Array([1, 2])], [], true]],
  ['inferFromImplicitShape', [[2, -1], 8]],
  ['inferFromImplicitShape', [[2, 3], 6]],
  ['inferFromImplicitShape', [[-1, -1], 4]],
  ['inferFromImplicitShape', [[2, -1], 7]],
  ['inferFromImplicitShape', [[0, -1], 4]],
  ['inferFromImplicitShape', [[2, 3], 7]],
  ['inferFromImplicitShape', [[-2, 3], 6]],
  ['isBoolean', [true]],
  ['isBoolean', [1]],
  ['isFunction', [() => 1]],
  ['isFunction', [3]],
  ['isInt', [2]],
  ['isInt', [2.5]],
  ['isNumber', [1]],
  ['isNumber', ['1']],
  ['isScalarShape', [[]]],
  ['isScalarShape', [[1]]],
  ['isString', ['a']],
  ['isString', [1]],
  ['nearestDivisor', [12, 5]],
  ['nearestDivisor', [7, 2]],
  ['nearestLargerEven', [3]],
  ['nearestLargerEven', [4]],
  ['parseAxisParam', [-1, [2, 3]]],
  ['parseAxisParam', [null, [2, 3]]],
  ['parseAxisParam', [[0, -1], [2, 3, 4]]],
  ['parseAxisParam', [3, [2, 3]]],
  ['parseAxisParam', [0.5, [2, 3]]],
  ['rightPad', ['ab', 4]],
  ['rightPad', ['abcd', 2]],
  ['sizeFromShape', [[2, 3, 4]]],
  ['sizeFromShape', [[]]],
  ['sizeToSquarishShape', [10]],
  ['sum', [[1, 2, 3]]],
  ['swap', [[1, 2, 3], 0, 2]],
  ['tanh', [0.5]],
];

/** What a call gives: its result and its (possibly changed) arguments, or the message it threw. */
function outcome(fn: unknown, args: unknown[]): unknown {
  const copies = args.map((arg) => (Array.isArray(arg) ? structuredClone(arg) : arg));
  try {
    return { result: (fn as (...values: unknown[]) => unknown)(...copies), args: copies };
  } catch (error) {
    return { threw: (error as Error).message };
  }
}

describe('evaluator stand-in: tf.util and tf.train, against tfjs', () => {
  const realUtil = tf.util as unknown as Record<string, unknown>;
  const standInUtil = util as unknown as Record<string, unknown>;

  it('each pure tf.util helper gives what tfjs gives, throws included', () => {
    for (const [name, args] of UTIL_CALLS) {
      assert.deepEqual(outcome(standInUtil[name], args), outcome(realUtil[name], args), `tf.util.${name}(${JSON.stringify(args)})`);
    }
    const exercised = new Set(UTIL_CALLS.map(([name]) => name));
    // now() is a clock: compared by kind only.
    assert.deepEqual(Object.keys(util).filter((name) => !exercised.has(name) && name !== 'now'), [], 'every helper of the stand-in is compared with tfjs');
    assert.equal(typeof (standInUtil.now as () => number)(), typeof (realUtil.now as () => number)());
  });

  it('every other tf.util member is refused by name when called', () => {
    const refused = Object.keys(realUtil).filter((name) => !Object.hasOwn(util, name));
    assert.ok(refused.includes('encodeString') && refused.includes('fetch'), refused.join(', '));
    for (const name of refused) {
      assert.throws(() => (standInUtil[name] as () => unknown)(), new RegExp(`^Error: tf\\.util\\.${name}\\(\\) is not available while CNN Lab computes shapes`), name);
    }
  });

  it('tf.train has every optimizer tfjs has, with tfjs class names and the arguments given', () => {
    const realTrain = tf.train as unknown as Record<string, (...args: unknown[]) => { getClassName(): string }>;
    const standIn = train as unknown as Record<string, (...args: unknown[]) => { getClassName(): string; getConfig(): Record<string, unknown> }>;
    assert.deepEqual(Object.keys(standIn).sort(), Object.keys(realTrain).sort());
    // Momentum needs its second argument; the others take one there too.
    for (const name of Object.keys(realTrain)) assert.equal(standIn[name](0.01, 0.9).getClassName(), realTrain[name](0.01, 0.9).getClassName(), name);
    assert.deepEqual(standIn.momentum(0.01, 0.9, true).getConfig(), { learningRate: 0.01, momentum: 0.9, useNesterov: true });
  });
});

function textAt(text: string, range: SourceRange): string {
  const lines = text.split('\n');
  assert.equal(range.start.line, range.end.line, 'one-line range');
  return lines[range.start.line].slice(range.start.character, range.end.character);
}

const head = "import * as tf from '@tensorflow/tfjs';\n";

describe('evaluator stand-in: running modules', function () {
  this.timeout(20_000);
  let folder: string;
  let workerScript: string;
  const evaluate = (body: string): Promise<ModelAnalysis> => evaluateTypeScriptModel('/work/m.model.ts', head + body, { timeoutMs: 5000, workerScript });
  const messages = (analysis: ModelAnalysis): string[] => analysis.diagnostics.map((diagnostic) => `${diagnostic.range.start.line + 1}: ${diagnostic.message}`);

  before(() => {
    folder = mkdtempSync(join(tmpdir(), 'cnnlab-stand-in-'));
    workerScript = join(folder, 'evaluateWorker.js');
    buildSync({ entryPoints: [join(repoRoot, 'src/model/evaluateWorker.ts')], outfile: workerScript, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error' });
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  const small = "const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2 })] });\n";

  it('model.fit at module level is refused by name on its line; in a function not run on load it is fine', async () => {
    const atLoad = await evaluate(`${small}model.fit(tf.zeros([1, 4]), tf.zeros([1, 2]));\nexport default model;\n`);
    assert.equal(atLoad.summary, undefined);
    const [problem] = messages(atLoad);
    // Arguments run first: tf.zeros is what is refused, by name, on line 3.
    assert.match(problem, /^3: Running the model module failed: Error: tf\.zeros\(\) is not available while CNN Lab computes shapes: .* Received: tf\.zeros\(\)\.$/);
    const fit = await evaluate(`${small}const xs = {} as tf.Tensor;\nmodel.fit(xs, xs);\nexport default model;\n`);
    assert.match(messages(fit)[0], /^4: Running the model module failed: Error: model\.fit\(\) is not available while CNN Lab computes shapes/);
    const later = await evaluate(`${small}export async function train(xs: tf.Tensor) { return model.fit(xs, xs); }\nexport default model;\n`);
    assert.deepEqual(messages(later), []);
    assert.equal(later.summary?.totalParams, 10);
  });

  it('compile, summary, optimizers, registerClass, tf.ready and a default import run and change nothing', async () => {
    const analysis = evaluate(
      `${small}model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError', metrics: ['mse'] });\nmodel.summary();\n` +
        'export default async () => { await tf.ready(); tf.serialization.registerClass(class X extends tf.layers.Layer { static className = "X"; }); return model; };\n',
    );
    assert.deepEqual(messages(await analysis), []);
    const defaultImport = await evaluateTypeScriptModel('/work/m.model.ts', "import tf from '@tensorflow/tfjs';\nexport default tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 1 })] });\n", { timeoutMs: 5000, workerScript });
    assert.equal(defaultImport.summary?.totalParams, 4);
  });

  it('a custom layer sits on its `new`, and its output and weights are its own', async () => {
    const body =
      'class Gate extends tf.layers.Layer {\n' +
      "  static className = 'Gate';\n" +
      "  override build(shape: tf.Shape | tf.Shape[]) { this.addWeight('w', [(shape as tf.Shape)[1] as number, 2], 'float32', tf.initializers.ones()); }\n" +
      '  override computeOutputShape(shape: tf.Shape | tf.Shape[]) { return [(shape as tf.Shape)[0], 2]; }\n' +
      '}\n' +
      "export default tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3 }), new Gate({ name: 'gate' })] });\n";
    const analysis = await evaluate(body);
    assert.deepEqual(messages(analysis), []);
    const gate = analysis.summary?.layers[1];
    assert.deepEqual([gate?.name, gate?.className, gate?.outputShape, gate?.params], ['gate', 'Gate', [null, 2], 6]);
    assert.equal(textAt(head + body, gate?.range as SourceRange), "new Gate({ name: 'gate' })");
    assert.match(gate?.explanation.join('\n') ?? '', /w \[3, 2\] = 6/);
  });

  it("a custom layer's own mistakes are reported as tfjs would: no input shape, several outputs, duplicate weights", async () => {
    const noInput = await evaluate('class A extends tf.layers.Layer {}\nexport default tf.sequential({ layers: [new A()] });\n');
    assert.match(messages(noInput)[0], /^3: Running the model module failed: Error: The first layer in a Sequential model must get an `inputShape` or `batchInputShape` argument\.$/);
    const twoShapes = await evaluate(
      'class B extends tf.layers.Layer {\n  override computeOutputShape(shape: tf.Shape | tf.Shape[]) { return [shape, shape] as tf.Shape[]; }\n}\n' +
        'export default tf.sequential({ layers: [new B({ inputShape: [2] })] });\n',
    );
    assert.match(messages(twoShapes)[0], /B\.computeOutputShape\(\) must return one shape, batch axis first .* Received: \[\[null,2\],\[null,2\]\]\.$/);
    const duplicate = await evaluate(
      "class C extends tf.layers.Layer {\n  override build() { this.addWeight('w', [1], 'float32', tf.initializers.ones()); this.addWeight('w', [1], 'float32', tf.initializers.ones()); }\n}\n" +
        'export default tf.sequential({ layers: [new C({ inputShape: [2] })] });\n',
    );
    assert.match(messages(duplicate)[0], /Error: Duplicate weight name w for the C layer: each addWeight\(\) call needs its own name\.$/);
  });

  it('a nested model is one row; a problem inside it is reported inside it, and its row is left out rather than guessed', async () => {
    const good = await evaluate(
      "const inner = tf.sequential({ name: 'inner', layers: [tf.layers.dense({ inputShape: [4], units: 3 })] });\n" +
        'export default tf.sequential({ layers: [inner, tf.layers.dense({ units: 1 })] });\n',
    );
    assert.deepEqual(good.summary?.layers.map((layer) => [layer.name, layer.className, layer.outputShape, layer.params]), [
      ['inner', 'Sequential', [null, 3], 15],
      ['dense_1', 'Dense', [null, 1], 4],
    ]);
    const broken = await evaluate(
      "const inner = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 0 })] });\nexport default tf.sequential({ layers: [inner, tf.layers.dense({ units: 1 })] });\n",
    );
    assert.deepEqual(messages(broken), ['2: Invalid value for `units` of Dense "dense": expected a positive integer. Received: units=0.']);
    assert.deepEqual(broken.summary?.layers, []);
  });

  it('a nested model applied to a tensor of another shape, or a layer used twice, is refused with Keras wording', async () => {
    const mismatch = await evaluate(
      "const inner = tf.sequential({ name: 'inner', layers: [tf.layers.dense({ inputShape: [4], units: 3 })] });\n" +
        'const x = tf.input({ shape: [5] });\nexport default tf.model({ inputs: x, outputs: inner.apply(x) as tf.SymbolicTensor });\n',
    );
    assert.match(messages(mismatch)[0], /Error: Input 0 of the Sequential layer "inner" is incompatible with the layer: expected shape=\(None, 4\), found shape=\(None, 5\)$/);
    const shared = await evaluate('const d = tf.layers.dense({ units: 2 });\nconst x = tf.input({ shape: [2] });\nconst y = d.apply(x);\nexport default tf.model({ inputs: x, outputs: d.apply(y) as tf.SymbolicTensor });\n');
    assert.match(messages(shared)[0], /^5: .*The same Dense layer is used twice\. CNN Lab summarizes one node per layer, so shared layers are not supported/);
  });

  it('Dense inputDim: read as inputShape [inputDim] on both paths; a bad value is one error, with no missing-input-shape echo', async () => {
    const body = 'export default tf.sequential({ layers: [tf.layers.dense({ inputDim: 0, units: 2 })] });\n';
    const expected = ['2: Invalid value for `inputDim` of Dense "dense": expected a positive integer, the size of each example (tfjs reads it as inputShape [inputDim]). Received: inputDim=0.'];
    assert.deepEqual(messages(await evaluate(body)), expected);
    assert.deepEqual(messages(analyzeModel(head + body, 'm.model.ts')), expected);
    const ignored = analyzeModel(`${head}export default tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], inputDim: 7, units: 2 })] });\n`, 'm.model.ts');
    assert.equal(ignored.summary?.totalParams, 8, 'tfjs ignores inputDim when inputShape is given');
  });
});

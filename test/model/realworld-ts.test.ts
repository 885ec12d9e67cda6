// Real-world `.model.ts` files (test/model/realworld-ts/) against real tfjs, the oracle: each file is
// run with @tensorflow/tfjs on the cpu backend, and tfjs's own `model.layers` (class, output shape,
// param count, in order) and totals are compared with CNN Lab's summaries. The evaluate path (the
// trusted editor path, and `cnnlab summary --evaluate`) must match every row exactly. The static
// reader (untrusted workspaces, `cnnlab summary`) must match exactly where it resolves the file;
// where it cannot, it must say so with a warning, and every row it does show must still be right.
// No expected number is written here: tfjs computes them all.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileFunction } from 'node:vm';
import * as tf from '@tensorflow/tfjs';
import { buildSync } from 'esbuild';
import ts from 'typescript';
import { runSummaryCommand } from '../../src/cli/summary';
import { evaluateTypeScriptModel } from '../../src/model/evaluate';
import { analyzeModel } from '../../src/model/index';
import type { ModelAnalysis, Shape } from '../../src/model/types';

const repoRoot = join(__dirname, '..', '..');
const folder = join(__dirname, 'realworld-ts');
const files = readdirSync(folder)
  .filter((name) => name.endsWith('.model.ts'))
  .sort();

interface Row {
  className: string;
  outputShape: Shape;
  params: number;
}

interface Totals {
  rows: Row[];
  totalParams: number;
  trainableParams: number;
}

/** tfjs names a functional model's class `Model`; Keras, and CNN Lab, call it `Functional`. */
const kerasClassName = (className: string): string => (className === 'Model' ? 'Functional' : className);

/** Runs the module with the real tfjs (resolved from the file's folder) and returns the model its default export gives. */
async function runWithTfjs(file: string): Promise<tf.LayersModel> {
  const source = readFileSync(file, 'utf8');
  const { outputText } = ts.transpileModule(source, {
    fileName: file,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  const module = { exports: {} as Record<string, unknown> };
  const body = compileFunction(outputText, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: file });
  const log = console.log;
  // model.summary() in a module prints; the test output is the score.
  console.log = () => undefined;
  try {
    body(module.exports, createRequire(file), module, file, folder);
    const exported = module.exports.default;
    return (await (typeof exported === 'function' ? (exported as () => unknown)() : exported)) as tf.LayersModel;
  } finally {
    console.log = log;
  }
}

/**
 * The output shape of a layer in this model: that of its node inside the model. A nested model
 * has a node of its own as well, so its `outputShape` alone can be ambiguous for tfjs.
 */
function shapeInModel(model: tf.LayersModel, layer: tf.layers.Layer): Shape {
  const containerNodes = (model as unknown as { containerNodes: Set<string> }).containerNodes;
  const nodes = (layer as unknown as { inboundNodes: { outputShapes: Shape | Shape[] }[] }).inboundNodes;
  const index = nodes.findIndex((_, nodeIndex) => containerNodes.has(`${layer.name}_ib-${nodeIndex}`));
  const shapes = index >= 0 ? nodes[index].outputShapes : layer.outputShape;
  // A node lists one shape per output tensor; these models' layers have one output each.
  return (Array.isArray(shapes[0]) ? shapes[0] : shapes) as Shape;
}

function tfjsTotals(model: tf.LayersModel): Totals {
  // summary() builds a Sequential model's inner graph, which containerNodes comes from.
  model.summary(undefined, undefined, () => undefined);
  const sequential = model instanceof tf.Sequential;
  // tfjs lists an InputLayer added to a Sequential model among its layers; Keras, and CNN Lab, do not.
  const layers = model.layers.filter((layer) => !(sequential && layer.getClassName() === 'InputLayer'));
  const size = (weights: tf.LayerVariable[]): number => weights.reduce((sum, weight) => sum + weight.shape.reduce((product: number, dim) => product * (dim ?? 1), 1), 0);
  return {
    rows: layers.map((layer) => ({ className: kerasClassName(layer.getClassName()), outputShape: shapeInModel(model, layer), params: layer.countParams() })),
    totalParams: model.countParams(),
    trainableParams: size(model.trainableWeights),
  };
}

function cnnLabTotals(analysis: ModelAnalysis): Totals {
  const summary = analysis.summary;
  return {
    rows: summary?.layers.map((layer) => ({ className: layer.className, outputShape: layer.outputShape, params: layer.params })) ?? [],
    totalParams: summary?.totalParams ?? 0,
    trainableParams: summary?.trainableParams ?? 0,
  };
}

const rowText = (row: Row | undefined): string => (row ? `${row.className} ${JSON.stringify(row.outputShape)} ${row.params}` : '(none)');

/** Why two summaries differ, row by row; empty when they are the same. */
function differences(expected: Totals, actual: Totals): string[] {
  const problems: string[] = [];
  for (let index = 0; index < Math.max(expected.rows.length, actual.rows.length); index += 1) {
    const want = rowText(expected.rows[index]);
    const got = rowText(actual.rows[index]);
    if (want !== got) problems.push(`row ${index + 1}: tfjs ${want}, CNN Lab ${got}`);
  }
  if (expected.totalParams !== actual.totalParams) problems.push(`total params: tfjs ${expected.totalParams}, CNN Lab ${actual.totalParams}`);
  if (expected.trainableParams !== actual.trainableParams) problems.push(`trainable params: tfjs ${expected.trainableParams}, CNN Lab ${actual.trainableParams}`);
  return problems;
}

const problemsOf = (analysis: ModelAnalysis, severity: 'error' | 'warning'): string[] =>
  analysis.diagnostics.filter((diagnostic) => diagnostic.severity === severity).map((diagnostic) => `${diagnostic.range.start.line + 1}: ${diagnostic.message}`);

const stoppedReading = (analysis: ModelAnalysis): boolean =>
  analysis.diagnostics.some((diagnostic) => diagnostic.code === 'unresolved-expression' || diagnostic.code === 'analysis-budget');

/**
 * The rows a partial static summary shows must each be tfjs's row for the same layer. Layers are
 * matched by name with the evaluate path's summary (the same names, given in creation order),
 * whose rows are tfjs's row for row.
 */
function partialDifferences(expected: Totals, evaluated: ModelAnalysis, partial: ModelAnalysis): string[] {
  const names = evaluated.summary?.layers.map((layer) => layer.name) ?? [];
  return (partial.summary?.layers ?? []).flatMap((layer) => {
    const index = names.indexOf(layer.name);
    const shown = rowText({ className: layer.className, outputShape: layer.outputShape, params: layer.params });
    if (index < 0) return [`${layer.name}: shown as ${shown}, but tfjs has no such layer`];
    return rowText(expected.rows[index]) === shown ? [] : [`${layer.name}: tfjs ${rowText(expected.rows[index])}, CNN Lab ${shown}`];
  });
}

describe(`real-world .model.ts files against real tfjs (${files.length} files)`, function () {
  this.timeout(60_000);
  let workDir: string;
  let workerScript: string;
  const oracle = new Map<string, Totals>();
  const evaluated = new Map<string, ModelAnalysis>();
  const score = { evaluate: 0, cli: 0, staticExact: 0, staticPartial: 0 };

  before(async () => {
    await tf.setBackend('cpu');
    workDir = mkdtempSync(join(tmpdir(), 'cnnlab-realworld-'));
    workerScript = join(workDir, 'evaluateWorker.js');
    buildSync({ entryPoints: [join(repoRoot, 'src/model/evaluateWorker.ts')], outfile: workerScript, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error' });
    for (const name of files) oracle.set(name, tfjsTotals(await runWithTfjs(join(folder, name))));
  });

  after(() => {
    rmSync(workDir, { recursive: true, force: true });
    const count = files.length;
    console.log(
      `      score: evaluate path ${score.evaluate}/${count} exact; cnnlab summary --evaluate ${score.cli}/${count} exact; ` +
        `static reader ${score.staticExact}/${count} exact, ${score.staticPartial}/${count} partial with a warning, ${count - score.staticExact - score.staticPartial}/${count} wrong`,
    );
  });

  for (const name of files) {
    const file = join(folder, name);

    it(`${name}: the evaluate path gives tfjs's rows and totals exactly`, async () => {
      const analysis = await evaluateTypeScriptModel(file, readFileSync(file, 'utf8'), { timeoutMs: 10_000, workerScript });
      evaluated.set(name, analysis);
      assert.deepEqual(problemsOf(analysis, 'error'), []);
      assert.deepEqual(differences(oracle.get(name) as Totals, cnnLabTotals(analysis)), []);
      score.evaluate += 1;
    });

    it(`${name}: cnnlab summary --evaluate --json gives tfjs's rows and totals exactly`, async () => {
      let stdout = '';
      let stderr = '';
      const code = await runSummaryCommand([file, '--evaluate', '--json'], { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) }, { workerScript });
      assert.equal(code, 0, stderr);
      const json = JSON.parse(stdout) as { layers: Row[]; totalParams: number; trainableParams: number };
      assert.deepEqual(differences(oracle.get(name) as Totals, { rows: json.layers.map(({ className, outputShape, params }) => ({ className, outputShape, params })), totalParams: json.totalParams, trainableParams: json.trainableParams }), []);
      score.cli += 1;
    });

    it(`${name}: the static reader is exact, or says where it stopped and shows only right rows`, () => {
      const analysis = analyzeModel(readFileSync(file, 'utf8'), file);
      const expected = oracle.get(name) as Totals;
      assert.deepEqual(problemsOf(analysis, 'error'), []);
      if (!stoppedReading(analysis)) {
        assert.deepEqual(problemsOf(analysis, 'warning'), []);
        assert.deepEqual(differences(expected, cnnLabTotals(analysis)), []);
        score.staticExact += 1;
        return;
      }
      const reference = evaluated.get(name);
      assert.ok(reference, 'the evaluate path ran first');
      assert.deepEqual(partialDifferences(expected, reference, analysis), []);
      score.staticPartial += 1;
    });
  }
});

// `cnnlab summary FILE [--json] [--evaluate]`: the Keras-format summary of a model file, or its JSON.
// Exit codes: 0 valid model (warnings, if any, on stderr), 1 the model has errors (each on stderr as
// file:line:col), 2 unreadable file or bad usage, 3 no errors but the summary is incomplete: the
// static TypeScript reader met code it cannot follow without running it (an `unresolved-expression`
// or `analysis-budget` warning says where), so the layers after that point, and the totals, are
// missing. A warning is not an error, so 3 rather than 1; but a partial total must not pass for a
// whole one in a script, so not 0 either. `--evaluate` runs such a module the way the editor does
// in a trusted workspace (src/model/evaluate.ts), so the summary is whole.

import { readFileSync } from 'node:fs';
import { evaluateTypeScriptModel, type EvaluateOptions } from '../model/evaluate';
import { analyzeModel, formatSummary, summaryToJson } from '../model/index';
import { shouldEvaluate } from '../model/documents';
import type { ModelAnalysis, ModelDiagnostic } from '../model/types';
import { installSavedModelReader } from '../keras/modelReader';
import { kerasFileKind, readKerasModelConfig } from '../keras/savedModel';
import { UserError } from '../util/userError';

export interface CliStreams {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const usage = `Usage: cnnlab summary FILE [--json] [--evaluate]

Prints the Keras-style summary of a model file (*.model.json, *.model.ts, Keras's to_json(), or a
Keras saved model: .keras or .h5).
  --json       print the summary as JSON
  --evaluate   when a *.model.ts file has code the reader cannot follow without running it (loops,
               helper functions, custom layers, nested models), run the module against a shape-only
               stand-in of @tensorflow/tfjs, as the editor does in a trusted workspace. This runs the
               file's code: use it on code you trust.
Exit codes: 0 valid, 1 the model has errors, 2 unreadable file or bad usage,
            3 incomplete (code the reader cannot follow; --evaluate runs it).
`;

/** The editor's limit for running a module is 5 s as you type; a command line can wait longer. */
const evaluationTimeoutMs = 10_000;

const readingStopped = (diagnostic: ModelDiagnostic): boolean => diagnostic.code === 'unresolved-expression' || diagnostic.code === 'analysis-budget';

function diagnosticLine(file: string, diagnostic: ModelDiagnostic, note = ''): string {
  // A .keras/.h5 file's positions would be in its embedded config, not in the file: none are given.
  if (kerasFileKind(file)) return `${file}: ${diagnostic.severity}: ${diagnostic.message}${note}\n`;
  const { line, character } = diagnostic.range.start;
  return `${file}:${line + 1}:${character + 1}: ${diagnostic.severity}: ${diagnostic.message}${note}\n`;
}

interface Invocation {
  file: string;
  json: boolean;
  evaluate: boolean;
  text: string;
}

/** The file and flags, and its text; or the exit code after saying what is wrong. */
function parse(args: string[], streams: CliStreams): Invocation | number {
  if (args.includes('-h') || args.includes('--help')) {
    streams.stdout(usage);
    return 0;
  }
  const files = args.filter((arg) => arg !== '--json' && arg !== '--evaluate');
  if (files.length !== 1 || files[0].startsWith('-')) {
    streams.stderr(`cnnlab summary: expected one model file.\n${usage}`);
    return 2;
  }
  const file = files[0];
  // A Keras saved model is binary: runSummaryCommand reads its config (readKerasModelConfig).
  if (kerasFileKind(file)) return { file, json: args.includes('--json'), evaluate: false, text: '' };
  try {
    return { file, json: args.includes('--json'), evaluate: args.includes('--evaluate'), text: readFileSync(file, 'utf8') };
  } catch (error) {
    streams.stderr(`cnnlab summary: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}

/** Prints the summary and the diagnostics; returns the exit code. */
function report(analysis: ModelAnalysis, { file, json, evaluate }: Invocation, streams: CliStreams): number {
  if (json) {
    const summary = analysis.summary ?? {
      name: '', topology: 'sequential' as const, layers: [], totalParams: 0, trainableParams: 0, nonTrainableParams: 0, flops: 0, weightBytes: 0, diagnostics: [],
    };
    streams.stdout(`${JSON.stringify(summaryToJson(summary, analysis.diagnostics), null, 2)}\n`);
  } else if (analysis.summary && analysis.summary.layers.length > 0) {
    streams.stdout(formatSummary(analysis.summary));
  }
  // Said once, on the line where reading stopped: running the module would get past it.
  const hinted = !evaluate && analysis.format === 'typescript' ? analysis.diagnostics.find(readingStopped) : undefined;
  for (const diagnostic of analysis.diagnostics) {
    const note = diagnostic === hinted ? ` \`cnnlab summary ${file} --evaluate\` would run the module to follow it (only for code you trust).` : '';
    if (diagnostic.severity === 'error' || !json) streams.stderr(diagnosticLine(file, diagnostic, note));
  }
  if (analysis.diagnostics.some((diagnostic) => diagnostic.severity === 'error')) return 1;
  return analysis.diagnostics.some(readingStopped) ? 3 : 0;
}

/** `cnnlab summary` without `--evaluate`: reads the file, never runs it. */
export function runSummary(args: string[], streams: CliStreams): number {
  const invocation = parse(args, streams);
  if (typeof invocation === 'number') return invocation;
  if (kerasFileKind(invocation.file)) {
    streams.stderr(`cnnlab summary: ${invocation.file} is a Keras saved model, which is read asynchronously (runSummaryCommand).\n`);
    return 2;
  }
  // .keras bases read at once, .h5 ones once the HDF5 reader has loaded (runSummaryCommand waits for it).
  void installSavedModelReader().catch(() => undefined);
  return report(analyzeModel(invocation.text, invocation.file), invocation, streams);
}

/** `cnnlab summary`, running the module with `--evaluate` when reading it is not enough (as the editor and the trainer do). */
export async function runSummaryCommand(args: string[], streams: CliStreams, options: Partial<EvaluateOptions> = {}): Promise<number> {
  const invocation = parse(args, streams);
  if (typeof invocation === 'number') return invocation;
  if (kerasFileKind(invocation.file)) {
    try {
      invocation.text = (await readKerasModelConfig(invocation.file)).configText;
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      streams.stderr(`cnnlab summary: ${error.message}${error.hint ? `\n${error.hint}` : ''}\n`);
      return 2;
    }
  }
  const { file, text, evaluate } = invocation;
  // A saved model used as a layer ("type": "Model", "path": …) is read through src/keras.
  await installSavedModelReader();
  const analysis = analyzeModel(text, file);
  const evaluated = evaluate && shouldEvaluate(analysis, true) ? await evaluateTypeScriptModel(file, text, { timeoutMs: evaluationTimeoutMs, ...options }) : analysis;
  return report(evaluated, invocation, streams);
}

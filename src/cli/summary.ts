// `cnnlab summary FILE [--json]`: the Keras-format summary of a model file, or its JSON.
// Exit codes: 0 valid model (warnings, if any, on stderr), 1 the model has errors (each on stderr as
// file:line:col), 2 unreadable file or bad usage, 3 no errors but the summary is incomplete: the
// static TypeScript reader met code it cannot follow without running it (an `unresolved-expression`
// or `analysis-budget` warning says where), so the layers after that point, and the totals, are
// missing. A warning is not an error, so 3 rather than 1; but a partial total must not pass for a
// whole one in a script, so not 0 either.

import { readFileSync } from 'node:fs';
import { analyzeModel, formatSummary, summaryToJson } from '../model/index';
import type { ModelDiagnostic } from '../model/types';

export interface CliStreams {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const usage = 'Usage: cnnlab summary FILE [--json]\n';

function diagnosticLine(file: string, diagnostic: ModelDiagnostic): string {
  const { line, character } = diagnostic.range.start;
  return `${file}:${line + 1}:${character + 1}: ${diagnostic.severity}: ${diagnostic.message}\n`;
}

export function runSummary(args: string[], streams: CliStreams): number {
  const json = args.includes('--json');
  const files = args.filter((arg) => arg !== '--json');
  if (args.includes('-h') || args.includes('--help')) {
    streams.stdout(usage);
    return 0;
  }
  if (files.length !== 1 || files[0].startsWith('-')) {
    streams.stderr(`cnnlab summary: expected one model file.\n${usage}`);
    return 2;
  }
  const file = files[0];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    streams.stderr(`cnnlab summary: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const analysis = analyzeModel(text, file);
  const invalid = analysis.diagnostics.some((diagnostic) => diagnostic.severity === 'error');
  if (json) {
    const summary = analysis.summary ?? {
      name: '', topology: 'sequential' as const, layers: [], totalParams: 0, trainableParams: 0, nonTrainableParams: 0, flops: 0, weightBytes: 0, diagnostics: [],
    };
    streams.stdout(`${JSON.stringify(summaryToJson(summary, analysis.diagnostics), null, 2)}\n`);
  } else if (analysis.summary && analysis.summary.layers.length > 0) {
    streams.stdout(formatSummary(analysis.summary));
  }
  for (const diagnostic of analysis.diagnostics) {
    if (diagnostic.severity === 'error' || !json) streams.stderr(diagnosticLine(file, diagnostic));
  }
  if (invalid) return 1;
  const incomplete = analysis.diagnostics.some((diagnostic) => diagnostic.code === 'unresolved-expression' || diagnostic.code === 'analysis-budget');
  return incomplete ? 3 : 0;
}

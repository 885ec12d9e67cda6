// The model core's public API: detect a file's format, read it into the IR, summarize it,
// and return every diagnostic. Nothing here throws on malformed input.

import { parseTree } from 'jsonc-parser';
import { parseJsonModel, type FrontEndResult } from './frontends/json';
import { isKerasModelJson, parseKerasModel } from './frontends/keras';
import { parseTypeScriptModel } from './frontends/typescript';
import { summarizeModel } from './summarize';
import type { ModelAnalysis, ModelFormat } from './types';

export { LAYER_CATALOG, type LayerKind, type OptionSpec, type OptionKind } from './catalog';
export { formatSummary, summaryToJson, diagnosticToJson, type SummaryJson, type LayerJson, type DiagnosticJson } from './format';
export { formatShape, formatTuple, convOutputLength, withThousands } from './shape';
export { summarizeModel } from './summarize';
export { buildModelSchema } from './schema';

/** `*.model.ts` → typescript; Keras `to_json()` output → keras (whatever the file name); `*.model.json` → json. */
export function detectFormat(text: string, fileName: string): ModelFormat | undefined {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.model.ts')) return 'typescript';
  if (lower.endsWith('.json') || lower.endsWith('.model.json') || text.trimStart().startsWith('{')) {
    const root = safeParse(text);
    if (root && isKerasModelJson(root)) return 'keras';
  }
  if (lower.endsWith('.model.json')) return 'json';
  return undefined;
}

function safeParse(text: string): ReturnType<typeof parseTree> {
  try {
    return parseTree(text, [], { allowTrailingComma: true });
  } catch {
    return undefined;
  }
}

function frontEnd(format: ModelFormat, text: string, fileName: string): FrontEndResult {
  switch (format) {
    case 'json':
      return parseJsonModel(text, fileName);
    case 'keras':
      return parseKerasModel(text, fileName);
    case 'typescript':
      return parseTypeScriptModel(text, fileName);
  }
}

/** Reads, summarizes and checks one model file. Never throws. */
export function analyzeModel(text: string, fileName: string): ModelAnalysis {
  const format = detectFormat(text, fileName);
  if (!format) {
    return {
      diagnostics: [
        {
          severity: 'error',
          code: 'not-a-model',
          message: `${fileName} is not a model file CNN Lab reads: expected a *.model.json file, a *.model.ts file or the output of Keras's model.to_json().`,
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        },
      ],
    };
  }
  try {
    const { ir, diagnostics } = frontEnd(format, text, fileName);
    // A syntax error is reported once, alone: the parsers recover and go on, so further syntax
    // errors are mostly echoes of the first (a missing brace is also "end of file expected"), and
    // checks of the tree they recovered (a layer cut short lacks its required options) would be
    // errors the user did not make. They are checked again once the syntax is right. Layers that
    // parsed whole keep their summaries, so lenses do not flicker away while typing.
    const syntaxError = diagnostics.find((diagnostic) => diagnostic.syntax !== undefined);
    if (syntaxError) {
      if (!ir) return { format, diagnostics: [syntaxError] };
      const partial = summarizeModel(ir);
      return { format, ir, summary: { ...partial, diagnostics: [syntaxError] }, diagnostics: [syntaxError] };
    }
    if (!ir) return { format, diagnostics };
    const summary = summarizeModel(ir);
    return { format, ir, summary, diagnostics: [...diagnostics, ...summary.diagnostics] };
  } catch (error) {
    // A bug in a front end must not take down the editor: report it where the user sees it.
    return {
      format,
      diagnostics: [
        {
          severity: 'error',
          code: 'parse-error',
          message: `CNN Lab could not read this model (internal error: ${error instanceof Error ? error.message : String(error)}). Please report it with the file.`,
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        },
      ],
    };
  }
}

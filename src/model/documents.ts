// Which documents are models, and which of them CNN Lab may run: decided by name, language and a
// cheap look at the text, by the editor, the CLI and the trainer alike.

import { detectFormat } from './index';
import type { ModelAnalysis, ModelFormat } from './types';
import { MODEL_FILE_SUFFIXES } from './vocabulary';


/** Keras `to_json()` output above this size is not sniffed: nobody hand-edits such a file, and it keeps big JSON cheap. */
export const maxSniffedJsonLength = 5 * 1024 * 1024;

const formatBySuffix: Record<(typeof MODEL_FILE_SUFFIXES)[number], ModelFormat> = { '.model.json': 'json', '.model.ts': 'typescript' };

/** Our own model files, recognised by name whatever their content (a broken one still deserves its diagnostics). */
export function formatFromFileName(fileName: string): ModelFormat | undefined {
  const lower = fileName.toLowerCase();
  const suffix = MODEL_FILE_SUFFIXES.find((candidate) => lower.endsWith(candidate));
  return suffix === undefined ? undefined : formatBySuffix[suffix];
}

/** Whether a document is worth a look at all; everything else is ignored without reading it. */
export function mayBeModelDocument(fileName: string, languageId: string): boolean {
  return formatFromFileName(fileName) !== undefined || languageId === 'json';
}

/** The model format of a document, or `undefined` for every other file; cheap for ordinary JSON. */
export function modelFormatOf(fileName: string, languageId: string, text: string): ModelFormat | undefined {
  const byName = formatFromFileName(fileName);
  if (byName) return detectFormat(text, fileName) ?? byName;
  if (languageId !== 'json' || text.length > maxSniffedJsonLength) return undefined;
  // Every Keras `to_json()` document names its classes; a substring test spares parsing package.json and friends.
  if (!text.includes('"class_name"')) return undefined;
  return detectFormat(text, fileName);
}

/**
 * Whether to run a `*.model.ts` module for its shapes (src/model/evaluate.ts): only when reading it
 * statically gave up on an expression (or on one too costly to follow), and only in a trusted
 * workspace, since it runs the user's code.
 */
export function shouldEvaluate(analysis: ModelAnalysis | undefined, workspaceTrusted: boolean): boolean {
  return (
    workspaceTrusted &&
    analysis?.format === 'typescript' &&
    analysis.diagnostics.some((diagnostic) => diagnostic.code === 'unresolved-expression' || diagnostic.code === 'analysis-budget')
  );
}

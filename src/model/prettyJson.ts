// Pretty-printing a one-line model file (a Keras `to_json()` dump) so each layer gets its own line,
// and with it its own lens. Pure: the editor applies the edit this computes as one replacement.

import { parseTree, type Node, type ParseError } from 'jsonc-parser';
import type { ModelAnalysis, SourceRange } from './types';

/**
 * The text, pretty-printed with a two-space indent: keys in their written order, numbers and
 * strings exactly as written, lists of plain values kept on one line (`[null, 28, 28, 1]`), every
 * object and every list of objects spread one entry a line. `undefined` when the text is not
 * strict JSON (a syntax error, or comments, which this would drop).
 */
export function prettyPrintJson(text: string, indentUnit = '  '): string | undefined {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
  if (!root || errors.length > 0) return undefined;
  return `${print(root, text, '', indentUnit)}\n`;
}

function print(node: Node, text: string, indent: string, unit: string): string {
  const inner = indent + unit;
  if (node.type === 'object') {
    const members = node.children ?? [];
    if (members.length === 0) return '{}';
    const lines = members.map((member) => {
      const [key, value] = member.children ?? [];
      return `${inner}${text.slice(key.offset, key.offset + key.length)}: ${print(value, text, inner, unit)}`;
    });
    return `{\n${lines.join(',\n')}\n${indent}}`;
  }
  if (node.type === 'array') {
    const items = node.children ?? [];
    if (items.length === 0) return '[]';
    if (items.every((item) => item.type !== 'object' && item.type !== 'array')) return `[${items.map((item) => print(item, text, inner, unit)).join(', ')}]`;
    return `[\n${items.map((item) => `${inner}${print(item, text, inner, unit)}`).join(',\n')}\n${indent}]`;
  }
  return text.slice(node.offset, node.offset + node.length);
}

/** Whether every layer of the model is written on one line (at least two layers), as in a Keras `to_json()` file. */
export function modelIsOnOneLine(analysis: ModelAnalysis): boolean {
  const lines = new Set((analysis.ir?.layers ?? []).flatMap((layer) => (layer.range ? [layer.range.start.line] : [])));
  const count = (analysis.ir?.layers ?? []).filter((layer) => layer.range).length;
  return count >= 2 && lines.size === 1;
}

export interface FormatModelFix {
  title: string;
  /** The line the offer is made on (where the layers are). */
  line: number;
  /** Replaces the whole document: one edit, one undo step. */
  edit: { range: SourceRange; newText: string };
}

/**
 * The offer to format a JSON model file written on one line, or `undefined` when there is nothing
 * to gain (the layers already have their own lines, a TypeScript model, text that is not strict JSON).
 */
export function formatModelFix(analysis: ModelAnalysis, text: string): FormatModelFix | undefined {
  if (analysis.format !== 'json' && analysis.format !== 'keras') return undefined;
  if (!modelIsOnOneLine(analysis)) return undefined;
  const formatted = prettyPrintJson(text);
  if (formatted === undefined || formatted === text) return undefined;
  // The layers that get a lens: a Sequential model's InputLayer is no row of Keras's summary, and has none.
  const ir = analysis.ir;
  const layerCount = ir?.layers.filter((layer) => !(ir.topology === 'sequential' && layer.className === 'InputLayer')).length ?? 0;
  const what = analysis.format === 'keras' ? 'Keras model' : 'model';
  return {
    title: `Format this ${what} to see a lens above each of its ${layerCount} layers`,
    line: analysis.ir?.layers.find((layer) => layer.range)?.range?.start.line ?? 0,
    edit: { range: wholeText(text), newText: formatted },
  };
}

function wholeText(text: string): SourceRange {
  const lines = text.split('\n');
  return { start: { line: 0, character: 0 }, end: { line: lines.length - 1, character: lines[lines.length - 1].length } };
}

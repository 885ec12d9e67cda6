// Offsets → line/character positions, and the JSON tree helpers both JSON front ends share.

import { getNodeValue, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import type { ModelDiagnostic, SourcePosition, SourceRange } from './types';

export class LineMap {
  private readonly lineStarts: number[] = [0];

  constructor(text: string) {
    for (let index = 0; index < text.length; index += 1) {
      if (text.charCodeAt(index) === 10) this.lineStarts.push(index + 1);
    }
  }

  position(offset: number): SourcePosition {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.lineStarts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low, character: offset - this.lineStarts[low] };
  }

  range(start: number, end: number): SourceRange {
    return { start: this.position(start), end: this.position(end) };
  }

  /** The whitespace that starts the line holding `offset`. */
  indentAt(text: string, offset: number): string {
    const lineStart = this.lineStarts[this.position(offset).line];
    return /^[ \t]*/.exec(text.slice(lineStart, offset))?.[0] ?? '';
  }
}

const PARSE_ERROR_ADVICE: Record<string, string> = {
  InvalidSymbol: 'remove or quote the unexpected text',
  InvalidNumberFormat: 'write the number in plain decimal form',
  PropertyNameExpected: 'property names must be double-quoted strings',
  ValueExpected: 'add a value (number, string, list or object)',
  ColonExpected: 'put a colon between the property name and its value',
  CommaExpected: 'separate items with commas',
  CloseBraceExpected: 'close the object with }',
  CloseBracketExpected: 'close the list with ]',
  EndOfFileExpected: 'remove the text after the end of the top-level value',
};

/** Parses JSON (comments and trailing commas tolerated) and reports every syntax error with its position. */
export function parseJsonTree(text: string, lines: LineMap): { root: Node | undefined; diagnostics: ModelDiagnostic[] } {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  const diagnostics = errors.map((error): ModelDiagnostic => {
    const name = printParseErrorCode(error.error);
    const advice = PARSE_ERROR_ADVICE[name] ?? 'fix the JSON syntax';
    return {
      severity: 'error',
      code: 'parse-error',
      message: `Invalid JSON: ${name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()} at line ${lines.position(error.offset).line + 1}: ${advice}.`,
      range: lines.range(error.offset, error.offset + Math.max(error.length, 1)),
    };
  });
  return { root, diagnostics };
}

/** The value node of `key` in an object node. */
export function property(node: Node | undefined, key: string): Node | undefined {
  if (node?.type !== 'object') return undefined;
  for (const child of node.children ?? []) {
    const [keyNode, valueNode] = child.children ?? [];
    if (keyNode?.value === key) return valueNode;
  }
  return undefined;
}

/** Every `[keyNode, valueNode]` of an object node, in order, skipping incomplete properties. */
export function properties(node: Node | undefined): [Node, Node][] {
  if (node?.type !== 'object') return [];
  const pairs: [Node, Node][] = [];
  for (const child of node.children ?? []) {
    const [keyNode, valueNode] = child.children ?? [];
    if (keyNode && valueNode) pairs.push([keyNode, valueNode]);
  }
  return pairs;
}

export function valueOf(node: Node): unknown {
  return getNodeValue(node);
}

export function nodeRange(lines: LineMap, node: Node): SourceRange {
  return lines.range(node.offset, node.offset + node.length);
}

/** A string node's range without its quotes. */
export function innerStringRange(lines: LineMap, node: Node): SourceRange {
  return node.type === 'string' && node.length >= 2 ? lines.range(node.offset + 1, node.offset + node.length - 1) : nodeRange(lines, node);
}

// Offsets → line/character positions, and the JSON tree helpers both JSON front ends share.

import { parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
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

/** The file's indent unit: the leading whitespace of its first indented line (two spaces when none is). */
export function indentUnit(text: string): string {
  const match = /^([ \t]+)\S/m.exec(text);
  return match ? match[1] : '  ';
}

/** The line break the file uses. */
export function lineBreakOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/**
 * How a new first property of the object whose `{` is at `braceOffset` should be laid out: the
 * indentation of its own line when the object's content starts on a later line (the first existing
 * property's indentation; for an empty object, the brace line's plus the file's indent unit), or
 * `undefined` when the content shares the brace's line (a one-line object stays on one line).
 */
export function firstPropertyIndent(text: string, braceOffset: number): string | undefined {
  let index = braceOffset + 1;
  let newline = false;
  while (index < text.length && /\s/.test(text[index])) {
    if (text[index] === '\n') newline = true;
    index += 1;
  }
  if (!newline) return undefined;
  const lineStart = text.lastIndexOf('\n', index - 1) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart, index))?.[0] ?? '';
  if (text[index] !== '}' || index >= text.length) return indent;
  const braceLineStart = text.lastIndexOf('\n', braceOffset) + 1;
  const braceIndent = /^[ \t]*/.exec(text.slice(braceLineStart, braceOffset))?.[0] ?? '';
  return braceIndent + indentUnit(text);
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
/**
 * Model files nest a few levels (model, layers, a layer, an option's list); jsonc-parser recurses
 * once per level and would overflow the stack near ten thousand.
 */
const MAX_JSON_NESTING = 256;

export function parseJsonTree(text: string, lines: LineMap): { root: Node | undefined; diagnostics: ModelDiagnostic[] } {
  const tooDeep = tooDeeplyNested(text, MAX_JSON_NESTING);
  if (tooDeep !== undefined) {
    return {
      root: undefined,
      diagnostics: [
        {
          severity: 'error',
          code: 'parse-error',
          message: `The JSON is nested more than ${MAX_JSON_NESTING} levels deep here, which no model needs; CNN Lab does not read it. Flatten the nesting.`,
          range: lines.range(tooDeep, tooDeep + 1),
        },
      ],
    };
  }
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
      syntax: 'json',
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

/**
 * Sets `object[key]` as an own property whatever the key: a `__proto__` key written in a file is
 * an option like any other (and reported as unknown), never the object's prototype.
 */
export function setOwn(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The JavaScript value of a node; keys such as `__proto__` become plain own properties. */
export function valueOf(node: Node): unknown {
  switch (node.type) {
    case 'array':
      return (node.children ?? []).map(valueOf);
    case 'object': {
      const object: Record<string, unknown> = {};
      for (const [keyNode, valueNode] of properties(node)) setOwn(object, String(keyNode.value), valueOf(valueNode));
      return object;
    }
    case 'null':
      return null;
    default:
      return node.value;
  }
}

export function nodeRange(lines: LineMap, node: Node): SourceRange {
  return lines.range(node.offset, node.offset + node.length);
}

/** A string node's range without its quotes. */
export function innerStringRange(lines: LineMap, node: Node): SourceRange {
  return node.type === 'string' && node.length >= 2 ? lines.range(node.offset + 1, node.offset + node.length - 1) : nodeRange(lines, node);
}

/**
 * The offset of the first bracket (`(`, `[`, `{`, `${`) nested deeper than `limit`, or `undefined`.
 * A rough scan, linear in the text: it skips comments and strings (template literals included) but
 * not regular expressions, whose brackets may count; only absurd nesting is refused anyway.
 */
export function tooDeeplyNested(text: string, limit: number): number | undefined {
  let depth = 0;
  // For each open `${`, the depth at which its `}` returns to the template literal.
  const templates: number[] = [];
  let index = 0;
  const length = text.length;
  /** Skips template text from `index` to the closing backtick or a `${`, which it enters. */
  const templateText = (): number | undefined => {
    while (index < length) {
      const char = text[index];
      if (char === '\\') index += 2;
      else if (char === '`') {
        index += 1;
        return undefined;
      } else if (char === '$' && text[index + 1] === '{') {
        index += 2;
        depth += 1;
        templates.push(depth);
        if (depth > limit) return index - 2;
        return undefined;
      } else index += 1;
    }
    return undefined;
  };
  while (index < length) {
    const char = text[index];
    if (char === '/' && text[index + 1] === '/') {
      const end = text.indexOf('\n', index);
      index = end < 0 ? length : end + 1;
    } else if (char === '/' && text[index + 1] === '*') {
      const end = text.indexOf('*/', index + 2);
      index = end < 0 ? length : end + 2;
    } else if (char === '"' || char === "'") {
      index += 1;
      while (index < length && text[index] !== char && text[index] !== '\n') index += text[index] === '\\' ? 2 : 1;
      index += 1;
    } else if (char === '`') {
      index += 1;
      const deep = templateText();
      if (deep !== undefined) return deep;
    } else if (char === '(' || char === '[' || char === '{') {
      depth += 1;
      if (depth > limit) return index;
      index += 1;
    } else if (char === ')' || char === ']' || char === '}') {
      index += 1;
      if (char === '}' && templates.length > 0 && templates[templates.length - 1] === depth) {
        templates.pop();
        depth -= 1;
        const deep = templateText();
        if (deep !== undefined) return deep;
      } else if (depth > 0) depth -= 1;
    } else index += 1;
  }
  return undefined;
}

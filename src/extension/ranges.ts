import * as vscode from 'vscode';
import type { SourcePosition, SourceRange } from '../model/types';

export function toVscodeRange(range: SourceRange): vscode.Range {
  return new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);
}

export function fromVscodeRange(range: vscode.Range): SourceRange {
  return { start: fromVscodePosition(range.start), end: fromVscodePosition(range.end) };
}

export function fromVscodePosition(position: vscode.Position): SourcePosition {
  return { line: position.line, character: position.character };
}

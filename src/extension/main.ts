import type * as vscode from 'vscode';
import { Ctx } from './ctx';

let ctx: Ctx | undefined;

export function activate(extension: vscode.ExtensionContext): void {
  ctx = new Ctx(extension);
  extension.subscriptions.push(ctx);
  // One line per feature: each file registers its own commands, providers and views.
}

export function deactivate(): void {
  ctx?.dispose();
  ctx = undefined;
}

import * as vscode from 'vscode';
import { layerAt, layerHoverMarkdown } from '../model/presentation';
import type { Ctx } from './ctx';
import { modelDocumentSelector, type ModelDocuments } from './modelDocuments';
import { fromVscodePosition, toVscodeRange } from './ranges';

/** Hovering a layer or one of its options explains its shape, parameters and FLOPs with the user's numbers. */
export function register(ctx: Ctx, models: ModelDocuments): void {
  ctx.own(
    vscode.languages.registerHoverProvider(modelDocumentSelector, {
      provideHover(document, position) {
        try {
          const analysis = models.analysisOf(document);
          if (!analysis) return undefined;
          const layer = layerAt(analysis, fromVscodePosition(position));
          if (!layer?.range) return undefined;
          return new vscode.Hover(new vscode.MarkdownString(layerHoverMarkdown(analysis, layer)), toVscodeRange(layer.range));
        } catch (error) {
          ctx.output.appendLine(`hover in ${document.uri.fsPath} failed: ${String(error)}`);
          return undefined;
        }
      },
    }),
  );
}

import * as vscode from 'vscode';
import { layerAt, layerHoverMarkdown } from './presentation';
import type { Ctx } from './ctx';
import { modelDocumentSelector, type ModelDocuments } from './modelDocuments';
import { fromVscodePosition, toVscodeRange } from './ranges';

/**
 * The hover's Markdown. Layer names and types come from the workspace and are escaped by the model
 * core; this keeps the rest shut as well: no command links, HTML or theme icons.
 */
function hoverMarkdown(value: string): vscode.MarkdownString {
  const markdown = new vscode.MarkdownString(value);
  markdown.isTrusted = false;
  markdown.supportHtml = false;
  markdown.supportThemeIcons = false;
  return markdown;
}

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
          return new vscode.Hover(hoverMarkdown(layerHoverMarkdown(analysis, layer)), toVscodeRange(layer.range));
        } catch (error) {
          ctx.output.appendLine(`hover in ${document.uri.fsPath} failed: ${String(error)}`);
          return undefined;
        }
      },
    }),
  );
}

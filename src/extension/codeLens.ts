import * as vscode from 'vscode';
import { lensItems } from '../model/presentation';
import type { Ctx } from './ctx';
import { modelDocumentSelector, type ModelDocuments } from './modelDocuments';
import { toVscodeRange } from './ranges';
import { showSummaryCommand } from './summaryView';

/** Shape and parameter count above every layer, totals on the model; clicking opens the Keras summary. */
export function register(ctx: Ctx, models: ModelDocuments): void {
  const lensesChanged = new vscode.EventEmitter<void>();
  ctx.own(
    lensesChanged,
    models.onDidChange(() => lensesChanged.fire()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('cnnLab.codeLens.enabled')) lensesChanged.fire();
    }),
    vscode.languages.registerCodeLensProvider(modelDocumentSelector, {
      onDidChangeCodeLenses: lensesChanged.event,
      provideCodeLenses(document) {
        try {
          if (!vscode.workspace.getConfiguration('cnnLab').get<boolean>('codeLens.enabled', true)) return [];
          const analysis = models.analysisOf(document);
          if (!analysis) return [];
          return lensItems(analysis).map(
            (item) =>
              new vscode.CodeLens(toVscodeRange(item.range), {
                title: item.title,
                command: showSummaryCommand,
                arguments: [document.uri],
              }),
          );
        } catch (error) {
          ctx.output.appendLine(`code lenses for ${document.uri.fsPath} failed: ${String(error)}`);
          return [];
        }
      },
    }),
  );
}

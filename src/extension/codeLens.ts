import * as vscode from 'vscode';
import { lensItems, modelLensTitle, shouldEvaluate } from '../model/presentation';
import type { ModelAnalysis } from '../model/types';
import type { Ctx } from './ctx';
import { modelDocumentSelector, type ModelDocuments } from './modelDocuments';
import { toVscodeRange } from './ranges';
import { showSummaryCommand } from './summaryView';

/** The model lens while a `.model.ts` module is being run for its shapes. */
export const resolvingLensTitle = 'Total resolving… (running the module for its shapes)';

/** The model lens of a `.model.ts` file the static reader could not follow, in an untrusted workspace. */
export const needsTrustLensTitle = 'Total: needs a trusted workspace to count (the static reading stopped early)';

/** The static reader stopped before the end of a `.model.ts` model: its totals cover only part of it. */
function isPartial(analysis: ModelAnalysis): boolean {
  return analysis.format === 'typescript' && (analysis.ir?.incomplete === true || shouldEvaluate(analysis, true));
}

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
          const items = lensItems(analysis);
          // The static reader stopped early and the module is being run for its shapes: its
          // partial totals (often "Total 0 params") would be wrong for that moment; say so instead.
          if (items.length > 0 && modelLensTitle(analysis) === items[0].title) {
            if (models.isResolving(document)) items[0] = { ...items[0], title: resolvingLensTitle };
            // Untrusted, the module is never run: its partial totals would be wrong, not just early.
            else if (isPartial(analysis) && !vscode.workspace.isTrusted) items[0] = { ...items[0], title: needsTrustLensTitle };
          }
          return items.map(
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

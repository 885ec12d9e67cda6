import * as vscode from 'vscode';
import { layersOnOneLineSummaryTitle, lensItems, modelLensTitle, type LensItem } from './presentation';
import { shouldEvaluate } from '../model/documents';
import type { ModelAnalysis } from '../model/types';
import type { Ctx } from './ctx';
import { formatOffer, formatOneLineModelCommand } from './formatOneLine';
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

/** The model lens says what is true now: its partial totals (often "Total 0 params") would be wrong. */
function modelLensItem(item: LensItem, document: vscode.TextDocument, analysis: ModelAnalysis, models: ModelDocuments): LensItem {
  if (models.isResolving(document)) return { ...item, title: resolvingLensTitle };
  // Untrusted, the module is never run: its partial totals would be wrong, not just early.
  if (isPartial(analysis) && !vscode.workspace.isTrusted) return { ...item, title: needsTrustLensTitle };
  return item;
}

/**
 * A lens standing for layers piled on one line formats the file when clicked, as its title invites;
 * where formatting cannot spread that line out, it says so and opens the summary instead.
 */
function pileLens(item: LensItem, layersOnLine: number, document: vscode.TextDocument, models: ModelDocuments): vscode.CodeLens {
  const range = toVscodeRange(item.range);
  if (formatOffer(document, models)?.line === item.range.start.line) {
    return new vscode.CodeLens(range, { title: item.title, command: formatOneLineModelCommand, arguments: [document.uri] });
  }
  return new vscode.CodeLens(range, { title: layersOnOneLineSummaryTitle(layersOnLine), command: showSummaryCommand, arguments: [document.uri] });
}

function lensesFor(document: vscode.TextDocument, analysis: ModelAnalysis, models: ModelDocuments): vscode.CodeLens[] {
  const items = lensItems(analysis);
  if (items.length > 0 && modelLensTitle(analysis) === items[0].title) items[0] = modelLensItem(items[0], document, analysis, models);
  return items.map((item) =>
    item.layersOnLine !== undefined
      ? pileLens(item, item.layersOnLine, document, models)
      : new vscode.CodeLens(toVscodeRange(item.range), { title: item.title, command: showSummaryCommand, arguments: [document.uri] }),
  );
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
          return analysis ? lensesFor(document, analysis, models) : [];
        } catch (error) {
          ctx.output.appendLine(`code lenses for ${document.uri.fsPath} failed: ${String(error)}`);
          return [];
        }
      },
    }),
  );
}

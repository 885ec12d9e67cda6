import * as vscode from 'vscode';
import { diagnosticSource, fixesFor } from './presentation';
import type { Ctx } from './ctx';
import { formatEdit, formatOffer } from './formatOneLine';
import { modelDocumentSelector, type ModelDocuments } from './modelDocuments';
import { fromVscodeRange, toVscodeRange } from './ranges';

function diagnosticCode(diagnostic: vscode.Diagnostic): string | number | undefined {
  return typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code;
}

/** Offers to spread a one-line model file (a Keras `to_json()` dump) out, so each layer gets its lens. */
function formatAction(document: vscode.TextDocument, range: vscode.Range, models: ModelDocuments): vscode.CodeAction | undefined {
  const offer = formatOffer(document, models);
  if (!offer || range.start.line > offer.line || range.end.line < offer.line) return undefined;
  const action = new vscode.CodeAction(offer.title, vscode.CodeActionKind.QuickFix);
  action.edit = formatEdit(document, offer);
  return action;
}

/**
 * Offers the fixes the model core attaches to its diagnostics (e.g. padding 'same' for a shrinking
 * conv), and on the line of a model written on one line, to format the file.
 */
export function register(ctx: Ctx, models: ModelDocuments): void {
  ctx.own(
    vscode.languages.registerCodeActionsProvider(
      modelDocumentSelector,
      {
        provideCodeActions(document, range, context) {
          try {
            const format = formatAction(document, range, models);
            const formatActions = format ? [format] : [];
            const ours = context.diagnostics.filter((diagnostic) => diagnostic.source === diagnosticSource);
            if (ours.length === 0) return formatActions;
            const analysis = models.analysisOf(document);
            if (!analysis) return formatActions;
            const shown = ours.map((diagnostic) => ({ range: fromVscodeRange(diagnostic.range), code: diagnosticCode(diagnostic), message: diagnostic.message }));
            const fixes = fixesFor(analysis, shown).map(({ fix, shownIndex, preferred }) => {
              const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
              action.diagnostics = [ours[shownIndex]];
              action.isPreferred = preferred;
              action.edit = new vscode.WorkspaceEdit();
              for (const edit of fix.edits) action.edit.replace(document.uri, toVscodeRange(edit.range), edit.newText);
              return action;
            });
            return [...fixes, ...formatActions];
          } catch (error) {
            ctx.output.appendLine(`quick fixes in ${document.uri.fsPath} failed: ${String(error)}`);
            return [];
          }
        },
      },
      { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
    ),
  );
}

import * as vscode from 'vscode';
import { diagnosticSource, fixesFor } from '../model/presentation';
import type { Ctx } from './ctx';
import { modelDocumentSelector, type ModelDocuments } from './modelDocuments';
import { fromVscodeRange, toVscodeRange } from './ranges';

function diagnosticCode(diagnostic: vscode.Diagnostic): string | number | undefined {
  return typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code;
}

/** Offers the fixes the model core attaches to its diagnostics (e.g. padding 'same' for a shrinking conv). */
export function register(ctx: Ctx, models: ModelDocuments): void {
  ctx.own(
    vscode.languages.registerCodeActionsProvider(
      modelDocumentSelector,
      {
        provideCodeActions(document, _range, context) {
          try {
            const ours = context.diagnostics.filter((diagnostic) => diagnostic.source === diagnosticSource);
            if (ours.length === 0) return [];
            const analysis = models.analysisOf(document);
            if (!analysis) return [];
            const shown = ours.map((diagnostic) => ({ range: fromVscodeRange(diagnostic.range), code: diagnosticCode(diagnostic), message: diagnostic.message }));
            return fixesFor(analysis, shown).map(({ fix, shownIndex, preferred }) => {
              const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
              action.diagnostics = [ours[shownIndex]];
              action.isPreferred = preferred;
              action.edit = new vscode.WorkspaceEdit();
              for (const edit of fix.edits) action.edit.replace(document.uri, toVscodeRange(edit.range), edit.newText);
              return action;
            });
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

// Spreading a model file written on one line (a Keras `to_json()` dump) out, so each layer gets its
// own line and lens. Offered twice with one edit: as a quick fix on the model's line, and by the
// "N layers on this line — format the file to see each" lens, which runs it when clicked.
import * as vscode from 'vscode';
import type { CommandId } from './commands';
import { formatModelFix, type FormatModelFix } from '../model/prettyJson';
import type { Ctx } from './ctx';
import type { ModelDocuments } from './modelDocuments';
import { toVscodeRange } from './ranges';

export const formatOneLineModelCommand = 'cnnLab.formatOneLineModel' satisfies CommandId;

/** The offer for this document as it is now, or undefined when there is nothing to spread out. */
export function formatOffer(document: vscode.TextDocument, models: ModelDocuments): FormatModelFix | undefined {
  const analysis = models.analysisOf(document);
  return analysis ? formatModelFix(analysis, document.getText()) : undefined;
}

/** The offer as a workspace edit: one replacement of the whole text, so one undo step. */
export function formatEdit(document: vscode.TextDocument, offer: FormatModelFix): vscode.WorkspaceEdit {
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, toVscodeRange(offer.edit.range), offer.edit.newText);
  return edit;
}

async function formatDocument(uri: vscode.Uri, models: ModelDocuments): Promise<void> {
  const document = vscode.workspace.textDocuments.find((open) => open.uri.toString() === uri.toString()) ?? (await vscode.workspace.openTextDocument(uri));
  // Read again at the click: the file may have changed since the lens was drawn.
  const offer = formatOffer(document, models);
  if (!offer) {
    void vscode.window.showInformationMessage('CNN Lab: this model file has nothing left to spread out: its layers are on their own lines, or it is not strict JSON.');
    return;
  }
  if (!(await vscode.workspace.applyEdit(formatEdit(document, offer)))) {
    void vscode.window.showErrorMessage(`CNN Lab: could not format ${uri.fsPath}; it may be read-only.`);
  }
}

export function register(ctx: Ctx, models: ModelDocuments): void {
  ctx.registerCommand(formatOneLineModelCommand, async (uri?: vscode.Uri) => {
    const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
    if (target) await formatDocument(target, models);
  });
}

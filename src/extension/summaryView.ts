import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CommandId } from './commands';
import { summaryDocumentText } from './presentation';
import type { Ctx } from './ctx';
import type { ModelDocuments } from './modelDocuments';

export const showSummaryCommand = 'cnnLab.showSummary' satisfies CommandId;
const summaryScheme = 'cnnlab-summary';

/** The summary of a model file lives at `cnnlab-summary:/<file name> (summary)?<model file uri>`. */
function summaryUriFor(modelUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.from({ scheme: summaryScheme, path: `/${path.basename(modelUri.path)} (summary)`, query: modelUri.toString() });
}

async function modelDocumentFor(summaryUri: vscode.Uri): Promise<vscode.TextDocument> {
  const modelUri = vscode.Uri.parse(summaryUri.query, true);
  const open = vscode.workspace.textDocuments.find((document) => document.uri.toString() === modelUri.toString());
  return open ?? vscode.workspace.openTextDocument(modelUri);
}

/** The model in the active editor; from a summary tab, the model that summary shows. */
function activeModelUri(): vscode.Uri | undefined {
  const uri = vscode.window.activeTextEditor?.document.uri;
  return uri?.scheme === summaryScheme ? vscode.Uri.parse(uri.query, true) : uri;
}

/** `CNN Lab: Show Model Summary`: Keras's `model.summary()` text in a read-only tab that follows edits. */
export function register(ctx: Ctx, models: ModelDocuments): void {
  const summaryChanged = new vscode.EventEmitter<vscode.Uri>();
  ctx.own(
    summaryChanged,
    vscode.workspace.registerTextDocumentContentProvider(summaryScheme, {
      onDidChange: summaryChanged.event,
      async provideTextDocumentContent(summaryUri) {
        try {
          const document = await modelDocumentFor(summaryUri);
          const fileName = path.basename(document.fileName);
          const analysis = models.analysisOf(document);
          return analysis ? summaryDocumentText(analysis, fileName) : `${fileName} is not a CNN Lab model file.\n`;
        } catch (error) {
          ctx.output.appendLine(`summary for ${summaryUri.query} failed: ${String(error)}`);
          return `The summary could not be produced: ${String(error)}\n`;
        }
      },
    }),
    models.onDidChange(({ uri }) => {
      const summaryUri = summaryUriFor(uri);
      const shown = vscode.workspace.textDocuments.some((document) => document.uri.toString() === summaryUri.toString());
      if (shown) summaryChanged.fire(summaryUri);
    }),
  );
  ctx.registerCommand(showSummaryCommand, async (modelUri?: vscode.Uri) => {
    const target = modelUri instanceof vscode.Uri ? modelUri : activeModelUri();
    if (!target) {
      void vscode.window.showInformationMessage('CNN Lab: open a model file (*.model.json, *.model.ts or Keras JSON) to see its summary.');
      return;
    }
    const summary = await vscode.workspace.openTextDocument(summaryUriFor(target));
    await vscode.window.showTextDocument(summary, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  });
}

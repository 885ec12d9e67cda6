import * as vscode from 'vscode';
import { diagnosticSource, editorDiagnostics } from './presentation';
import type { DiagnosticSeverity, ModelAnalysis } from '../model/types';
import type { Ctx } from './ctx';
import type { ModelDocuments } from './modelDocuments';
import { toVscodeRange } from './ranges';

const severities: Record<DiagnosticSeverity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

function toVscodeDiagnostics(analysis: ModelAnalysis, languageId: string): vscode.Diagnostic[] {
  // A syntax error VS Code's JSON or TypeScript service already shows is not published twice.
  return editorDiagnostics(analysis, languageId).map((modelDiagnostic) => {
    const diagnostic = new vscode.Diagnostic(toVscodeRange(modelDiagnostic.range), modelDiagnostic.message, severities[modelDiagnostic.severity]);
    diagnostic.code = modelDiagnostic.code;
    diagnostic.source = diagnosticSource;
    return diagnostic;
  });
}

/** Problems in model files, updated as the user types and cleared when the file closes. */
export function register(ctx: Ctx, models: ModelDocuments): void {
  const collection = ctx.own(vscode.languages.createDiagnosticCollection('cnnLab'));
  ctx.own(
    models.onDidChange(({ uri, languageId, analysis }) => {
      try {
        if (analysis) collection.set(uri, toVscodeDiagnostics(analysis, languageId));
        else collection.delete(uri);
      } catch (error) {
        ctx.output.appendLine(`diagnostics for ${uri.fsPath} failed: ${String(error)}`);
      }
    }),
  );
}

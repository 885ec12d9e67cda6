import * as vscode from 'vscode';
import { diagnosticSource } from '../model/presentation';
import type { DiagnosticSeverity, ModelAnalysis } from '../model/types';
import type { Ctx } from './ctx';
import type { ModelDocuments } from './modelDocuments';
import { toVscodeRange } from './ranges';

const severities: Record<DiagnosticSeverity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

function toVscodeDiagnostics(analysis: ModelAnalysis): vscode.Diagnostic[] {
  return analysis.diagnostics.map((modelDiagnostic) => {
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
    models.onDidChange(({ uri, analysis }) => {
      try {
        if (analysis) collection.set(uri, toVscodeDiagnostics(analysis));
        else collection.delete(uri);
      } catch (error) {
        ctx.output.appendLine(`diagnostics for ${uri.fsPath} failed: ${String(error)}`);
      }
    }),
  );
}

import * as vscode from 'vscode';
import { analyzeModel } from '../model/index';
import { KeyedDebouncer, mayBeModelDocument, modelFormatOf } from '../model/presentation';
import type { ModelAnalysis } from '../model/types';
import type { Ctx } from './ctx';

/** Our files by name, plus every JSON document so that Keras `to_json()` output is found by content. */
export const modelDocumentSelector: vscode.DocumentSelector = [
  { pattern: '**/*.model.json' },
  { pattern: '**/*.model.ts' },
  { language: 'json' },
];

const slowAnalysisMs = 200;

/** Real files, on disk or new; never `git:` originals, diff sides or our own summary views. */
const analysedSchemes = new Set(['file', 'untitled']);

function isCandidate(document: vscode.TextDocument): boolean {
  return analysedSchemes.has(document.uri.scheme) && mayBeModelDocument(document.fileName, document.languageId);
}

/** Fired when a document's analysis changed; `analysis` is `undefined` once it is closed or no longer a model. */
export interface AnalysisChange {
  uri: vscode.Uri;
  analysis: ModelAnalysis | undefined;
}

interface CachedAnalysis {
  version: number;
  analysis: ModelAnalysis | undefined;
}

/**
 * The analysis of every open model document, one per document version. Typing re-analyses after a
 * quiet period and fires `onDidChange`; providers asking about a newer version than the cache holds
 * get it computed on the spot, so what they show always matches the text on screen.
 */
export class ModelDocuments implements vscode.Disposable {
  private readonly cache = new Map<string, CachedAnalysis>();
  private readonly debouncer = new KeyedDebouncer<string>();
  private readonly changed = new vscode.EventEmitter<AnalysisChange>();
  private readonly subscriptions: vscode.Disposable[] = [];
  readonly onDidChange = this.changed.event;

  constructor(private readonly ctx: Ctx) {
    this.subscriptions.push(
      this.changed,
      vscode.workspace.onDidOpenTextDocument((document) => this.refreshNow(document)),
      vscode.workspace.onDidChangeTextDocument((event) => {
        // Saving or undoing to the saved state also fires, with no change to the text.
        if (event.contentChanges.length > 0) this.scheduleRefresh(event.document);
      }),
      vscode.workspace.onDidCloseTextDocument((document) => this.forget(document)),
    );
  }

  /** Analyses the documents already open; called once every listener is in place. */
  analyzeOpenDocuments(): void {
    for (const document of vscode.workspace.textDocuments) this.refreshNow(document);
  }

  /** The analysis of this exact version of the document, or `undefined` when it is not a model. */
  analysisOf(document: vscode.TextDocument): ModelAnalysis | undefined {
    if (!isCandidate(document)) return undefined;
    const key = document.uri.toString();
    const cached = this.cache.get(key);
    if (cached?.version === document.version) return cached.analysis;
    const analysis = this.analyze(document);
    this.cache.set(key, { version: document.version, analysis });
    return analysis;
  }

  private analyze(document: vscode.TextDocument): ModelAnalysis | undefined {
    const started = Date.now();
    try {
      const text = document.getText();
      if (modelFormatOf(document.fileName, document.languageId, text) === undefined) return undefined;
      const analysis = analyzeModel(text, document.fileName);
      const elapsedMs = Date.now() - started;
      // Analysis runs on the extension host's only thread; a slow one is worth knowing about.
      if (elapsedMs > slowAnalysisMs) this.ctx.output.appendLine(`analysing ${document.uri.fsPath} took ${elapsedMs} ms`);
      return analysis;
    } catch (error) {
      this.ctx.output.appendLine(`analysis of ${document.uri.fsPath} failed: ${String(error)}`);
      return undefined;
    }
  }

  private scheduleRefresh(document: vscode.TextDocument): void {
    if (!isCandidate(document)) return;
    const delayMs = vscode.workspace.getConfiguration('cnnLab').get<number>('diagnostics.debounceMs', 250);
    this.debouncer.schedule(document.uri.toString(), delayMs, () => this.refreshNow(document));
  }

  private refreshNow(document: vscode.TextDocument): void {
    if (document.isClosed || !isCandidate(document)) return;
    const key = document.uri.toString();
    const previous = this.cache.get(key);
    const analysis = this.analysisOf(document);
    // Ordinary JSON files that were never models stay silent: nobody listens for them.
    if (analysis === undefined && previous?.analysis === undefined) return;
    this.changed.fire({ uri: document.uri, analysis });
  }

  private forget(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    this.debouncer.cancel(key);
    const cached = this.cache.get(key);
    this.cache.delete(key);
    if (cached?.analysis !== undefined) this.changed.fire({ uri: document.uri, analysis: undefined });
  }

  dispose(): void {
    this.debouncer.dispose();
    this.cache.clear();
    for (const subscription of this.subscriptions.splice(0)) subscription.dispose();
  }
}

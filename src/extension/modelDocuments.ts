import * as vscode from 'vscode';
import { MODEL_FILE_PATTERNS } from '../model/vocabulary';
import { analyzeModel } from '../model/index';
import { installSavedModelReader } from '../keras/modelReader';
import { KeyedDebouncer } from './presentation';
import { mayBeModelDocument, modelFormatOf, shouldEvaluate } from '../model/documents';
import type { ModelAnalysis } from '../model/types';
import type { Ctx } from './ctx';

/** Our files by name, plus every JSON document so that Keras `to_json()` output is found by content. */
export const modelDocumentSelector: vscode.DocumentSelector = [
  ...MODEL_FILE_PATTERNS.map((pattern) => ({ pattern })),
  { language: 'json' },
];

const slowAnalysisMs = 200;

/** How long a `*.model.ts` module may run for its shapes before it is stopped. */
const evaluationTimeoutMs = 5000;

/** Real files, on disk or new; never `git:` originals, diff sides or our own summary views. */
const analysedSchemes = new Set(['file', 'untitled']);

function isCandidate(document: vscode.TextDocument): boolean {
  return analysedSchemes.has(document.uri.scheme) && mayBeModelDocument(document.fileName, document.languageId);
}


/** Fired when a document's analysis changed; `analysis` is `undefined` once it is closed or no longer a model. */
export interface AnalysisChange {
  uri: vscode.Uri;
  /** The document's language: VS Code's own JSON and TypeScript services already report its syntax errors. */
  languageId: string;
  analysis: ModelAnalysis | undefined;
}

interface CachedAnalysis {
  version: number;
  analysis: ModelAnalysis | undefined;
}

/** The last result of running a module, reused while its text is unchanged (undo, redo, saving). */
interface EvaluatedText {
  text: string;
  analysis: ModelAnalysis;
}

/**
 * The analysis of every open model document, one per document version. Typing re-analyses after a
 * quiet period and fires `onDidChange`; providers asking about a newer version than the cache holds
 * get it computed on the spot, so what they show always matches the text on screen.
 *
 * A `*.model.ts` file the static reader cannot follow is, in a trusted workspace, also run by the
 * evaluator in a worker thread: in the background, after the same quiet period, never while a
 * provider waits. Its result replaces the static one for that version and fires `onDidChange`.
 */
export class ModelDocuments implements vscode.Disposable {
  private readonly cache = new Map<string, CachedAnalysis>();
  private readonly debouncer = new KeyedDebouncer<string>();
  private readonly evaluationDebouncer = new KeyedDebouncer<string>();
  private readonly evaluated = new Map<string, EvaluatedText>();
  /** Versions whose evaluation threw: not resolving any more, the static result stands. */
  private readonly evaluationFailed = new Map<string, number>();
  private readonly changed = new vscode.EventEmitter<AnalysisChange>();
  private readonly subscriptions: vscode.Disposable[] = [];
  readonly onDidChange = this.changed.event;

  constructor(private readonly ctx: Ctx) {
    // A saved model used as a layer ("type": "Model", "path": "base.keras") is read through src/keras.
    void installSavedModelReader(false);
    this.subscriptions.push(
      this.changed,
      vscode.workspace.onDidOpenTextDocument((document) => this.refreshNow(document)),
      vscode.workspace.onDidChangeTextDocument((event) => {
        // Saving or undoing to the saved state also fires, with no change to the text.
        if (event.contentChanges.length > 0) this.scheduleRefresh(event.document);
      }),
      vscode.workspace.onDidCloseTextDocument((document) => this.forget(document)),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        for (const document of vscode.workspace.textDocuments) this.scheduleEvaluation(document, this.cache.get(document.uri.toString())?.analysis);
      }),
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
    let analysis = this.analyze(document);
    if (shouldEvaluate(analysis, vscode.workspace.isTrusted)) {
      const previous = this.evaluated.get(key);
      if (previous?.text === document.getText()) analysis = previous.analysis;
      else this.scheduleEvaluation(document, analysis);
    }
    this.cache.set(key, { version: document.version, analysis });
    return analysis;
  }

  /**
   * Whether the analysis of this version is the static one, incomplete, with the evaluator's
   * result still to come: what shows it must say "resolving…", never the static (partial) totals.
   */
  isResolving(document: vscode.TextDocument): boolean {
    if (!isCandidate(document)) return false;
    const key = document.uri.toString();
    const analysis = this.analysisOf(document);
    if (!shouldEvaluate(analysis, vscode.workspace.isTrusted)) return false;
    if (this.evaluated.get(key)?.analysis === analysis) return false;
    return this.evaluationFailed.get(key) !== document.version;
  }

  private scheduleEvaluation(document: vscode.TextDocument, analysis: ModelAnalysis | undefined): void {
    if (document.isClosed || !shouldEvaluate(analysis, vscode.workspace.isTrusted)) return;
    const delayMs = vscode.workspace.getConfiguration('cnnLab').get<number>('diagnostics.debounceMs', 250);
    const version = document.version;
    this.evaluationDebouncer.schedule(document.uri.toString(), delayMs, () => void this.evaluate(document, version));
  }

  /** Runs the module; the result is kept only if the document is still at the version it was run for. */
  private async evaluate(document: vscode.TextDocument, version: number): Promise<void> {
    if (document.isClosed || document.version !== version) return;
    const key = document.uri.toString();
    const text = document.getText();
    try {
      // Loaded on first use (esbuild initialises a required module lazily): the evaluator and the
      // compiler it needs cost nothing to JSON-only users.
      const { evaluateTypeScriptModel } = require('../model/evaluate') as typeof import('../model/evaluate');
      const analysis = await evaluateTypeScriptModel(document.fileName, text, { timeoutMs: evaluationTimeoutMs });
      if (document.isClosed || document.version !== version || this.cache.get(key)?.version !== version) return;
      this.evaluated.set(key, { text, analysis });
      this.cache.set(key, { version, analysis });
      this.changed.fire({ uri: document.uri, languageId: document.languageId, analysis });
    } catch (error) {
      this.ctx.output.appendLine(`running ${document.uri.fsPath} for its shapes failed: ${String(error)}`);
      if (document.isClosed || document.version !== version) return;
      this.evaluationFailed.set(key, version);
      this.changed.fire({ uri: document.uri, languageId: document.languageId, analysis: this.cache.get(key)?.analysis });
    }
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
    this.changed.fire({ uri: document.uri, languageId: document.languageId, analysis });
  }

  private forget(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    this.debouncer.cancel(key);
    this.evaluationDebouncer.cancel(key);
    this.evaluated.delete(key);
    this.evaluationFailed.delete(key);
    const cached = this.cache.get(key);
    this.cache.delete(key);
    if (cached?.analysis !== undefined) this.changed.fire({ uri: document.uri, languageId: document.languageId, analysis: undefined });
  }

  dispose(): void {
    this.debouncer.dispose();
    this.evaluationDebouncer.dispose();
    this.evaluated.clear();
    this.evaluationFailed.clear();
    this.cache.clear();
    for (const subscription of this.subscriptions.splice(0)) subscription.dispose();
  }
}

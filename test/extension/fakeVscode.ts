// A small in-memory stand-in for the parts of the `vscode` API the editor glue uses, installed
// in place of the real module so the glue's wiring (events, debounce, settings, clean-up) runs
// under plain mocha. Real VS Code behaviour is covered by the end-to-end suite.
import Module from 'node:module';

type Listener<T> = (event: T) => void;

export class EventEmitter<T> {
  private listeners: Listener<T>[] = [];
  readonly event = (listener: Listener<T>) => {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((candidate) => candidate !== listener)) };
  };
  fire(event: T): void {
    for (const listener of [...this.listeners]) listener(event);
  }
  dispose(): void {
    this.listeners = [];
  }
}

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly path: string,
    readonly query: string,
  ) {}
  static file(path: string): Uri {
    return new Uri('file', path, '');
  }
  static from(parts: { scheme: string; path: string; query?: string }): Uri {
    return new Uri(parts.scheme, parts.path, parts.query ?? '');
  }
  static parse(text: string): Uri {
    const match = /^([a-z-]+):(\/\/)?([^?]*)(?:\?(.*))?$/.exec(text);
    if (!match) throw new Error(`not a uri: ${text}`);
    return new Uri(match[1], match[3], match[4] ?? '');
  }
  get fsPath(): string {
    return this.path;
  }
  toString(): string {
    return `${this.scheme}://${this.path}${this.query ? `?${this.query}` : ''}`;
  }
}

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
}

export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(startLine: number, startCharacter: number, endLine: number, endCharacter: number) {
    this.start = new Position(startLine, startCharacter);
    this.end = new Position(endLine, endCharacter);
  }
}

export enum DiagnosticSeverity {
  Error = 0,
  Warning = 1,
  Information = 2,
  Hint = 3,
}

export class Diagnostic {
  code: string | number | undefined;
  source: string | undefined;
  constructor(
    readonly range: Range,
    readonly message: string,
    readonly severity: DiagnosticSeverity,
  ) {}
}

export class CodeLens {
  constructor(
    readonly range: Range,
    readonly command: { title: string; command: string; arguments?: unknown[] },
  ) {}
}

export class MarkdownString {
  constructor(readonly value: string) {}
}

export class Hover {
  constructor(
    readonly contents: MarkdownString,
    readonly range: Range,
  ) {}
}

export const CodeActionKind = { QuickFix: 'quickfix' };

export class WorkspaceEdit {
  readonly replacements: { uri: Uri; range: Range; newText: string }[] = [];
  replace(uri: Uri, range: Range, newText: string): void {
    this.replacements.push({ uri, range, newText });
  }
}

export class CodeAction {
  diagnostics: Diagnostic[] = [];
  isPreferred = false;
  edit: WorkspaceEdit | undefined;
  constructor(
    readonly title: string,
    readonly kind: string,
  ) {}
}

export const ViewColumn = { Beside: -2 };

export class FakeDocument {
  version = 1;
  isClosed = false;
  readonly uri: Uri;
  constructor(
    readonly fileName: string,
    readonly languageId: string,
    private text: string,
  ) {
    this.uri = Uri.file(fileName);
  }
  getText(): string {
    return this.text;
  }
  edit(text: string): void {
    this.text = text;
    this.version += 1;
  }
}

export class FakeDiagnosticCollection {
  readonly entries = new Map<string, Diagnostic[]>();
  set(uri: Uri, diagnostics: Diagnostic[]): void {
    this.entries.set(uri.toString(), diagnostics);
  }
  delete(uri: Uri): void {
    this.entries.delete(uri.toString());
  }
  dispose(): void {
    this.entries.clear();
  }
}

const disposable = { dispose: () => undefined };

/** Everything registered, and the knobs a test turns; reset between tests. */
export const state = {
  settings: new Map<string, unknown>(),
  documents: [] as FakeDocument[],
  collections: [] as FakeDiagnosticCollection[],
  codeLensProviders: [] as unknown[],
  hoverProviders: [] as unknown[],
  codeActionProviders: [] as unknown[],
  contentProviders: new Map<string, unknown>(),
  commands: new Map<string, (...args: unknown[]) => unknown>(),
  shown: [] as unknown[],
  log: [] as string[],
  reset(): void {
    this.settings.clear();
    this.documents = [];
    this.collections = [];
    this.codeLensProviders = [];
    this.hoverProviders = [];
    this.codeActionProviders = [];
    this.contentProviders.clear();
    this.commands.clear();
    this.shown = [];
    this.log = [];
  },
};

export const events = {
  open: new EventEmitter<FakeDocument>(),
  change: new EventEmitter<{ document: FakeDocument; contentChanges: unknown[] }>(),
  close: new EventEmitter<FakeDocument>(),
  configuration: new EventEmitter<{ affectsConfiguration(section: string): boolean }>(),
  grantTrust: new EventEmitter<void>(),
};

export const workspace = {
  get textDocuments(): FakeDocument[] {
    return state.documents;
  },
  onDidOpenTextDocument: events.open.event,
  onDidChangeTextDocument: events.change.event,
  onDidCloseTextDocument: events.close.event,
  onDidChangeConfiguration: events.configuration.event,
  onDidGrantWorkspaceTrust: events.grantTrust.event,
  /** Untrusted, so model modules are never run by the glue tests. */
  isTrusted: false,
  getConfiguration(section: string) {
    return {
      get<T>(key: string, fallback: T): T {
        const value = state.settings.get(`${section}.${key}`);
        return value === undefined ? fallback : (value as T);
      },
    };
  },
  registerTextDocumentContentProvider(scheme: string, provider: unknown) {
    state.contentProviders.set(scheme, provider);
    return disposable;
  },
  async openTextDocument(uri: Uri): Promise<FakeDocument> {
    const open = state.documents.find((document) => document.uri.toString() === uri.toString());
    if (open) return open;
    const contentProvider = state.contentProviders.get(uri.scheme) as
      | { provideTextDocumentContent(uri: Uri): Promise<string> }
      | undefined;
    if (!contentProvider) throw new Error(`cannot open ${uri.toString()}`);
    const virtual = new FakeDocument(uri.path, 'plaintext', await contentProvider.provideTextDocumentContent(uri));
    Object.defineProperty(virtual, 'uri', { value: uri });
    return virtual;
  },
};

export const languages = {
  createDiagnosticCollection() {
    const collection = new FakeDiagnosticCollection();
    state.collections.push(collection);
    return collection;
  },
  registerCodeLensProvider(_selector: unknown, provider: unknown) {
    state.codeLensProviders.push(provider);
    return disposable;
  },
  registerHoverProvider(_selector: unknown, provider: unknown) {
    state.hoverProviders.push(provider);
    return disposable;
  },
  registerCodeActionsProvider(_selector: unknown, provider: unknown) {
    state.codeActionProviders.push(provider);
    return disposable;
  },
};

export const window = {
  activeTextEditor: undefined as { document: FakeDocument } | undefined,
  createOutputChannel() {
    return { appendLine: (line: string) => state.log.push(line), dispose: () => undefined };
  },
  async showTextDocument(document: FakeDocument) {
    state.shown.push(document);
  },
  async showInformationMessage(message: string) {
    state.log.push(message);
  },
  async showErrorMessage(message: string) {
    state.log.push(message);
  },
  async withProgress<T>(_options: unknown, task: (progress: { report(value: unknown): void }) => Promise<T>): Promise<T> {
    return task({ report: () => undefined });
  },
};

export const ProgressLocation = { SourceControl: 1, Window: 10, Notification: 15 };

export const commands = {
  registerCommand(id: string, handler: (...args: unknown[]) => unknown) {
    state.commands.set(id, handler);
    return disposable;
  },
};

/** A glob below a folder, as file watchers take it. */
export class RelativePattern {
  constructor(
    readonly base: unknown,
    readonly pattern: string,
  ) {}
}

const fakeModule = {
  EventEmitter,
  Uri,
  RelativePattern,
  Position,
  Range,
  DiagnosticSeverity,
  Diagnostic,
  CodeLens,
  MarkdownString,
  Hover,
  CodeActionKind,
  WorkspaceEdit,
  CodeAction,
  ViewColumn,
  ProgressLocation,
  workspace,
  languages,
  window,
  commands,
};

// Node's loader has no public hook for swapping a bare specifier in CommonJS; `_load` is the usual seam.
const loader = Module as unknown as { _load(request: string, parent: unknown, isMain: boolean): unknown };
const originalLoad = loader._load.bind(loader);
loader._load = (request, parent, isMain) => (request === 'vscode' ? fakeModule : originalLoad(request, parent, isMain));

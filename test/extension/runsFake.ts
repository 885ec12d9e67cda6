// The parts of the `vscode` API the run history (src/extension/runs.ts, runCatalog.ts, runsView.ts)
// needs on top of ./fakeVscode: tree views, file watchers, workspace folders and dialogs whose
// answers a test sets. Imported before any of those modules, which read the API when loaded.
import './fakeVscode';
import { EventEmitter, Uri } from './fakeVscode';

const disposable = { dispose: (): void => undefined };

// The module object ./fakeVscode installs in place of 'vscode'.
const fake = require('vscode') as Record<string, unknown> & { workspace: Record<string, unknown>; window: Record<string, unknown>; commands: Record<string, unknown> };

export const runsUi = {
  /** Answer of the next modal warning (the Delete confirmation). */
  warningAnswer: undefined as string | undefined,
  openDialog: undefined as Uri[] | undefined,
  saveDialog: undefined as Uri | undefined,
  /** The folder or file each open/save dialog offered first. */
  dialogDefaults: [] as (string | undefined)[],
  warnings: [] as string[],
  infos: [] as string[],
  errors: [] as string[],
  executed: [] as { id: string; args: unknown[] }[],
  reset(): void {
    this.warningAnswer = undefined;
    this.openDialog = undefined;
    this.saveDialog = undefined;
    this.dialogDefaults = [];
    this.warnings = [];
    this.infos = [];
    this.errors = [];
    this.executed = [];
  },
};

export class TreeItem {
  id?: string;
  description?: string;
  tooltip?: unknown;
  iconPath?: unknown;
  contextValue?: string;
  command?: { command: string; arguments?: unknown[] };
  resourceUri?: Uri;
  accessibilityInformation?: { label: string };
  constructor(
    readonly label: string,
    readonly collapsibleState: number,
  ) {}
}

Object.assign(fake, {
  TreeItem,
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  ThemeIcon: class {
    constructor(
      readonly id: string,
      readonly color?: unknown,
    ) {}
  },
  ThemeColor: class {
    constructor(readonly id: string) {}
  },
  StatusBarAlignment: { Left: 1, Right: 2 },
});
Object.assign(fake.workspace, {
  workspaceFolders: [] as { uri: Uri; name: string; index: number }[],
  onDidChangeWorkspaceFolders: new EventEmitter<void>().event,
  createFileSystemWatcher: () => ({ onDidCreate: () => disposable, onDidChange: () => disposable, onDidDelete: () => disposable, dispose: () => undefined }),
  getWorkspaceFolder: () => (fake.workspace.workspaceFolders as unknown[])[0],
  asRelativePath: (target: Uri | string) => (typeof target === 'string' ? target : target.fsPath),
  findFiles: async () => [],
});
Object.assign(fake.window, {
  createTreeView: () => ({ selection: [], dispose: () => undefined }),
  createStatusBarItem: () => ({ text: '', tooltip: '', name: '', command: '', show: () => undefined, hide: () => undefined, dispose: () => undefined }),
  registerWebviewPanelSerializer: () => disposable,
  showWarningMessage: async (message: string) => {
    runsUi.warnings.push(message);
    return runsUi.warningAnswer;
  },
  showOpenDialog: async (options: { defaultUri?: Uri }) => {
    runsUi.dialogDefaults.push(options.defaultUri?.fsPath);
    return runsUi.openDialog;
  },
  showSaveDialog: async (options: { defaultUri?: Uri }) => {
    runsUi.dialogDefaults.push(options.defaultUri?.fsPath);
    return runsUi.saveDialog;
  },
  showQuickPick: async () => undefined,
  showInputBox: async () => undefined,
});
// Chained, not replaced: other suites read what the originals record.
const originalInfo = fake.window.showInformationMessage as (message: string) => Promise<unknown>;
const originalError = fake.window.showErrorMessage as (message: string) => Promise<unknown>;
Object.assign(fake.window, {
  showInformationMessage: async (message: string) => {
    runsUi.infos.push(message);
    return originalInfo(message);
  },
  showErrorMessage: async (message: string) => {
    runsUi.errors.push(message);
    return originalError(message);
  },
});
Object.assign(fake.commands, {
  executeCommand: async (id: string, ...args: unknown[]) => {
    runsUi.executed.push({ id, args });
    return undefined;
  },
});

export function setWorkspaceFolders(paths: string[]): void {
  fake.workspace.workspaceFolders = paths.map((path, index) => ({ uri: Uri.file(path), name: `ws${index}`, index }));
}

// vscode.window.withProgress and vscode.ProgressLocation for ./fakeVscode, which lacks them. Imported
// before the extension modules under test, which copy the API's top-level names when loaded.
import './fakeVscode';

const fake = require('vscode') as { window: Record<string, unknown>; ProgressLocation?: unknown };
fake.ProgressLocation ??= { SourceControl: 1, Window: 10, Notification: 15 };
fake.window.withProgress ??= async (_options: unknown, task: (progress: { report(): void }) => Promise<unknown>) => task({ report: () => undefined });

import * as vscode from 'vscode';

/**
 * The one object that owns everything the extension creates. Each feature file exports
 * `register(ctx)` and pushes its disposables here; deactivation disposes them all at once.
 */
export class Ctx implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  readonly output: vscode.OutputChannel;

  constructor(readonly extension: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('CNN Lab', { log: true });
    this.disposables.push(this.output);
  }

  /** Takes ownership of disposables; they live until the extension deactivates. */
  own<T extends vscode.Disposable>(...items: T[]): T {
    this.disposables.push(...items);
    return items[0];
  }

  dispose(): void {
    for (const item of this.disposables.splice(0).reverse()) {
      try {
        item.dispose();
      } catch (error) {
        console.error('CNN Lab: dispose failed', error);
      }
    }
  }
}

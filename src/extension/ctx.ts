import * as vscode from 'vscode';
import { UserError } from '../util/userError';
import type { CommandId } from './commands';

/**
 * The one object that owns everything the extension creates. Each feature file exports
 * `register(ctx)` and pushes its disposables here; deactivation disposes them all at once.
 */
export class Ctx implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly commandIds = new Set<CommandId>();
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

  /**
   * Registers a command with the one error wrapper every command shares: a failure is logged and
   * shown (a UserError with its hint), never thrown into VS Code.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- commands receive whatever their menus and lenses pass
  registerCommand(id: CommandId, handler: (...args: any[]) => unknown): void {
    this.commandIds.add(id);
    this.own(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          await handler(...args);
        } catch (error) {
          this.showFailure(id, error);
        }
      }),
    );
  }

  /** The commands registered so far. */
  registeredCommands(): ReadonlySet<CommandId> {
    return this.commandIds;
  }

  private showFailure(id: CommandId, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const hint = error instanceof UserError && error.hint ? ` ${error.hint}` : '';
    this.output.appendLine(`${id} failed: ${error instanceof UserError ? message : error instanceof Error ? (error.stack ?? message) : message}`);
    void vscode.window.showErrorMessage(`CNN Lab: ${message}${hint}`);
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

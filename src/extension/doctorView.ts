// `CNN Lab: Doctor`: one read-only view of what can train here, opened in the group CNN Lab panels
// share and reused when asked again. The check runs `cnnlab doctor --json` in the trainer's Node;
// while a run is training, the CLI is told so and leaves the backends unloaded, so the doctor never
// competes with a run for the GPU or CPU.
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { readRunRecord, runsDirFor } from '../runs/store';
import { doctorSections, parseDoctorReport, type DoctorSection } from '../runtime/doctorReport';
import { nodeSearchLines } from '../runtime/nodeDiscovery';
import type { Ctx } from './ctx';
import { doctorHtml, refreshMessage, type DoctorPage } from './doctorHtml';
import { panelColumn } from './panel';
import type { TrainerManager, TrainingSession } from './trainerManager';

export const DOCTOR_VIEW_TYPE = 'cnnLab.doctor';

/** What the view needs of the trainer manager. */
export type DoctorTrainer = Pick<TrainerManager, 'sessions' | 'runDoctor' | 'nameRun'>;

/** A session's run as the Runs view names it (`cnn #3`) once its run folder exists, else its model file. */
async function sessionName(session: TrainingSession, trainer: DoctorTrainer): Promise<string> {
  const started = session.events.find((event) => event.type === 'started');
  if (started?.type !== 'started') return `${basename(session.modelFile)}, starting`;
  try {
    return trainer.nameRun(await readRunRecord(started.runDir));
  } catch {
    return started.runId;
  }
}

/** The CLI's arguments: JSON out, this window's runs by name, and every workspace folder's runs to look in. */
async function doctorArguments(trainer: DoctorTrainer): Promise<string[]> {
  const args = ['--json'];
  for (const session of trainer.sessions) args.push('--running', await sessionName(session, trainer));
  for (const folder of vscode.workspace.workspaceFolders ?? []) args.push('--runs-dir', runsDirFor(folder.uri.fsPath));
  return args;
}

async function checkNow(trainer: DoctorTrainer): Promise<DoctorSection[]> {
  const { stdout, search } = await trainer.runDoctor(await doctorArguments(trainer));
  return doctorSections(parseDoctorReport(stdout), nodeSearchLines(search, process.execPath));
}

class DoctorView {
  private static current: DoctorView | undefined;
  private page: DoctorPage = { checking: false };
  private checking: Promise<void> | undefined;
  private disposed = false;

  /** Shows the view (the open one if there is one) and checks again. */
  static show(ctx: Ctx, trainer: DoctorTrainer): Promise<void> {
    if (DoctorView.current) {
      DoctorView.current.panel.reveal();
    } else {
      // The page loads nothing: its style and script are inline, allowed by nonce.
      const panel = vscode.window.createWebviewPanel(DOCTOR_VIEW_TYPE, 'CNN Lab: Doctor', panelColumn(), { enableScripts: true, localResourceRoots: [] });
      DoctorView.current = new DoctorView(ctx, trainer, panel);
    }
    return DoctorView.current.refresh();
  }

  private constructor(
    private readonly ctx: Ctx,
    private readonly trainer: DoctorTrainer,
    private readonly panel: vscode.WebviewPanel,
  ) {
    panel.iconPath = vscode.Uri.joinPath(ctx.extension.extensionUri, 'media', 'cnnlab.svg');
    panel.onDidDispose(() => this.dispose());
    panel.webview.onDidReceiveMessage((message: unknown) => {
      if ((message as { type?: unknown } | null)?.type === refreshMessage.type) void this.refresh();
    });
  }

  /** Runs one check at a time: a refresh asked for during a check waits for that check. */
  refresh(): Promise<void> {
    this.checking ??= this.check().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async check(): Promise<void> {
    this.render({ ...this.page, checking: true });
    try {
      this.render({ sections: await checkNow(this.trainer), checking: false });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.ctx.output.appendLine(`Doctor failed: ${message}`);
      this.render({ sections: this.page.sections, checking: false, error: message });
    }
  }

  private render(page: DoctorPage): void {
    this.page = page;
    // A check that ends after the view was closed has nowhere to go.
    if (!this.disposed) this.panel.webview.html = doctorHtml(page, randomBytes(16).toString('base64'));
  }

  private dispose(): void {
    this.disposed = true;
    if (DoctorView.current === this) DoctorView.current = undefined;
  }
}

export function register(ctx: Ctx, trainer: DoctorTrainer): void {
  ctx.registerCommand('cnnLab.doctor', () => DoctorView.show(ctx, trainer));
}

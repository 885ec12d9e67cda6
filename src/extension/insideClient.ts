// The run panel's Inside tab, host side: turns the page's request into one for the Inside child
// process (dist/inside.js, src/trainer/insideMain.ts) and posts its answer back to the page.
//
// A child is forked per request, in the trainer's Node (nodeRuntime.ts), and exits after its
// answer: tfjs and the model never load in the extension host, nothing is held while the tab is
// idle, and a run retrained or deleted between two looks is read afresh. The price is the child's
// start (about a second to load tfjs and the model) on each look. A new request from the same
// panel ends the one still computing: the page shows only the latest.
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isInsideAnswer, whyNotInsideAnswer, type InsideAnswer, type InsideImage, type InsideRequest } from '../channels/inside';
import type { HostToWebview, InsideAsk, WebviewToHost } from '../channels/webview';
import { resolveRunFile } from '../runs/store';
import type { Ctx } from './ctx';
import type { TrainerRuntime } from './nodeRuntime';
import { NoiseFilter } from './outputNoise';

/** A look that takes longer than this (a dataset download for test:N included) is given up. */
const INSIDE_TIMEOUT_MS = 5 * 60_000;

const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'webp', 'gif', 'tif', 'tiff'];

export interface PanelInsideDeps {
  ctx: Ctx;
  runtime(): Promise<TrainerRuntime>;
  post(message: HostToWebview): void;
}

type InsideMessage = Extract<WebviewToHost, { type: 'inside' }>;

export class PanelInside implements vscode.Disposable {
  private child: ChildProcess | undefined;
  /** The file last chosen with "Choose image file…", asked for again as `chosen` (the page never names paths). */
  private chosenFile: string | undefined;
  /** Counts requests: an answer to one that was superseded is dropped. */
  private generation = 0;

  constructor(private readonly deps: PanelInsideDeps) {}

  /** Answers the page's request for the run in `runDir`. Never throws: a failure is posted to the page. */
  async handle(message: InsideMessage, runDir: string): Promise<void> {
    const { runId } = message;
    const image = await this.imageFor(message, runDir);
    if (!image) return;
    if ('error' in image) {
      this.deps.post({ type: 'insideError', runId, message: image.error });
      return;
    }
    const generation = ++this.generation;
    this.deps.post({ type: 'insideBusy', runId, label: image.kind === 'test' ? `test example ${image.index}` : path.basename(image.path) });
    const request: InsideRequest = {
      type: 'inside',
      runDir,
      image,
      ...(message.className !== undefined ? { className: message.className } : {}),
      ...(message.maxMaps !== undefined ? { maxMaps: message.maxMaps } : {}),
      baseDir: vscode.workspace.getWorkspaceFolder(vscode.Uri.file(runDir))?.uri.fsPath ?? path.dirname(path.dirname(path.dirname(runDir))),
      ...dataDirSetting(),
    };
    const answer = await this.ask(request);
    if (generation !== this.generation) return;
    const ask: InsideAsk = { image: message.image.kind === 'chooseFile' ? { kind: 'chosen' } : message.image, ...(message.className !== undefined ? { className: message.className } : {}), ...(message.maxMaps !== undefined ? { maxMaps: message.maxMaps } : {}) };
    if (answer.type === 'result') this.deps.post({ type: 'insideResult', runId, ask, view: answer.view });
    else this.deps.post({ type: 'insideError', runId, message: answer.message, ...(answer.hint ? { hint: answer.hint } : {}) });
  }

  /** The image the page means; undefined when the user cancelled the file dialog. */
  private async imageFor(message: InsideMessage, runDir: string): Promise<InsideImage | { error: string } | undefined> {
    const pick = message.image;
    switch (pick.kind) {
      case 'test':
        return { kind: 'test', index: pick.index };
      case 'misclassified': {
        // run.json is workspace data: the file must be a regular file inside the run folder.
        const file = await resolveRunFile(runDir, pick.file);
        return file ? { kind: 'file', path: file } : { error: `The misclassified example ${pick.file} is not a file in the run folder ${runDir}.` };
      }
      case 'chooseFile': {
        const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Look Inside', title: 'CNN Lab: an image to look inside the network with', filters: { Images: IMAGE_EXTENSIONS } });
        const file = chosen?.[0]?.fsPath;
        if (!file) return undefined;
        this.chosenFile = file;
        return { kind: 'file', path: file };
      }
      case 'chosen':
        return this.chosenFile ? { kind: 'file', path: this.chosenFile } : { error: 'No image file was chosen in this panel yet: use "Choose image file…".' };
    }
  }

  /** Forks dist/inside.js for one request; any way it can end becomes an answer. */
  private async ask(request: InsideRequest): Promise<InsideAnswer> {
    this.stopChild();
    let runtime: TrainerRuntime;
    try {
      runtime = await this.deps.runtime();
    } catch (error) {
      return { type: 'error', message: `No Node runtime to look inside the network with: ${error instanceof Error ? error.message : String(error)}` };
    }
    const env: NodeJS.ProcessEnv = { ...process.env, ...runtime.env };
    // The extension host runs with ELECTRON_RUN_AS_NODE; a system Node has no use for it.
    if (runtime.systemNode) delete env.ELECTRON_RUN_AS_NODE;
    const script = path.join(this.deps.ctx.extension.extensionPath, 'dist', 'inside.js');
    return new Promise<InsideAnswer>((resolve) => {
      let child: ChildProcess;
      try {
        child = fork(script, [], { execPath: runtime.execPath, execArgv: [], cwd: request.baseDir, env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'json' });
      } catch (error) {
        resolve({ type: 'error', message: `The Inside process could not start: ${error instanceof Error ? error.message : String(error)}` });
        return;
      }
      this.child = child;
      let answered = false;
      const finish = (answer: InsideAnswer): void => {
        if (answered) return;
        answered = true;
        clearTimeout(timer);
        resolve(answer);
      };
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        finish({ type: 'error', message: `Looking inside the network took more than ${INSIDE_TIMEOUT_MS / 60_000} minutes and was stopped.` });
      }, INSIDE_TIMEOUT_MS);
      // Its messages go to the CNN Lab output, known harmless ones (tfjs's Node.js banner) left out.
      const stderr = new NoiseFilter((line) => this.deps.ctx.output.appendLine(`[inside stderr] ${line}`));
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => stderr.write(chunk));
      child.stderr?.on('end', () => stderr.end());
      child.on('message', (message: unknown) => {
        if (isInsideAnswer(message)) finish(message);
        else finish({ type: 'error', message: `The Inside process sent a malformed answer (${whyNotInsideAnswer(message)}).` });
      });
      child.on('error', (error) => finish({ type: 'error', message: `The Inside process failed: ${error.message}` }));
      child.on('exit', (code, signal) => {
        if (this.child === child) this.child = undefined;
        finish({ type: 'error', message: `The Inside process ended (${signal ? `signal ${signal}` : `exit code ${code}`}) before it answered.`, hint: 'The CNN Lab output has its messages.' });
      });
      child.send(request);
    });
  }

  private stopChild(): void {
    this.child?.kill();
    this.child = undefined;
  }

  dispose(): void {
    this.generation++;
    this.stopChild();
  }
}

function dataDirSetting(): { dataDir?: string } {
  const dataDir = vscode.workspace.getConfiguration('cnnLab').get<string>('dataDir')?.trim();
  return dataDir ? { dataDir } : {};
}

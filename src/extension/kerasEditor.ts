// Keras saved models in VS Code: a read-only custom editor for *.keras and *.h5 that shows the
// file's Keras summary (read in the host: the zip's config.json, or the .h5's model_config through
// h5wasm; no tfjs, nothing run), with Predict Image…, Train… and Fine-tune… buttons; and
// **CNN Lab: Predict Image…** on a run. Predictions run `cnnlab predict --json` in the trainer's
// Node (tfjs never loads in the extension host) and are shown beside the image. Train… and
// Fine-tune… are **CNN Lab: Train Model** on the file (the trainer reads .keras/.h5 files), from new
// weights or from the file's own.
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname } from 'node:path';
import * as vscode from 'vscode';
import { kerasFileKind, readKerasModelConfig } from '../keras/savedModel';
import { analyzeModel } from '../model';
import { UserError } from '../util/userError';
import type { Ctx } from './ctx';
import { isKerasPageAction, kerasModelHtml, predictionHtml, type KerasModelPage, type KerasPageAction, type PredictionPage } from './kerasHtml';
import { panelColumn } from './panel';
import type { RunCatalog, RunEntry } from './runCatalog';
import { RunNode } from './runsView';
import type { TrainerManager } from './trainerManager';
import { collectOutput, parseCliJson } from './cliJson';

export const KERAS_EDITOR_VIEW_TYPE = 'cnnLab.kerasModel';
export const PREDICTION_VIEW_TYPE = 'cnnLab.prediction';

/** What predicting needs of the trainer manager: the CLI in the trainer's Node. */
export type CliStarter = Pick<TrainerManager, 'startCli'>;

const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'webp', 'gif', 'bmp', 'tif', 'tiff'];
const IMAGE_TYPES: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp', '.gif': 'image/gif', '.bmp': 'image/bmp' };
/** Larger images are predicted but not shown (the page embeds them). */
const MAX_SHOWN_IMAGE_BYTES = 4 * 1024 * 1024;
const PREDICT_TIMEOUT_MS = 5 * 60 * 1000;

const nonce = (): string => randomBytes(16).toString('base64');

const kindLabels = { keras: 'Keras 3 native (.keras)', h5: 'legacy HDF5 (.h5)' } as const;

/** The model page for a file: its summary, or why it cannot be read. */
export async function readKerasPage(path: string): Promise<KerasModelPage> {
  const kind = kerasFileKind(path) ?? 'h5';
  const base: KerasModelPage = { fileName: basename(path), kindLabel: kindLabels[kind] };
  try {
    const file = await readKerasModelConfig(path);
    return {
      ...base,
      ...(file.kerasVersion ? { kerasVersion: file.kerasVersion } : {}),
      ...(file.backend ? { backend: file.backend } : {}),
      analysis: analyzeModel(file.configText, path),
    };
  } catch (error) {
    if (error instanceof UserError) return { ...base, error: { message: error.message, ...(error.hint ? { hint: error.hint } : {}) } };
    return { ...base, error: { message: `CNN Lab could not read this file: ${error instanceof Error ? error.message : String(error)}` } };
  }
}

// ---------------------------------------------------------------------------------------------
// Predicting

/** What `cnnlab predict --json` prints. */
export interface PredictOutput {
  source?: string;
  classNamed?: boolean;
  predictions?: { image: string; top: { class: string; probability: number }[]; resizedFrom?: [number, number] }[];
  error?: { message: string; hint?: string };
}

/** The CLI's JSON, or an error saying what came instead. */
export function parsePredictOutput(stdout: string, exitCode: number | null): PredictOutput {
  return parseCliJson<PredictOutput>(stdout, exitCode, 'prediction', (parsed) => Array.isArray(parsed.predictions));
}

function imageDataUrl(path: string): string | undefined {
  const type = IMAGE_TYPES[extname(path).toLowerCase()];
  try {
    if (!type || statSync(path).size > MAX_SHOWN_IMAGE_BYTES) return undefined;
    return `data:${type};base64,${readFileSync(path).toString('base64')}`;
  } catch {
    return undefined;
  }
}

async function pickImages(near: vscode.Uri | undefined): Promise<vscode.Uri[] | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: true,
    openLabel: 'Predict',
    title: 'Images to predict',
    filters: { Images: IMAGE_EXTENSIONS },
    ...(near ? { defaultUri: near } : {}),
  });
  return picked && picked.length > 0 ? picked : undefined;
}

/** Predicts `images` with `target` (a .keras/.h5 file or a run folder) and shows the result in its own panel. */
async function predictAndShow(trainer: CliStarter, target: string, label: string, images: vscode.Uri[]): Promise<void> {
  const panel = vscode.window.createWebviewPanel(PREDICTION_VIEW_TYPE, `Predict: ${label}`, panelColumn(), { enableScripts: false, localResourceRoots: [] });
  const paths = images.map((image) => image.fsPath);
  const waiting: PredictionPage = { source: `${label}: predicting ${paths.length} image(s)…`, classNamed: true, images: [] };
  panel.webview.html = predictionHtml(waiting, nonce());
  let output: PredictOutput;
  try {
    const child = await trainer.startCli(['predict', target, ...paths, '--json', '--top', '5']);
    const { stdout, code } = await collectOutput(child, PREDICT_TIMEOUT_MS);
    output = parsePredictOutput(stdout, code);
  } catch (error) {
    output = { error: { message: `The prediction could not start: ${error instanceof Error ? error.message : String(error)}` } };
  }
  const page: PredictionPage = {
    source: output.source ?? label,
    classNamed: output.classNamed ?? false,
    images: (output.predictions ?? []).map((prediction, index) => ({
      name: basename(paths[index] ?? prediction.image),
      ...(paths[index] && imageDataUrl(paths[index]) ? { dataUrl: imageDataUrl(paths[index]) } : {}),
      ...(prediction.resizedFrom ? { note: `Resized from ${prediction.resizedFrom[1]}×${prediction.resizedFrom[0]} to the model's input.` } : {}),
      top: prediction.top,
    })),
    ...(output.error ? { error: output.error } : {}),
  };
  panel.webview.html = predictionHtml(page, nonce());
}

// ---------------------------------------------------------------------------------------------
// Train / Fine-tune

/**
 * **CNN Lab: Train Model** on the Keras file, asking for the dataset and settings as for any model
 * file: from new weights (Train…), or from the weights saved in the file (Fine-tune…: layers saved
 * with trainable=False stay frozen).
 */
export function trainKerasFile(uri: vscode.Uri, fineTune: boolean): Thenable<unknown> {
  return vscode.commands.executeCommand('cnnLab.train', uri, { fineTune });
}

async function predictWithFile(trainer: CliStarter, uri: vscode.Uri): Promise<void> {
  const images = await pickImages(vscode.Uri.file(dirname(uri.fsPath)));
  if (images) await predictAndShow(trainer, uri.fsPath, basename(uri.fsPath), images);
}

// ---------------------------------------------------------------------------------------------
// The custom editor

class KerasDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void {
    // nothing held: the page reads the file when it is shown
  }
}

class KerasEditorProvider implements vscode.CustomReadonlyEditorProvider<KerasDocument> {
  constructor(
    private readonly ctx: Ctx,
    private readonly trainer: CliStarter,
  ) {}

  openCustomDocument(uri: vscode.Uri): KerasDocument {
    return new KerasDocument(uri);
  }

  async resolveCustomEditor(document: KerasDocument, panel: vscode.WebviewPanel): Promise<void> {
    panel.webview.options = { enableScripts: true, localResourceRoots: [] };
    const path = document.uri.fsPath;
    let disposed = false;
    const render = async (): Promise<void> => {
      const page = await readKerasPage(path);
      if (!disposed) panel.webview.html = kerasModelHtml(page, nonce());
    };
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dirname(path)), basename(path)));
    const subscriptions = [
      watcher,
      watcher.onDidChange(() => void render()),
      watcher.onDidCreate(() => void render()),
      panel.webview.onDidReceiveMessage((message: unknown) => {
        if (isKerasPageAction(message)) void this.act(message.type, document.uri);
      }),
    ];
    panel.onDidDispose(() => {
      disposed = true;
      for (const subscription of subscriptions) subscription.dispose();
    });
    await render();
  }

  private async act(action: KerasPageAction, uri: vscode.Uri): Promise<void> {
    try {
      if (action === 'predict') await predictWithFile(this.trainer, uri);
      else await trainKerasFile(uri, action === 'fineTune');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.ctx.output.appendLine(`Keras model ${basename(uri.fsPath)}: ${message}`);
      void vscode.window.showErrorMessage(`CNN Lab: ${message}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Predict Image… on a run

async function pickRun(catalog: RunCatalog): Promise<RunEntry | undefined> {
  const entries = await catalog.ready();
  if (entries.length === 0) {
    void vscode.window.showInformationMessage('CNN Lab: no run to predict with. Train a model first.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    entries.map((entry) => ({ label: entry.record.label ?? entry.record.id, description: `${entry.record.status} · ${entry.record.dataset}`, detail: entry.record.modelFile, entry })),
    { title: 'Predict with run', matchOnDescription: true, matchOnDetail: true },
  );
  return picked?.entry;
}

export function register(ctx: Ctx, trainer: CliStarter, catalog: RunCatalog): void {
  ctx.own(
    vscode.window.registerCustomEditorProvider(KERAS_EDITOR_VIEW_TYPE, new KerasEditorProvider(ctx, trainer), {
      webviewOptions: { retainContextWhenHidden: false },
      supportsMultipleEditorsPerDocument: true,
    }),
  );
  ctx.registerCommand('cnnLab.predictImage', async (argument?: RunNode | string | vscode.Uri) => {
    if (argument instanceof vscode.Uri && kerasFileKind(argument.fsPath)) return predictWithFile(trainer, argument);
    const entry = argument instanceof RunNode ? argument.entry : typeof argument === 'string' ? await catalog.lookup(argument) : await pickRun(catalog);
    if (!entry) return;
    const images = await pickImages(vscode.Uri.file(entry.folder.uri.fsPath));
    if (images) await predictAndShow(trainer, entry.runDir, argument instanceof RunNode ? argument.title : entry.record.label ?? entry.record.id, images);
  });
}

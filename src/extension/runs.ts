// Run history features: the Runs and Models views, the Train / last-run CodeLens, the training
// panel and every run command. `register(ctx, trainer)` is called once from main.ts.
// Every command catches its own errors and reports them: the extension host never throws.

import { MODEL_FILE_EXCLUDE_GLOB, MODEL_FILE_GLOB, MODEL_FILE_PATTERNS } from '../model/vocabulary';
import { cp, lstat, mkdir, realpath, stat } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { analyzeModel } from '../model';
import type { ModelAnalysis } from '../model/types';
import { kerasFileKind, readKerasModelConfig } from '../keras/savedModel';
import type { PanelRunAction } from '../channels/webview';
import type { RunRecord } from '../runs/format';
import { MAX_CSV_LOG_COLUMNS, writeMetricsCsv } from '../runs/csv';
import { epochsDoneAfter, formatRunResult, formatTags, runTitle } from '../runs/grouping';
import { deleteRun, describeMetricsInfo, isInside, isPlainRunId, resolveRunFile, updateRun } from '../runs/store';
import { stopForeignTrainer } from '../runs/trainerProcess';
import { writeTensorBoardLogs } from '../runs/tensorboard';
import type { Ctx } from './ctx';
import { RunPanel, type PanelDeps } from './panel';
import { RunCatalog, type RunEntry } from './runCatalog';
import type { ModelDocuments } from './modelDocuments';
import { ModelGroupNode, ModelNode, ModelsTreeProvider, RunNode, RunsTreeProvider, runTitles, TrainCodeLensProvider, type ExperimentStateOf } from './runsView';
import { chooseTrainSettings, describeSettings } from './trainSettings';
import type { TrainerManager } from './trainerManager';
import { TrainingLauncher, trainingAllowed } from './trainingLauncher';
import { exportWithCli, KERAS_EXPORT_CHOICES } from './kerasExport';

/** What a run command may be invoked with: a tree node, a run id (CodeLens, panel), or nothing (palette). */
type RunArgument = RunNode | string | undefined;

/** What the Runs view shows of sweeps' queues (the experiment rows' Stop Sweep / Continue Sweep), and when it changed. */
export interface SweepStates {
  stateOf: ExperimentStateOf;
  onDidChange: vscode.Event<unknown>;
}

export function register(ctx: Ctx, trainer: TrainerManager, documents: ModelDocuments, sweeps?: SweepStates): RunCatalog {
  const catalog = ctx.own(new RunCatalog(ctx));
  // Epochs completed by the runs trained in this window, from their trainers' `epoch` events (0-based
  // epoch numbers, hence +1): the lenses and views update at each epoch, whenever run.json is re-read.
  const liveEpochs = new Map<string, number>();
  const live = (runId: string): number | undefined => liveEpochs.get(runId);
  const runsTree = ctx.own(new RunsTreeProvider(catalog, live, (experimentId) => sweeps?.stateOf(experimentId)));
  if (sweeps) ctx.own(sweeps.onDidChange(() => runsTree.refresh()));
  const modelsTree = ctx.own(new ModelsTreeProvider(catalog, { live, documents: () => documents }));
  const lenses = ctx.own(new TrainCodeLensProvider(catalog, live));
  const runsView = ctx.own(vscode.window.createTreeView('cnnLab.runs', { treeDataProvider: runsTree, canSelectMany: true, showCollapseAll: true }));
  ctx.own(vscode.window.createTreeView('cnnLab.models', { treeDataProvider: modelsTree }));
  ctx.own(vscode.languages.registerCodeLensProvider(MODEL_FILE_PATTERNS.map((pattern) => ({ scheme: 'file', pattern })), lenses));
  ctx.own(
    catalog.onDidChange(() => {
      runsTree.refresh();
      modelsTree.refresh();
      lenses.refresh();
    }),
  );
  const modelWatcher = ctx.own(vscode.workspace.createFileSystemWatcher(MODEL_FILE_GLOB));
  ctx.own(modelWatcher.onDidCreate(() => modelsTree.refresh()), modelWatcher.onDidDelete(() => modelsTree.refresh()), modelWatcher.onDidChange(() => modelsTree.refresh()));
  // Trainer sessions write run.json as they go, but a new session should show up at once, and every
  // finished epoch at once in the lens, the Runs view and the Models view.
  const followed = new WeakSet<object>();
  const followSessions = (): void => {
    for (const session of trainer.sessions) {
      if (followed.has(session)) continue;
      followed.add(session);
      const subscription = session.onEvent((event) => {
        if (event.type !== 'epoch' || !session.runId) return;
        liveEpochs.set(session.runId, Math.max(liveEpochs.get(session.runId) ?? 0, epochsDoneAfter(event.epoch)));
        runsTree.refresh();
        modelsTree.refresh();
        lenses.refresh();
        catalog.scheduleRefresh();
      });
      void session.done.finally(() => subscription.dispose());
    }
  };
  ctx.own(
    trainer.onDidChangeSessions(() => {
      followSessions();
      catalog.scheduleRefresh();
    }),
  );
  // The Train lens is offered only where training is allowed; closed `.model.ts` files can be counted once trusted.
  ctx.own(
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      lenses.refresh();
      modelsTree.refresh();
    }),
  );
  // Open model documents: the Models view shows the editor's result, evaluated ones included, and "resolving…" meanwhile.
  ctx.own(documents.onDidChange(() => modelsTree.refresh()));

  trainer.nameRun = (record) => {
    const entry = catalog.runs.find((candidate) => candidate.record.id === record.id);
    if (entry && !record.label) return nameOf(entry);
    return runTitle(record, [...catalog.runs.filter((other) => other !== entry).map((other) => other.record), record]);
  };

  const deps: PanelDeps = { ctx, catalog, trainer, runAction: (runId, action) => void runPanelAction(runId, action) };
  ctx.own(RunPanel.registerSerializer(deps));
  const launcher = new TrainingLauncher(deps);

  /** The run's readable name (`cnn #3` or its label), numbered among the runs the catalog knows. */
  function nameOf(entry: RunEntry): string {
    return runTitles(catalog.runs).get(entry) ?? runTitle(entry.record, catalog.runs.map((other) => other.record));
  }

  /** Resolves a command argument to a run, asking with a quick pick when there is none. */
  async function pickRun(argument: RunArgument, title: string, filter: (record: RunRecord) => boolean = () => true): Promise<RunEntry | undefined> {
    if (argument instanceof RunNode) return argument.entry;
    if (typeof argument === 'string') return catalog.lookup(argument);
    const entries = (await catalog.ready()).filter((entry) => filter(entry.record));
    if (entries.length === 0) {
      void vscode.window.showInformationMessage('CNN Lab: no run to pick.');
      return undefined;
    }
    const titles = runTitles(await catalog.ready());
    const picked = await vscode.window.showQuickPick(entries.map((entry) => runPickItem(entry, titles.get(entry))), { title, matchOnDescription: true, matchOnDetail: true });
    return picked?.entry;
  }


  async function runPanelAction(runId: string, action: PanelRunAction): Promise<void> {
    const commands: Record<PanelRunAction, string> = {
      exportModel: 'cnnLab.exportModel',
      exportCsv: 'cnnLab.exportMetricsCsv',
      exportTensorBoard: 'cnnLab.exportTensorBoard',
      revealFolder: 'cnnLab.revealRunFolder',
      rerun: 'cnnLab.rerun',
    };
    await vscode.commands.executeCommand(commands[action], runId);
  }

  // `fineTune` (the Keras editor's Fine-tune…): start from the weights saved in the Keras file.
  ctx.registerCommand('cnnLab.train', async (target?: vscode.Uri | ModelNode | ModelGroupNode, options?: { fineTune?: boolean }) => {
    const uri = await resolveModelFile(target);
    if (!uri) return;
    const folder = vscode.workspace.getWorkspaceFolder(uri) ?? vscode.workspace.workspaceFolders?.[0];
    if (!folder) {
      void vscode.window.showErrorMessage('CNN Lab: open a folder first; runs are kept in its .cnnlab folder.');
      return;
    }
    // Refused before any settings are asked for, saying why and how to trust the workspace.
    if (!trainingAllowed()) return;
    const { analysis, document } = await readModelToTrain(uri);
    const errors = analysis.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
    if (!analysis.ir || errors.length > 0) {
      const first = errors[0];
      const where = first && (document ? `line ${first.range.start.line + 1}` : first.layer ? `layer '${first.layer}'` : undefined);
      const choice = await vscode.window.showErrorMessage(
        `CNN Lab: ${path.basename(uri.fsPath)} has ${errors.length || 1} error(s)${first ? ` (${where ? `${where}: ` : ''}${first.message})` : ''}. Fix them before training.`,
        'Show Problems',
      );
      if (choice) void vscode.commands.executeCommand('workbench.actions.view.problems');
      return;
    }
    const fromFile = analysis.ir.training ?? {};
    const ask = vscode.workspace.getConfiguration('cnnLab', uri).get<boolean>('train.confirmSettings', true);
    const choice = ask ? await chooseTrainSettings(document ?? uri, fromFile, options?.fineTune ? 'Fine-tune' : 'Train') : { overrides: {} };
    if (!choice) return;
    const { overrides, limits } = choice;
    launcher.launch({ modelFile: uri.fsPath, folder, fileTraining: fromFile, overrides, limits, ...(options?.fineTune ? { initialWeights: 'model-file' as const } : {}) });
  });

  ctx.registerCommand('cnnLab.openRun', async (argument?: RunArgument) => {
    const entry = await pickRun(argument, 'Open run');
    if (entry) RunPanel.showRun(deps, entry.record.id);
  });

  ctx.registerCommand('cnnLab.compareRuns', async (argument?: RunArgument, selection?: RunNode[]) => {
    // From the context menu: the selected rows. From the palette or the view title: the rows selected in the view.
    const fromTree = argument === undefined ? runsView.selection : (selection ?? []);
    let entries = fromTree.filter((node): node is RunNode => node instanceof RunNode).map((node) => node.entry);
    if (entries.length < 2) {
      const all = await catalog.ready();
      // Only a run the command was invoked on is preselected; a row that merely happens to be selected is not.
      const preselected = new Set(argument instanceof RunNode ? [argument.runId] : typeof argument === 'string' ? [argument] : []);
      const titles = runTitles(all);
      const picked = await vscode.window.showQuickPick(
        all.map((entry) => ({ ...runPickItem(entry, titles.get(entry)), picked: preselected.has(entry.record.id) })),
        { title: 'Compare runs (pick two or more)', canPickMany: true, matchOnDescription: true },
      );
      if (!picked) return;
      entries = picked.map((item) => item.entry);
    }
    if (entries.length < 2) {
      void vscode.window.showInformationMessage('CNN Lab: pick at least two runs to compare.');
      return;
    }
    RunPanel.showCompare(deps, entries.map((entry) => entry.record.id));
  });

  ctx.registerCommand('cnnLab.rerun', async (argument?: RunArgument) => {
    const entry = await pickRun(argument, 'Re-run with the same settings');
    if (!entry) return;
    await requireFile(entry.modelPath, 'The model file');
    launcher.launch({
      modelFile: entry.modelPath,
      folder: entry.folder,
      overrides: { ...entry.record.training, dataset: entry.record.dataset },
      ...(entry.record.initialWeights ? { initialWeights: 'model-file' as const } : {}),
    });
  });

  ctx.registerCommand('cnnLab.resumeRun', async (argument?: RunArgument) => {
    const entry = await pickRun(argument, 'Resume run', (record) => record.status === 'stopped' || record.status === 'interrupted');
    if (!entry) return;
    await requireFile(entry.modelPath, 'The model file');
    launcher.launch({ modelFile: entry.modelPath, folder: entry.folder, resumeRunId: entry.record.id, fileTraining: entry.record.training });
  });

  ctx.registerCommand('cnnLab.stopRun', async (argument?: RunArgument) => {
    const entry = await pickRun(argument, 'Stop run', (record) => record.status === 'running');
    if (!entry) return;
    const session = trainer.sessions.find((candidate) => candidate.runId === entry.record.id);
    if (session) {
      await session.stop();
      return;
    }
    // A run started from the CLI or another window: the same as pressing Ctrl+C in its terminal,
    // but only for a process that proves it is this run's trainer (never a bare pid from run.json).
    const outcome = await stopForeignTrainer(entry.runDir, entry.record.pid);
    if (outcome.signalled) void vscode.window.showInformationMessage(`CNN Lab: asked trainer process ${outcome.pid} to stop.`);
    else void vscode.window.showWarningMessage(`CNN Lab: cannot stop run "${nameOf(entry)}" from this window. ${outcome.reason}`);
    catalog.scheduleRefresh();
  });

  ctx.registerCommand('cnnLab.renameRun', async (argument?: RunArgument) => {
    const entry = await pickRun(argument, 'Rename or tag run');
    if (!entry) return;
    const label = await vscode.window.showInputBox({ title: 'Run name', value: entry.record.label ?? nameOf(entry), prompt: 'Leave empty for the default name (model name and run number)' });
    if (label === undefined) return;
    const tags = await vscode.window.showInputBox({ title: 'Tags (comma-separated)', value: (entry.record.tags ?? []).join(', ') });
    if (tags === undefined) return;
    await updateRun(entry.runDir, {
      label: label.trim() === '' || label === entry.record.id || (!entry.record.label && label.trim() === nameOf(entry)) ? undefined : label.trim(),
      tags: tags.split(',').map((tag) => tag.trim()).filter((tag) => tag !== ''),
    });
    await catalog.refresh();
  });

  ctx.registerCommand('cnnLab.revealRunFolder', async (argument?: RunArgument) => {
    const entry = await pickRun(argument, 'Reveal run folder');
    if (entry) await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(path.join(entry.runDir, 'run.json')));
  });

  ctx.registerCommand('cnnLab.exportModel', async (argument?: RunArgument) => {
    const entry = await pickRun(argument, 'Export model');
    if (!entry) return;
    const source = await savedModelDir(entry.runDir);
    if (!source) {
      void vscode.window.showWarningMessage(`CNN Lab: run ${nameOf(entry)} has no saved model yet.`);
      return;
    }
    const target = await vscode.window.showOpenDialog({
      defaultUri: vscode.Uri.file(await defaultExportDir(entry.folder)),
      canSelectFolders: true,
      canSelectFiles: false,
      openLabel: 'Export here',
      title: 'Export the model (tfjs layers format) into…',
    });
    if (!target?.[0]) return;
    const destination = path.join(target[0].fsPath, `${plainRunId(entry)}-${path.basename(source)}`);
    // Links inside the saved model are left out: a run folder may come from anyone.
    await cp(source, destination, { recursive: true, errorOnExist: true, force: false, filter: async (file) => !(await lstat(file)).isSymbolicLink() });
    void vscode.window.showInformationMessage(`CNN Lab: exported the ${path.basename(source)} model to ${destination}.`);
  });

  ctx.registerCommand('cnnLab.exportKeras', async (argument?: RunArgument) => {
    const entry = await pickRun(argument, 'Export to Keras');
    if (!entry) return;
    const choice = await vscode.window.showQuickPick(KERAS_EXPORT_CHOICES, { title: `Export ${nameOf(entry)} to Keras` });
    if (!choice) return;
    if (choice.format === 'keras' && !(await savedModelDir(entry.runDir))) {
      void vscode.window.showWarningMessage(`CNN Lab: run ${nameOf(entry)} has no saved model yet. train.py needs none.`);
      return;
    }
    const id = plainRunId(entry);
    const keras = choice.format === 'keras';
    const target = await vscode.window.showSaveDialog({
      // train.py goes in a folder of its own: a shapes run's data (shapes.npz) is written beside it.
      defaultUri: vscode.Uri.file(keras ? path.join(await defaultExportDir(entry.folder), `${id}.keras`) : path.join(await defaultExportDir(entry.folder, id), 'train.py')),
      filters: keras ? { 'Keras model': ['keras'] } : { Python: ['py'] },
      title: keras ? 'Export the trained model as a Keras 3 file' : 'Export the model and its training as a Keras script',
    });
    if (!target) return;
    const output = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `CNN Lab: exporting ${nameOf(entry)}…` }, () =>
      exportWithCli(trainer, entry.runDir, choice.format, target.fsPath),
    );
    if (output.error) {
      void vscode.window.showErrorMessage(`CNN Lab: ${output.error.message}${output.error.hint ? ` ${output.error.hint}` : ''}`);
      return;
    }
    for (const warning of output.warnings ?? []) ctx.output.appendLine(`Export ${id}: ${warning}`);
    const written = output.written?.[0] ?? target.fsPath;
    const warned = (output.warnings ?? []).length > 0 ? ` ${(output.warnings ?? []).join(' ')}` : '';
    const message = `CNN Lab: exported ${nameOf(entry)} to ${written}${(output.written?.length ?? 0) > 1 ? ` (and ${output.written?.slice(1).map((file) => path.basename(file)).join(', ')})` : ''}.${warned}`;
    const open = keras ? 'Show Summary' : 'Open train.py';
    const answer = await (warned ? vscode.window.showWarningMessage(message, open) : vscode.window.showInformationMessage(message, open));
    if (answer === open) await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(written));
  });

  ctx.registerCommand('cnnLab.exportMetricsCsv', async (argument?: RunArgument) => {
    const entry = await pickRun(argument, 'Export metrics as CSV');
    if (!entry) return;
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(path.join(await defaultExportDir(entry.folder), `${plainRunId(entry)}.metrics.csv`)),
      filters: { CSV: ['csv'] },
      title: 'Export metrics as CSV',
    });
    if (!target) return;
    // Streamed: a metrics.jsonl of any size, read and written a chunk at a time.
    const result = await writeMetricsCsv(entry.runDir, target.fsPath);
    const notes = [describeMetricsInfo(result), result.columnsLeftOut > 0 ? `${result.columnsLeftOut} log names past the first ${MAX_CSV_LOG_COLUMNS} left out` : undefined].filter(Boolean);
    const message = `CNN Lab: wrote ${result.rows} rows to ${target.fsPath}.${notes.length > 0 ? ` ${notes.join('; ')}.` : ''}`;
    if (result.skipped > 0) ctx.output.appendLine(message);
    void (notes.length > 0 ? vscode.window.showWarningMessage(message) : vscode.window.showInformationMessage(message));
  });

  ctx.registerCommand('cnnLab.exportTensorBoard', async (argument?: RunArgument) => {
    const entry = await pickRun(argument, 'Export TensorBoard logs');
    if (!entry) return;
    // A folder of its own, so that `tensorboard --logdir` on it shows the exported runs and nothing else.
    const target = await vscode.window.showOpenDialog({
      defaultUri: vscode.Uri.file(await defaultExportDir(entry.folder, 'tensorboard')),
      canSelectFolders: true,
      canSelectFiles: false,
      openLabel: 'Write logs here',
      title: 'TensorBoard log folder',
    });
    if (!target?.[0]) return;
    const started = Date.parse(entry.record.startedAt) / 1000 || Date.now() / 1000;
    const fileName = `events.out.tfevents.${Math.floor(started)}.${os.hostname()}.cnnlab`;
    const runFolder = path.join(target[0].fsPath, plainRunId(entry));
    // Streamed: the host never holds (or blocks on) the whole history.
    const result = await writeTensorBoardLogs(entry.runDir, runFolder, fileName, started);
    const note = describeMetricsInfo(result);
    const message = `CNN Lab: TensorBoard logs written (${result.lines} metrics lines${note ? `; ${note}` : ''}). View them with: tensorboard --logdir "${target[0].fsPath}"`;
    if (note) ctx.output.appendLine(message);
    void (note ? vscode.window.showWarningMessage(message) : vscode.window.showInformationMessage(message));
  });

  ctx.registerCommand('cnnLab.deleteRun', async (argument?: RunArgument, selection?: RunNode[]) => {
    const fromSelection = (selection ?? []).filter((node): node is RunNode => node instanceof RunNode).map((node) => node.entry);
    const entries = fromSelection.length > 1 ? fromSelection : [await pickRun(argument, 'Delete run')].filter((entry): entry is RunEntry => entry !== undefined);
    if (entries.length === 0) return;
    const running = entries.filter((entry) => entry.record.status === 'running');
    if (running.length > 0) {
      void vscode.window.showWarningMessage(`CNN Lab: stop ${nameOf(running[0])} before deleting it.`);
      return;
    }
    const what = entries.length === 1 ? `run "${nameOf(entries[0])}"` : `${entries.length} runs`;
    const answer = await vscode.window.showWarningMessage(`Delete ${what}? Its folder, metrics and saved models are removed from disk.`, { modal: true }, 'Delete');
    if (answer !== 'Delete') return;
    for (const entry of entries) {
      RunPanel.closeRun(entry.record.id);
      await deleteRun(entry.runDir, entry.runsDir);
    }
    await catalog.refresh();
  });

  ctx.registerCommand('cnnLab.refreshRuns', async () => {
    await catalog.refresh();
    modelsTree.refresh();
  });

  return catalog;
}

/** A run in a quick pick: its readable name; status, result, dataset and tags; the settings and the id below. */
export function runPickItem(entry: RunEntry, title: string = runTitle(entry.record)): vscode.QuickPickItem & { entry: RunEntry } {
  const record = entry.record;
  const description = [record.status, formatRunResult(record), record.dataset, formatTags(record) || undefined].filter((part) => part !== undefined).join(' · ');
  return { label: title, description, detail: `${describeSettings({ ...record.training, dataset: record.dataset })} · ${record.id}`, entry };
}

/**
 * The model file's analysis, and its document where it is text (the settings step can save to it).
 * A Keras saved model (.keras/.h5) is binary: its architecture is read through src/keras.
 */
async function readModelToTrain(uri: vscode.Uri): Promise<{ analysis: ModelAnalysis; document?: vscode.TextDocument }> {
  if (kerasFileKind(uri.fsPath)) return { analysis: analyzeModel((await readKerasModelConfig(uri.fsPath)).configText, uri.fsPath) };
  const document = await vscode.workspace.openTextDocument(uri);
  return { analysis: analyzeModel(document.getText(), uri.fsPath), document };
}

/** The model file a command is for: the argument, the active editor's model file, or a quick pick titled `title`. */
export async function resolveModelFile(target: vscode.Uri | ModelNode | ModelGroupNode | undefined, title = 'Train which model?'): Promise<vscode.Uri | undefined> {
  if (target instanceof vscode.Uri) return target;
  if (target instanceof ModelNode) return target.uri;
  if (target instanceof ModelGroupNode) return vscode.Uri.file(target.modelPath);
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && /\.model\.(json|ts)$/.test(active.fsPath)) return active;
  const files = await vscode.workspace.findFiles(MODEL_FILE_GLOB, MODEL_FILE_EXCLUDE_GLOB, 500);
  if (files.length === 0) {
    void vscode.window.showInformationMessage('CNN Lab: no *.model.json or *.model.ts file in this workspace.');
    return undefined;
  }
  if (files.length === 1) return files[0];
  const picked = await vscode.window.showQuickPick(
    files.map((uri) => ({ label: path.basename(uri.fsPath), description: vscode.workspace.asRelativePath(uri), uri })),
    { title },
  );
  return picked?.uri;
}

/**
 * Where exports are offered by default: `.cnnlab/exports/` beside the runs, made on first use, so
 * that files exported from runs do not land in the workspace root among the user's own. When
 * `.cnnlab` is a link out of the workspace nothing is made there and the workspace folder is offered.
 */
async function defaultExportDir(folder: vscode.WorkspaceFolder, ...subfolders: string[]): Promise<string> {
  const workspaceDir = folder.uri.fsPath;
  const cnnlabDir = path.join(workspaceDir, '.cnnlab');
  try {
    const [realWorkspace, realCnnlab] = await Promise.all([realpath(workspaceDir), realpath(cnnlabDir)]);
    if (!isInside(realWorkspace, realCnnlab) || realCnnlab === realWorkspace) return workspaceDir;
  } catch {
    // No .cnnlab yet: it is made below, inside the workspace.
  }
  const exportsDir = path.join(cnnlabDir, 'exports', ...subfolders);
  try {
    await mkdir(exportsDir, { recursive: true });
    return exportsDir;
  } catch {
    return workspaceDir;
  }
}

/**
 * model/best when it exists, else model/last: the real folder, and only when it and its model.json
 * lie inside the run folder after resolving links (a planted link must not export files from elsewhere).
 */
async function savedModelDir(runDir: string): Promise<string | undefined> {
  for (const which of ['best', 'last']) {
    const modelJson = await resolveRunFile(runDir, path.join('model', which, 'model.json'));
    if (modelJson) return path.dirname(modelJson);
  }
  return undefined;
}

/** The run's id (its folder's name) for naming files outside the run; refuses anything that is not one plain name. */
function plainRunId(entry: RunEntry): string {
  const id = path.basename(entry.runDir);
  if (!isPlainRunId(id) || id !== entry.record.id) throw new Error(`The run folder ${entry.runDir} has no usable run id; nothing was written. Refresh the Runs view.`);
  return id;
}

async function requireFile(file: string, what: string): Promise<void> {
  try {
    await stat(file);
  } catch {
    throw new Error(`${what} ${file} no longer exists.`);
  }
}

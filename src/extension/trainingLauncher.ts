// Starting a training run, from any command (Train, Re-run, Resume): the one place that checks
// workspace trust, merges what decides the run on the host's side (the user's choices, then the
// cnnLab settings; the model file's training block is merged in the trainer, which reads the file)
// and opens the run's panel.

import * as vscode from 'vscode';
import type { TrainingConfig } from '../model/types';
import type { ExperimentRef } from '../runs/format';
import { isBackendChoice } from '../model/vocabulary';
import { RunPanel, type PanelDeps } from './panel';
import type { TrainingRequest } from './trainerManager';
import type { ExampleLimits } from './trainSettings';

export interface LaunchRequest {
  modelFile: string;
  folder: vscode.WorkspaceFolder;
  /** The model file's own training block, to show what will run while the trainer starts. */
  fileTraining?: TrainingConfig;
  /** The user's choices for this run (the settings step, a re-run's recorded settings); win over the file. */
  overrides?: TrainingConfig;
  /** Continue a stopped or interrupted run from its last saved model. */
  resumeRunId?: string;
  /** Train and test on the first examples only (a quick trial). */
  limits?: ExampleLimits;
  /** `model-file`: start from the weights saved in the (Keras) model file: fine-tuning. */
  initialWeights?: 'model-file';
  /** A sweep's variant (its values, applied by the trainer). */
  experiment?: ExperimentRef;
}

/** The cnnLab settings that shape a run. */
export interface LaunchSettings {
  backend?: string;
  dataDir?: string;
}

export const untrustedMessage =
  'CNN Lab trains only in trusted workspaces: training runs the model file (TypeScript models are executed) and ' +
  'writes to the workspace. Trust this workspace to train.';

/** Whether training may start in this workspace; when not, the user is told why and how to trust it. */
export function trainingAllowed(): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window.showWarningMessage(untrustedMessage, 'Manage Workspace Trust').then((choice) => {
    if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
  });
  return false;
}

/**
 * What the trainer is asked for: the user's choices, with a backend chosen in the settings winning
 * (`auto` leaves the model file's own choice in force), and the settings' dataset folder.
 */
export function trainingRequest(request: LaunchRequest, settings: LaunchSettings): TrainingRequest {
  const settingBackend = settings.backend !== 'auto' && isBackendChoice(settings.backend) ? settings.backend : undefined;
  const overrides = settingBackend ? { ...request.overrides, backend: settingBackend } : request.overrides;
  const dataDir = settings.dataDir?.trim() || undefined;
  return {
    modelFile: request.modelFile,
    workspaceFolder: request.folder.uri.fsPath,
    ...(overrides && Object.keys(overrides).length > 0 ? { overrides } : {}),
    ...(dataDir ? { dataDir } : {}),
    ...(request.resumeRunId ? { resumeRunId: request.resumeRunId } : {}),
    ...(request.limits ? { limits: request.limits } : {}),
    ...(request.initialWeights ? { initialWeights: request.initialWeights } : {}),
    ...(request.experiment ? { experiment: request.experiment } : {}),
  };
}

export class TrainingLauncher {
  constructor(private readonly deps: PanelDeps) {}

  /** Starts the run and shows it in one panel; nothing starts, and no panel opens, in an untrusted workspace. */
  launch(request: LaunchRequest): void {
    if (!trainingAllowed()) return;
    const config = vscode.workspace.getConfiguration('cnnLab', request.folder.uri);
    const trainerRequest = trainingRequest(request, { backend: config.get<string>('backend'), dataDir: config.get<string>('dataDir') });
    const start = this.deps.trainer.start(trainerRequest);
    const shown = { ...request.fileTraining, ...request.overrides };
    const starting = { modelFile: vscode.workspace.asRelativePath(request.modelFile), dataset: shown.dataset ?? 'shapes', epochs: shown.epochs ?? 0 };
    RunPanel.showTraining(this.deps, starting, start);
  }
}

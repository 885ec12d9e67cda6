// The "CNN Lab: Train Model" settings step: start with the model file's `training` block, run a
// quick trial on a few examples, or change the dataset, epochs, batch size or learning rate first,
// and optionally write the changes back into the JSON file's `training` block.

import * as vscode from 'vscode';
import type { TrainingConfig } from '../model/types';
import { BUILT_IN_DATASETS } from '../model/vocabulary';
import { withTrainingChanges } from './trainingBlock';


/** Defaults the trainer applies when the file says nothing, shown so the user sees what will run. */
const SHOWN_DEFAULTS = { dataset: 'shapes', epochs: 10, batchSize: 32 };

/**
 * A quick trial: one epoch on the first 2,000 training examples, tested on the first 500. That is
 * 63 batches at batch size 32, enough to see the loss fall and to catch shape, dataset or
 * settings mistakes, and 1/30 of a 60,000-image epoch (the 35-minute Fashion-MNIST epoch on the
 * CPU becomes about a minute).
 */
export const QUICK_TRIAL = { trainExamples: 2000, testExamples: 500, epochs: 1 } as const;

/** Limits on the examples used, as TrainJob's fields of the same names (the CLI's --train-examples/--test-examples). */
export interface ExampleLimits {
  trainExamples: number;
  testExamples: number;
}

/** What the settings step decided: settings that win over the file's block, and example limits for a quick trial. */
export interface SettingsChoice {
  overrides: TrainingConfig;
  limits?: ExampleLimits;
}

/** `1 epoch`, `10 epochs`, `2,000 examples`. */
export function countOf(count: number, singular: string, plural = `${singular}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? singular : plural}`;
}

/** The quick pick's label for the quick trial. */
export function quickTrialLabel(): string {
  return `Quick trial (${countOf(QUICK_TRIAL.trainExamples, 'example')}, ${countOf(QUICK_TRIAL.epochs, 'epoch')})`;
}

/** The settings a quick trial runs with: the changes so far, one epoch, and the example limits. */
export function quickTrialChoice(changes: TrainingConfig): SettingsChoice {
  return {
    overrides: { ...changes, epochs: QUICK_TRIAL.epochs },
    limits: { trainExamples: QUICK_TRIAL.trainExamples, testExamples: QUICK_TRIAL.testExamples },
  };
}

export function learningRateOf(training: TrainingConfig): number | undefined {
  const optimizer = training.optimizer;
  return training.learningRate ?? (typeof optimizer === 'object' ? optimizer.learningRate : undefined);
}

export function describeSettings(training: TrainingConfig): string {
  const rate = learningRateOf(training);
  const optimizer = typeof training.optimizer === 'string' ? training.optimizer : training.optimizer?.name;
  return [
    `dataset ${training.dataset ?? SHOWN_DEFAULTS.dataset}`,
    countOf(training.epochs ?? SHOWN_DEFAULTS.epochs, 'epoch'),
    `batch ${training.batchSize ?? SHOWN_DEFAULTS.batchSize}`,
    optimizer ? `${optimizer}` : undefined,
    rate !== undefined ? `lr ${rate}` : undefined,
  ]
    .filter((part): part is string => part !== undefined)
    .join(' · ');
}

type Choice = 'start' | 'quickTrial' | 'dataset' | 'epochs' | 'batchSize' | 'learningRate' | 'save';

/**
 * Asks until the user starts, starts a quick trial, or cancels. Returns the settings changed from
 * the file's block and, for a quick trial, the example limits; undefined when cancelled. `target`
 * is the model file's document, or its Uri for a file with no training block to save to (a Keras
 * saved model); `action` titles the steps (`Train`, `Fine-tune`).
 */
export async function chooseTrainSettings(target: vscode.TextDocument | vscode.Uri, fromFile: TrainingConfig, action = 'Train'): Promise<SettingsChoice | undefined> {
  const changes: TrainingConfig = {};
  const document = target instanceof vscode.Uri ? undefined : target;
  const uri = target instanceof vscode.Uri ? target : target.uri;
  for (;;) {
    const current = { ...fromFile, ...changes };
    const items: (vscode.QuickPickItem & { choice: Choice })[] = [
      { choice: 'start', label: '$(play) Start with these settings', detail: describeSettings(current) },
      {
        choice: 'quickTrial',
        label: `$(zap) ${quickTrialLabel()}`,
        detail: `First ${countOf(QUICK_TRIAL.trainExamples, 'training example')}, tested on ${countOf(QUICK_TRIAL.testExamples, 'example')}: a short check of the model and settings before a full run`,
      },
    ];
    items.push(
      { choice: 'dataset', label: '$(database) Change dataset…', description: current.dataset ?? SHOWN_DEFAULTS.dataset },
      { choice: 'epochs', label: '$(history) Change epochs…', description: String(current.epochs ?? SHOWN_DEFAULTS.epochs) },
      { choice: 'batchSize', label: '$(layers) Change batch size…', description: String(current.batchSize ?? SHOWN_DEFAULTS.batchSize) },
      { choice: 'learningRate', label: '$(dashboard) Change learning rate…', description: String(learningRateOf(current) ?? 'optimizer default') },
    );
    if (document?.fileName.endsWith('.json') && Object.keys(changes).length > 0) items.push({ choice: 'save', label: '$(save) Save to file', description: 'write these settings into the training block' });
    const picked = await vscode.window.showQuickPick(items, { title: `${action} ${vscode.workspace.asRelativePath(uri)}`, placeHolder: describeSettings(current), ignoreFocusOut: true });
    if (!picked) return undefined;
    switch (picked.choice) {
      case 'start':
        return { overrides: changes };
      case 'quickTrial':
        return quickTrialChoice(changes);
      case 'dataset': {
        const dataset = await pickDataset(current.dataset);
        if (dataset) changes.dataset = dataset;
        break;
      }
      case 'epochs': {
        const epochs = await askNumber('Epochs', current.epochs ?? SHOWN_DEFAULTS.epochs, (value) => Number.isInteger(value) && value >= 1);
        if (epochs !== undefined) changes.epochs = epochs;
        break;
      }
      case 'batchSize': {
        const batchSize = await askNumber('Batch size', current.batchSize ?? SHOWN_DEFAULTS.batchSize, (value) => Number.isInteger(value) && value >= 1);
        if (batchSize !== undefined) changes.batchSize = batchSize;
        break;
      }
      case 'learningRate': {
        const rate = await askNumber('Learning rate', learningRateOf(current) ?? 0.001, (value) => value > 0 && value < 10);
        if (rate !== undefined) changes.learningRate = rate;
        break;
      }
      case 'save':
        if (document) await saveTraining(document, changes);
        break;
    }
  }
}

async function pickDataset(current: string | undefined): Promise<string | undefined> {
  const items: (vscode.QuickPickItem & { value?: string })[] = BUILT_IN_DATASETS.map(({ name, description }) => ({ label: name, detail: description, value: name, picked: name === current }));
  items.push({ label: '$(folder) Image folder…', detail: 'One subfolder per class of JPEG/PNG images' });
  const picked = await vscode.window.showQuickPick(items, { title: 'Dataset', placeHolder: current ?? SHOWN_DEFAULTS.dataset, ignoreFocusOut: true });
  if (!picked) return undefined;
  if (picked.value) return picked.value;
  const folders = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Use this folder' });
  return folders?.[0] ? `folder:${folders[0].fsPath}` : undefined;
}

async function askNumber(title: string, current: number, valid: (value: number) => boolean): Promise<number | undefined> {
  const text = await vscode.window.showInputBox({
    title,
    value: String(current),
    ignoreFocusOut: true,
    validateInput: (input) => (valid(Number(input)) && input.trim() !== '' ? undefined : `Enter a valid ${title.toLowerCase()}`),
  });
  return text === undefined ? undefined : Number(text);
}

async function saveTraining(document: vscode.TextDocument, changes: TrainingConfig): Promise<void> {
  const text = document.getText();
  const updated = withTrainingChanges(text, changes);
  if (updated === text) return;
  // One replacement of the whole text: a single undo step in the editor.
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, new vscode.Range(document.positionAt(0), document.positionAt(text.length)), updated);
  if ((await vscode.workspace.applyEdit(edit)) && (await document.save())) {
    void vscode.window.showInformationMessage(`CNN Lab: training settings saved to ${vscode.workspace.asRelativePath(document.uri)}.`);
  }
}

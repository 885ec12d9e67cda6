// The Runs view's **Export to Keras…**: a run as a Keras 3 `.keras` file or as train.py. The export
// runs `cnnlab export --json` in the trainer's Node (a `.keras` export loads the run's tfjs model,
// which the extension host never does), as predictions do (kerasEditor.ts).
import * as vscode from 'vscode';
import type { TrainerManager } from './trainerManager';
import { collectOutput, parseCliJson } from './cliJson';

export type KerasExportFormat = 'keras' | 'python';

export interface KerasExportChoice extends vscode.QuickPickItem {
  format: KerasExportFormat;
}

export const KERAS_EXPORT_CHOICES: readonly KerasExportChoice[] = [
  {
    label: '$(package) Keras model (.keras)',
    description: 'the trained model, weights and compile settings',
    detail: 'keras.models.load_model("RUN.keras") in Keras 3 gives the same predictions.',
    format: 'keras',
  },
  {
    label: '$(file-code) Training script (train.py)',
    description: 'the model, its data and its training settings in Keras code',
    detail: 'Train it again with Keras 3, on any backend, or with TensorFlow on several GPUs or machines.',
    format: 'python',
  },
];

/** What `cnnlab export --json` prints. */
export interface ExportOutput {
  written?: string[];
  source?: string;
  warnings?: string[];
  error?: { message: string; hint?: string };
}

const EXPORT_TIMEOUT_MS = 5 * 60 * 1000;

/** The CLI's JSON, or an error saying what came instead. */
export function parseExportOutput(stdout: string, exitCode: number | null): ExportOutput {
  return parseCliJson<ExportOutput>(stdout, exitCode, 'export', (parsed) => Array.isArray(parsed.written));
}

/** Runs `cnnlab export RUN --format F --out PATH --force --json` (the save dialog has asked before replacing a file). */
export async function exportWithCli(trainer: Pick<TrainerManager, 'startCli'>, runDir: string, format: KerasExportFormat, out: string): Promise<ExportOutput> {
  try {
    const child = await trainer.startCli(['export', runDir, '--format', format, '--out', out, '--force', '--json']);
    const { stdout, code } = await collectOutput(child, EXPORT_TIMEOUT_MS);
    return parseExportOutput(stdout, code);
  } catch (error) {
    return { error: { message: `The export could not start: ${error instanceof Error ? error.message : String(error)}` } };
  }
}

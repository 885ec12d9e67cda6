// Failures of a training run and what the user should do about each.
import { BackendUnavailableError } from './backends';
import { DatasetError } from './datasets';
import { TrainingConfigError } from './trainingConfig';

/** A failure the user can act on: `hint` says what to do. */
export class TrainingError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'TrainingError';
  }
}

/** Out-of-memory and other failures, turned into what the user should do about them. */
export function hintFor(error: unknown): string | undefined {
  if (error instanceof TrainingError || error instanceof DatasetError || error instanceof BackendUnavailableError) return error.hint;
  const message = error instanceof Error ? error.message : String(error);
  if (/out of memory|allocation failed|Invalid typed array length|Array buffer allocation|OOM|heap/i.test(message)) {
    return 'The backend ran out of memory: lower the batch size (batchSize), use smaller images, or a smaller model.';
  }
  if (error instanceof TrainingConfigError) return 'Fix the training block of the model file.';
  return undefined;
}

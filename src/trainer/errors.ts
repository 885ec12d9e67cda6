// Failures of a training run and what the user should do about each.
import { hintOf, UserError } from '../util/userError';

/** A run that cannot go on for a reason the user can act on (the model, the run folder, resume). */
export class TrainingError extends UserError {}

/** Out-of-memory and other failures, turned into what the user should do about them. */
export function hintFor(error: unknown): string | undefined {
  const hint = hintOf(error);
  if (hint !== undefined) return hint;
  const message = error instanceof Error ? error.message : String(error);
  if (/out of memory|allocation failed|Invalid typed array length|Array buffer allocation|OOM|heap/i.test(message)) {
    return 'The backend ran out of memory: lower the batch size (batchSize), use smaller images, or a smaller model.';
  }
  return undefined;
}

// Saving the model into the run folder, shared by the checkpoint of the best model and the backup
// of the last one.
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { fileSaveHandler } from '../modelFiles';
import type { EmitEvent } from './callback';

/** Saves the model as trained through `epoch` (0-based), recording `epochsCompleted` (default `epoch + 1`) with it. */
export type SaveModel = (which: 'best' | 'last', epoch: number, epochsCompleted?: number) => Promise<void>;

/** Saves into `<modelDir>/<which>` and tells the host with a `checkpoint` event. */
export function modelSaver(model: tf.LayersModel, modelDir: string, emit: EmitEvent): SaveModel {
  return async (which, epoch, epochsCompleted = epoch + 1) => {
    const path = join(modelDir, which);
    await model.save(fileSaveHandler(path, { epochsCompleted }));
    emit({ type: 'checkpoint', epoch, which, path });
  };
}

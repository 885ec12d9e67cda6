// The reader the model core uses for a saved model written as a layer of a model file (`{ "type":
// "Model", "path": "base.keras" }`, src/model/applications/savedModel.ts): a Keras .keras file,
// an .h5 file (once the HDF5 reader is loaded: preloadHdf5), or a tfjs layers model (its folder
// or its model.json, whose modelTopology is Keras's to_json() structure). Read synchronously, as
// the model core is. The editor, `cnnlab summary` and the trainer install it.
import { readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { setSavedModelReader } from '../model/applications/savedModel';
import { camelCase } from '../model/names';
import { TFJS_ACTIVATIONS } from '../model/vocabulary';
import { UserError } from '../util/userError';
import { kerasFileKind, preloadHdf5, readKerasModelConfigSync } from './savedModel';

export type SavedModelKind = 'keras' | 'tfjs';

/** Where a saved model's parts are: a Keras file, or a tfjs model's model.json. Throws a UserError for anything else. */
export function savedModelLocation(path: string): { kind: SavedModelKind; file: string } {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch (error) {
    throw new UserError(`${path} does not exist (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`, "A Model layer's path is relative to the model file's folder.");
  }
  if (isDirectory) return { kind: 'tfjs', file: join(path, 'model.json') };
  if (kerasFileKind(path)) return { kind: 'keras', file: path };
  if (path.toLowerCase().endsWith('.json')) return { kind: 'tfjs', file: path };
  throw new UserError(`${basename(path)} is not a saved model: expected a .keras or .h5 file, or a tfjs model folder (model.json).`);
}

/** The architecture of a saved model, as Keras's to_json() text. */
export function readSavedModelArchitecture(path: string): string {
  const { kind, file } = savedModelLocation(path);
  if (kind === 'keras') return readKerasModelConfigSync(file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(`${file} cannot be read as a tfjs model.json: ${(error as Error).message}.`);
  }
  const topology = (parsed as { modelTopology?: Record<string, unknown> } | null)?.modelTopology;
  if (!topology || typeof topology !== 'object') {
    throw new UserError(
      `${basename(file)} is not a tfjs layers model (no "modelTopology")${(parsed as { class_name?: unknown } | null)?.class_name ? ": Keras's to_json() holds no weights" : ''}.`,
      'Give a model saved with weights: a .keras or .h5 file (model.save), or a tfjs model folder.',
    );
  }
  // Models converted from Keras wrap the config in model_config. A run's model names Keras 3's
  // hard_sigmoid by the activation class the trainer registers with tfjs (snake_cased by tfjs's save).
  return JSON.stringify(topology.model_config ?? topology, (key, value: unknown) => (key === 'activation' && typeof value === 'string' && camelCase(value) === TFJS_ACTIVATIONS.hardSigmoid ? 'hard_sigmoid' : value));
}

let installed = false;

/**
 * Installs the reader in the model core (once). With `preload` (the default) it also loads the
 * HDF5 reader, so that .h5 bases can be read; without, the first .h5 base starts loading it (the
 * editor, which should not load 4 MB of WebAssembly for every window).
 */
export async function installSavedModelReader(preload = true): Promise<void> {
  if (!installed) {
    installed = true;
    setSavedModelReader(readSavedModelArchitecture);
  }
  if (preload) await preloadHdf5();
}

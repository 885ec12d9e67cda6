// tfjs layers format on disk (model.json + weights), written with fs: tfjs's own file://
// handler lives in tfjs-node, which is not always installed.
//
// model.json is the commit point of a save: the weights go to a file of their own name first,
// then model.json is replaced in one rename, naming those weights and the training state they
// belong to. A kill at any moment leaves the previous model.json, its own weights and its own
// epoch count, never new weights under an old count or the reverse.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomic } from '../runs/store';
import './buildModel'; // registers SpatialDropout2D and Keras 3's hard_sigmoid so saved models that use them load again

const MODEL_JSON = 'model.json';
const WEIGHTS_FILE = /^weights(-[0-9a-z-]+)?\.bin$/;

/** What a saved model needs to continue training exactly where it was saved. */
export interface TrainingState {
  /** Whole epochs that the saved weights have been trained for. */
  epochsCompleted: number;
}

function readModelJson(dir: string): tf.io.ModelJSON {
  return JSON.parse(readFileSync(join(dir, MODEL_JSON), 'utf8')) as tf.io.ModelJSON;
}

/** The weight files model.json names; a path that is not a plain weights file of this folder is refused. */
function weightFiles(dir: string, modelJson: tf.io.ModelJSON): string[] {
  const manifest = Array.isArray(modelJson.weightsManifest) ? modelJson.weightsManifest : [];
  return manifest.flatMap((group) => group.paths).map((path) => {
    const name = String(path).replace(/^\.\//, '');
    if (!WEIGHTS_FILE.test(name)) throw new Error(`${join(dir, MODEL_JSON)} names the weights file '${path}', which is not a weights file of this folder.`);
    return name;
  });
}

/** Removes weight files of earlier saves once model.json no longer names them. */
function removeStaleWeights(dir: string, keep: string): void {
  for (const name of readdirSync(dir)) {
    if (name !== keep && WEIGHTS_FILE.test(name)) rmSync(join(dir, name), { force: true });
  }
}

/** An IOHandler that saves into `dir`, with the training state the weights belong to. */
export function fileSaveHandler(dir: string, state: TrainingState): tf.io.IOHandler {
  return {
    save: async (artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> => {
      mkdirSync(dir, { recursive: true });
      const weights = artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0);
      const weightsFile = `weights-${state.epochsCompleted}-${randomBytes(4).toString('hex')}.bin`;
      writeFileAtomic(join(dir, weightsFile), new Uint8Array(weights));
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: 'CNN Lab',
        weightsManifest: [{ paths: [`./${weightsFile}`], weights: artifacts.weightSpecs ?? [] }],
        userDefinedMetadata: { cnnlab: { ...state } },
      };
      writeFileAtomic(join(dir, MODEL_JSON), JSON.stringify(modelJson));
      removeStaleWeights(dir, weightsFile);
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          weightDataBytes: weights.byteLength,
        },
      };
    },
  };
}

export function hasSavedModel(dir: string): boolean {
  try {
    const files = weightFiles(dir, readModelJson(dir));
    return files.length > 0 && files.every((name) => existsSync(join(dir, name)));
  } catch {
    return false;
  }
}

/**
 * The training state saved with the model, or undefined for a model saved before CNN Lab wrote
 * one (or by another tool).
 */
export function savedTrainingState(dir: string): TrainingState | undefined {
  const metadata = readModelJson(dir).userDefinedMetadata as { cnnlab?: Partial<TrainingState> } | undefined;
  const epochs = metadata?.cnnlab?.epochsCompleted;
  return typeof epochs === 'number' && Number.isInteger(epochs) && epochs >= 0 ? { epochsCompleted: epochs } : undefined;
}

/** Loads a model saved by fileSaveHandler (or by tfjs's converter into the same layout). */
export async function loadSavedModel(dir: string): Promise<tf.LayersModel> {
  const modelJson = readModelJson(dir);
  const weights = Buffer.concat(weightFiles(dir, modelJson).map((name) => readFileSync(join(dir, name))));
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: modelJson.modelTopology,
    format: modelJson.format,
    weightSpecs: modelJson.weightsManifest.flatMap((group) => group.weights),
    weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
  };
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}

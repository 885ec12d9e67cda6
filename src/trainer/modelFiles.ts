// tfjs layers format on disk (model.json + weights.bin), written with fs: tfjs's own file://
// handler lives in tfjs-node, which is not always installed.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import './buildModel'; // registers SpatialDropout2D so saved models that use it load again

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

function replaceFile(path: string, data: string | Uint8Array): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, data);
  renameSync(temporary, path);
}

/** An IOHandler that saves into `dir`; weights land before model.json, so a reader never sees a model.json without its weights. */
export function fileSaveHandler(dir: string): tf.io.IOHandler {
  return {
    save: async (artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> => {
      mkdirSync(dir, { recursive: true });
      const weights = artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0);
      replaceFile(join(dir, WEIGHTS_BIN), new Uint8Array(weights));
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: 'CNN Lab',
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
      };
      replaceFile(join(dir, MODEL_JSON), JSON.stringify(modelJson));
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
  return existsSync(join(dir, MODEL_JSON)) && existsSync(join(dir, WEIGHTS_BIN));
}

/** Loads a model saved by fileSaveHandler (or by tfjs's converter into the same layout). */
export async function loadSavedModel(dir: string): Promise<tf.LayersModel> {
  const modelJson = JSON.parse(readFileSync(join(dir, MODEL_JSON), 'utf8')) as tf.io.ModelJSON;
  const weights = readFileSync(join(dir, WEIGHTS_BIN));
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: modelJson.modelTopology,
    format: modelJson.format,
    weightSpecs: modelJson.weightsManifest.flatMap((group) => group.weights),
    weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
  };
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}

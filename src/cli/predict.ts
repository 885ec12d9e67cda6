// `cnnlab predict MODEL IMAGE… [--json] [--top K] [--backend B] [--runs-dir DIR]`: the model's
// top classes for each image. MODEL is a .keras/.h5 file, a tfjs layers model folder (model.json),
// a run folder or a run id (its best saved model).
import { resolve } from 'node:path';
import { BACKEND_CHOICES, isBackendChoice, type BackendChoice } from '../model/vocabulary';
import { runsDirFor } from '../runs/store';
import { UserError } from '../util/userError';
import type { CliStreams } from './summary';
import { withUsage } from './usage';

export const predictUsage = `Usage: cnnlab predict MODEL IMAGE... [options]

Prints the model's most probable classes for each image (pixels / 255, resized to the model's
input when their size differs, grey or RGB as the model takes).
MODEL: a Keras .keras or .h5 file, a tfjs model folder (model.json), a run folder or a run id
(its best saved model).

Options:
  --json           print {"predictions":[{"image","probabilities":[...],"top":[{"class","probability"}]}]}
                   (with "source", the model predicted with, and "classNamed"; a failure
                   prints {"error":{"message","hint"}} and exits 2)
  --top K          how many classes to list per image (default 5)
  --backend B      auto | tensorflow | webgpu | wasm | cpu (default cpu)
  --runs-dir DIR   where run ids are looked up (default ./.cnnlab/runs)
`;

export interface PredictInvocation {
  model: string;
  images: string[];
  json: boolean;
  top: number;
  backend: BackendChoice;
  runsDir: string;
}

export class PredictUsageError extends UserError {}

export function parsePredictArguments(args: string[], cwd: string): PredictInvocation {
  const positional: string[] = [];
  let json = false;
  let top = 5;
  let backend: BackendChoice = 'cpu';
  let runsDir = runsDirFor(cwd);
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    switch (arg) {
      case '--json':
        json = true;
        break;
      case '--top': {
        const value = args[++index];
        const number = Number(value);
        if (value === undefined || !Number.isInteger(number) || number < 1) throw new PredictUsageError(`--top needs a whole number above 0. Received: ${value ?? 'nothing'}.`);
        top = number;
        break;
      }
      case '--backend': {
        const value = args[++index];
        if (!isBackendChoice(value)) throw new PredictUsageError(`--backend must be ${BACKEND_CHOICES.join(', ')}. Received: ${value ?? 'nothing'}.`);
        backend = value;
        break;
      }
      case '--runs-dir':
        runsDir = resolve(cwd, args[++index] ?? '');
        break;
      default:
        if (arg.startsWith('--')) throw new PredictUsageError(`Unknown option ${arg}.`);
        positional.push(arg);
    }
  }
  if (positional.length < 2) throw new PredictUsageError('Expected a model and at least one image.');
  const [model, ...images] = positional;
  return { model, images, json, top, backend, runsDir };
}

const percent = (probability: number): string => `${(probability * 100).toFixed(2).padStart(6)} %`;

export async function runPredict(args: string[], streams: CliStreams, cwd = process.cwd()): Promise<number> {
  const command = { name: 'predict', usage: predictUsage, usageError: PredictUsageError, parse: (argv: string[]) => parsePredictArguments(argv, cwd) };
  return withUsage(command, args, streams, async (invocation) => {
    try {
      return await predictAndPrint(invocation, streams, cwd);
    } catch (error) {
      // With --json a failure is JSON too, for programs (the extension) that read stdout: what and what to do.
      if (invocation.json && error instanceof UserError) streams.stdout(`${JSON.stringify({ error: { message: error.message, ...(error.hint ? { hint: error.hint } : {}) } }, null, 2)}\n`);
      throw error;
    }
  });
}

async function predictAndPrint(invocation: PredictInvocation, streams: CliStreams, cwd: string): Promise<number> {
  // tfjs is loaded only for this command: summary and doctor stay quick.
  const { selectBackend } = require('../trainer/backends') as typeof import('../trainer/backends');
  const { loadPredictionModel, predictImages } = require('../keras/predict') as typeof import('../keras/predict');
  await selectBackend(invocation.backend);
  const loaded = await loadPredictionModel(invocation.model, invocation.runsDir, cwd);
  try {
    const predictions = await predictImages(
      loaded,
      invocation.images.map((image) => resolve(cwd, image)),
      invocation.top,
    );
    if (invocation.json) {
      const json = predictions.map(({ probabilities, top, resizedFrom }, index) => ({ image: invocation.images[index], probabilities, top, ...(resizedFrom ? { resizedFrom } : {}) }));
      streams.stdout(`${JSON.stringify({ source: loaded.source, classNamed: loaded.classNames !== undefined, predictions: json }, null, 2)}\n`);
      return 0;
    }
    streams.stdout(`${loaded.source}${loaded.classNames ? '' : ' (no class names: classes are numbered from 0)'}\n`);
    for (const [index, prediction] of predictions.entries()) {
      const resized = prediction.resizedFrom ? ` (resized from ${prediction.resizedFrom[1]}×${prediction.resizedFrom[0]})` : '';
      streams.stdout(`\n${invocation.images[index]}${resized}\n`);
      const width = Math.max(...prediction.top.map((entry) => entry.class.length));
      for (const entry of prediction.top) streams.stdout(`  ${entry.class.padEnd(width)}  ${percent(entry.probability)}\n`);
    }
    return 0;
  } finally {
    loaded.model.dispose();
  }
}

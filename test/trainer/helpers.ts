// Small real model files and jobs for the trainer tests.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrainerEvent, TrainJob } from '../../src/channels/trainer';

export function temporaryDir(prefix = 'cnnlab-trainer-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A tiny CNN for 12×12 grayscale shapes (4 classes): a training step costs milliseconds. */
export function tinyCnn(training: Record<string, unknown> = {}, lastLayer: Record<string, unknown> = { type: 'Dense', units: 4, activation: 'softmax' }): Record<string, unknown> {
  return {
    name: 'tiny-cnn',
    inputShape: [12, 12, 1],
    layers: [{ type: 'Conv2D', filters: 4, kernelSize: 3, activation: 'relu' }, { type: 'MaxPooling2D', poolSize: 2 }, { type: 'Flatten' }, lastLayer],
    training: { dataset: 'shapes', epochs: 1, batchSize: 16, backend: 'cpu', ...training },
  };
}

export function writeModel(dir: string, model: Record<string, unknown>, name = 'model.model.json'): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(model, null, 2));
  return path;
}

export function job(dir: string, modelFile: string, extra: Partial<TrainJob> = {}): TrainJob {
  return { modelFile, runsDir: join(dir, '.cnnlab', 'runs'), baseDir: dir, trainExamples: 96, testExamples: 32, ...extra };
}

export function collector(): { events: TrainerEvent[]; emit: (event: TrainerEvent) => void; of<T extends TrainerEvent['type']>(type: T): Extract<TrainerEvent, { type: T }>[] } {
  const events: TrainerEvent[] = [];
  return {
    events,
    emit: (event) => events.push(event),
    of: <T extends TrainerEvent['type']>(type: T) => events.filter((event): event is Extract<TrainerEvent, { type: T }> => event.type === type),
  };
}

/** Whether an optional package (tfjs-node, tfjs-node-gpu…) is installed here. */
export function isInstalled(packageName: string): boolean {
  try {
    require.resolve(packageName);
    return true;
  } catch {
    return false;
  }
}

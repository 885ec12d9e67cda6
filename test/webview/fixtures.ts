// Small hand-made runs for the panel and sidebar tests.
import type { MetricsLine, RunRecord } from '../../src/runs/format';
import type { LayerSpec, ModelSummary } from '../../src/model/types';

export function layer(name: string, className: string, config: Record<string, unknown> = {}): LayerSpec {
  return { name, className, config, inbound: [] };
}

export const emptySummary: ModelSummary = {
  name: 'cnn',
  topology: 'sequential',
  layers: [],
  totalParams: 0,
  trainableParams: 0,
  nonTrainableParams: 0,
  flops: 0,
  weightBytes: 0,
  diagnostics: [],
};

export function record(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    id: 'run-1',
    modelFile: 'models/cnn.model.json',
    modelSource: '{}',
    ir: { name: 'cnn', format: 'json', topology: 'sequential', layers: [], inputs: [], outputs: [] },
    summary: emptySummary,
    dataset: 'shapes',
    training: { epochs: 3, batchSize: 32 },
    status: 'completed',
    startedAt: '2026-01-01T10:00:00.000Z',
    endedAt: '2026-01-01T10:03:05.000Z',
    epochsCompleted: 3,
    epochsPlanned: 3,
    ...overrides,
  };
}

/** Two epochs of two batches each, then the epoch lines. */
export const twoEpochs: MetricsLine[] = [
  { kind: 'batch', epoch: 0, batch: 0, step: 0, logs: { loss: 2.0, acc: 0.2 }, time: 1 },
  { kind: 'batch', epoch: 0, batch: 1, step: 1, logs: { loss: 1.6, acc: 0.4 }, time: 2 },
  { kind: 'epoch', epoch: 0, logs: { loss: 1.8, acc: 0.3, val_loss: 1.7, val_acc: 0.35 }, time: 2 },
  { kind: 'batch', epoch: 1, batch: 0, step: 2, logs: { loss: 1.2, acc: 0.6 }, time: 3 },
  { kind: 'batch', epoch: 1, batch: 1, step: 3, logs: { loss: 1.0, acc: 0.7 }, time: 4 },
  { kind: 'epoch', epoch: 1, logs: { loss: 1.1, acc: 0.65, val_loss: 1.3, val_acc: 0.6 }, time: 4 },
];

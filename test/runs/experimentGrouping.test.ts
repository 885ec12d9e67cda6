// Issue 12, item 2: the runs of a sweep form one experiment, ranked best first by the sweep's
// metric and goal (val_acc and val_accuracy the same metric), each run named by its values.
import { strict as assert } from 'node:assert';
import type { ExperimentRef, RunRecord } from '../../src/runs/format';
import { formatVariantValues, groupByExperiment, rankExperimentRuns, variantLabel } from '../../src/runs/experimentGrouping';
import { runMetric } from '../../src/runs/experimentResults';
import { compareByGoal } from '../../src/runs/grouping';
import { record } from '../webview/fixtures';

function ref(variant: number, values: ExperimentRef['values'], overrides: Partial<ExperimentRef> = {}): ExperimentRef {
  return { id: 'cnn-sweep-20261201-203000', name: 'cnn sweep (grid, 4 variants)', variant, variants: 4, values, metric: { name: 'val_acc', goal: 'max' }, ...overrides };
}

function variantRun(id: string, variant: number, metrics: RunRecord['bestMetrics'] | undefined, overrides: Partial<ExperimentRef> = {}, startedAt = `2026-12-01T20:3${variant}:00.000Z`): RunRecord & { experiment: ExperimentRef } {
  const experiment = ref(variant, { learningRate: [0.001, 0.004][variant % 2], 'conv2d.filters': [8, 16][Math.floor(variant / 2)] }, overrides);
  return record({ id, startedAt, experiment, ...(metrics ? { bestMetrics: metrics } : { status: 'failed' }) }) as RunRecord & { experiment: ExperimentRef };
}

describe('sweep runs grouped into experiments (issue 12.2)', () => {
  it('reads val_acc from a run that logged val_accuracy, and a metric from the final epoch when the best one lacks it', () => {
    const run = record({ bestMetrics: { epoch: 2, val_accuracy: 0.8 }, finalMetrics: { val_accuracy: 0.7, val_loss: 0.5 } });
    assert.equal(runMetric(run, { name: 'val_acc', goal: 'max' }), 0.8);
    assert.equal(runMetric(run, { name: 'val_loss', goal: 'min' }), 0.5, 'the final value when the best epoch does not hold the metric');
  });

  it('orders by the goal, values missing last', () => {
    assert.deepEqual([0.5, undefined, 0.9, 0.7].sort((a, b) => compareByGoal(a, b, 'max')), [0.9, 0.7, 0.5, undefined]);
    assert.deepEqual([0.5, undefined, 0.9, 0.7].sort((a, b) => compareByGoal(a, b, 'min')), [0.5, 0.7, 0.9, undefined]);
  });

  it('groups the runs of a sweep best first, leaving other runs alone, the newest experiment first', () => {
    const runs = [
      variantRun('v0', 0, { epoch: 0, val_acc: 0.81 }),
      variantRun('v1', 1, { epoch: 0, val_accuracy: 0.93 }),
      variantRun('v2', 2, undefined),
      variantRun('v3', 3, { epoch: 0, val_acc: 0.88 }),
    ];
    const single = record({ id: 'plain' });
    const older = variantRun('old', 0, { epoch: 0, val_acc: 0.99 }, { id: 'older-sweep', name: 'older' }, '2026-11-01T10:00:00.000Z');
    const { experiments, others } = groupByExperiment([single, ...runs, older]);
    assert.deepEqual(others.map((run) => run.id), ['plain']);
    assert.deepEqual(experiments.map((experiment) => experiment.ref.id), ['cnn-sweep-20261201-203000', 'older-sweep']);
    assert.deepEqual(experiments[0].runs.map((run) => run.id), ['v1', 'v3', 'v0', 'v2']);
  });

  it('ranks a loss lowest first, ties by variant', () => {
    const metric = { name: 'val_loss', goal: 'min' as const };
    const runs = [variantRun('a', 0, { epoch: 0, val_loss: 0.4 }, { metric }), variantRun('b', 1, { epoch: 0, val_loss: 0.2 }, { metric }), variantRun('c', 2, { epoch: 0, val_loss: 0.2 }, { metric })];
    assert.deepEqual(rankExperimentRuns(runs, metric).map((run) => run.id), ['b', 'c', 'a']);
  });

  it('names a run by its values and its result', () => {
    assert.equal(formatVariantValues({ learningRate: 0.004, 'conv2d.filters': 16, optimizer: 'adam', augmentation: true }), 'lr=0.004 · conv2d.filters=16 · optimizer=adam · augmentation=true');
    assert.equal(variantLabel(variantRun('v1', 1, { epoch: 0, val_accuracy: 0.912 })), 'lr=0.004 · conv2d.filters=8 — val_acc 0.912');
    assert.equal(variantLabel(variantRun('v2', 2, undefined)), 'lr=0.001 · conv2d.filters=16');
  });
});

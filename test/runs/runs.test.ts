import { strict as assert } from 'node:assert';
import { diffLayers, describeChange } from '../../webview/src/logic/modelDiff';
import {
  bestValAccuracy,
  describeRun,
  epochsDoneAfter,
  formatDuration,
  formatEpochProgress,
  formatRunResult,
  modelName,
  runNumbers,
  runStatusText,
  runTitle,
  formatRelativeTime,
  groupRunsByModel,
  runDurationMs,
} from '../../src/runs/grouping';
import { metricsToCsv } from '../../src/runs/csv';
import { layer, record, twoEpochs } from '../webview/fixtures';

describe('diffLayers', () => {
  it('finds an added layer, a changed option and keeps the rest aligned', () => {
    const before = [
      layer('conv2d_1', 'Conv2D', { filters: 32, kernelSize: 3 }),
      layer('max_pooling2d_1', 'MaxPooling2D', { poolSize: 2 }),
      layer('flatten_1', 'Flatten'),
      layer('dense_1', 'Dense', { units: 10 }),
    ];
    const after = [
      layer('conv2d_1', 'Conv2D', { filters: 64, kernelSize: 3 }),
      layer('max_pooling2d_1', 'MaxPooling2D', { poolSize: 2 }),
      layer('dropout_1', 'Dropout', { rate: 0.25 }),
      layer('flatten_1', 'Flatten'),
      layer('dense_1', 'Dense', { units: 10 }),
    ];
    const diff = diffLayers(before, after);
    assert.deepEqual(diff.map((d) => d.kind), ['changed', 'same', 'added', 'same', 'same']);
    const changed = diff[0];
    assert.ok(changed.kind === 'changed');
    assert.deepEqual(changed.changes, [{ option: 'filters', before: 32, after: 64 }]);
    assert.equal(describeChange(changed.changes[0]), 'filters: 32 → 64');
  });

  it('aligns by class when generated names shifted, and reports removals', () => {
    const before = [layer('conv2d_1', 'Conv2D', { filters: 8 }), layer('conv2d_2', 'Conv2D', { filters: 16 }), layer('dense_1', 'Dense', { units: 10 })];
    const after = [layer('conv2d_2', 'Conv2D', { filters: 16 }), layer('dense_1', 'Dense', { units: 10 })];
    const diff = diffLayers(before, after);
    assert.deepEqual(diff.map((d) => d.kind), ['removed', 'same', 'same']);
    assert.equal(diff[0].kind === 'removed' && diff[0].before.name, 'conv2d_1');
  });

  it('shows a same-named layer whose class changed as changed, ignoring key order and names', () => {
    const diff = diffLayers(
      [layer('act', 'Activation', { activation: 'relu' }), layer('out', 'Dense', { units: 2, kernelInitializer: { a: 1, b: 2 } })],
      [layer('act', 'LeakyReLU', { alpha: 0.1 }), layer('head', 'Dense', { kernelInitializer: { b: 2, a: 1 }, units: 2, name: 'head' })],
    );
    assert.deepEqual(diff.map((d) => d.kind), ['changed', 'same']);
    assert.ok(diff[0].kind === 'changed');
    assert.deepEqual(diff[0].changes.map(describeChange), ['class: "Activation" → "LeakyReLU"', 'activation: "relu" → (absent)', 'alpha: (absent) → 0.1']);
  });
});

describe('run grouping and descriptions', () => {
  const now = Date.parse('2026-01-01T10:10:00.000Z');

  it('groups by model file, newest run and newest group first', () => {
    const a1 = record({ id: 'a1', modelFile: 'a.model.json', startedAt: '2026-01-01T09:00:00.000Z' });
    const a2 = record({ id: 'a2', modelFile: 'a.model.json', startedAt: '2026-01-01T09:30:00.000Z' });
    const b1 = record({ id: 'b1', modelFile: 'b.model.json', startedAt: '2026-01-01T09:10:00.000Z', label: 'baseline' });
    const groups = groupRunsByModel([a1, b1, a2], now);
    assert.deepEqual(groups.map((g) => g.modelFile), ['a.model.json', 'b.model.json']);
    assert.deepEqual(groups[0].runs.map((r) => r.record.id), ['a2', 'a1']);
    assert.equal(groups[1].latest.title, 'baseline');
  });

  it('groups by a caller-given key, keeping equal relative paths of two folders apart', () => {
    const one = record({ id: 'one', modelFile: 'cnn.model.json', label: '/ws1' });
    const two = record({ id: 'two', modelFile: 'cnn.model.json', label: '/ws2' });
    const groups = groupRunsByModel([one, two], now, (r) => `${r.label}/${r.modelFile}`);
    assert.deepEqual(groups.map((g) => g.modelFile).sort(), ['/ws1/cnn.model.json', '/ws2/cnn.model.json']);
  });

  it('takes the best validation accuracy under either Keras name, else the final one', () => {
    assert.equal(bestValAccuracy(record({ bestMetrics: { epoch: 2, val_acc: 0.91 }, finalMetrics: { val_acc: 0.9 } })), 0.91);
    assert.equal(bestValAccuracy(record({ finalMetrics: { val_accuracy: 0.8 } })), 0.8);
    assert.equal(bestValAccuracy(record()), undefined);
  });

  it('measures duration, counting a running run up to now', () => {
    assert.equal(runDurationMs(record(), now), 185_000);
    assert.equal(runDurationMs(record({ status: 'running', endedAt: undefined }), now), 600_000);
    assert.equal(runDurationMs(record({ status: 'stopped', endedAt: undefined }), now), undefined);
  });

  it('formats durations and relative times', () => {
    assert.equal(formatDuration(42_000), '42s');
    assert.equal(formatDuration(185_000), '3m 05s');
    assert.equal(formatDuration(3_720_000), '1h 02m');
    assert.equal(formatRelativeTime('2026-01-01T10:09:40.000Z', now), 'just now');
    assert.equal(formatRelativeTime('2026-01-01T10:07:00.000Z', now), '3 min ago');
    assert.equal(formatRelativeTime('2026-01-01T08:10:00.000Z', now), '2 h ago');
    assert.equal(formatRelativeTime('2025-12-31T09:00:00.000Z', now), 'yesterday');
    assert.equal(formatRelativeTime('2025-12-27T10:00:00.000Z', now), '5 days ago');
    assert.equal(formatRelativeTime('2025-10-01T10:00:00.000Z', now), '2025-10-01');
  });

  it('describes a run in one line', () => {
    const line = describeRun(record({ bestMetrics: { epoch: 1, val_acc: 0.9123 } }), now);
    assert.equal(line, 'val_acc 0.912 · shapes · 3m 05s · 10 min ago');
  });
});

describe('readable run names and named results (issue 10.5, 10.8)', () => {
  const now = Date.parse('2026-01-01T10:10:00.000Z');
  const evaluation = { loss: 0.3, accuracy: 0.908, classNames: [], confusion: [], perClassAccuracy: [], misclassified: [] };

  it('names a model by its file without folders or model extensions', () => {
    assert.equal(modelName('models/cnn.model.json'), 'cnn');
    assert.equal(modelName('C:\\work\\gan.model.ts'), 'gan');
    assert.equal(modelName('keras/export.json'), 'export');
  });

  it('numbers runs per model in start order, so a run keeps its number as newer ones come', () => {
    const a1 = record({ id: 'a1', modelFile: 'a.model.json', startedAt: '2026-01-01T09:00:00.000Z' });
    const a2 = record({ id: 'a2', modelFile: 'a.model.json', startedAt: '2026-01-01T09:30:00.000Z' });
    const b1 = record({ id: 'b1', modelFile: 'b.model.json', startedAt: '2026-01-01T09:40:00.000Z' });
    const numbers = runNumbers([a2, b1, a1]);
    assert.deepEqual([numbers.get(a1), numbers.get(a2), numbers.get(b1)], [1, 2, 1]);
    assert.equal(runTitle(a2, [a1, a2, b1]), 'a #2');
    assert.equal(runTitle(b1, [a1, a2, b1]), 'b #1');
    // Another copy of the same run.json (read again from disk) is still the same run, not a third one.
    assert.equal(runTitle({ ...a2 }, [a1, a2, b1]), 'a #2');
    assert.deepEqual(groupRunsByModel([a1, a2, b1], now).flatMap((group) => group.runs.map((row) => row.title)), ['b #1', 'a #2', 'a #1']);
  });

  it("shows the user's label in place of the generated name, and never the raw id", () => {
    const labelled = record({ id: '20261201-110203-107-seed001', label: '  wide filters ' });
    assert.equal(runTitle(labelled, [labelled]), 'wide filters');
    const alone = record({ id: '20261201-110203-107-seed001' });
    assert.match(runTitle(alone), /^cnn · \d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
    assert.ok(!runTitle(alone).includes('seed001'));
  });

  it('names every number in a result: test acc first once evaluated, else the best val_acc, else val_loss', () => {
    assert.equal(formatRunResult(record({ bestMetrics: { epoch: 4, val_acc: 0.927 }, evaluation })), 'test acc 0.908 (val_acc 0.927)');
    assert.equal(formatRunResult(record({ evaluation })), 'test acc 0.908');
    assert.equal(formatRunResult(record({ bestMetrics: { epoch: 1, val_accuracy: 0.8 } })), 'val_acc 0.800');
    assert.equal(formatRunResult(record({ finalMetrics: { val_loss: 0.4321 } })), 'val_loss 0.432');
    assert.equal(formatRunResult(record()), undefined);
  });

  it('counts epochs done as the panel does: an epoch event numbered 0 is "epoch 1/5"', () => {
    assert.equal(formatEpochProgress(epochsDoneAfter(0), 5), 'epoch 1/5');
    assert.equal(runStatusText(record({ status: 'running', epochsCompleted: 0, epochsPlanned: 5 })), 'running, epoch 0/5');
    assert.equal(runStatusText(record({ status: 'running', epochsCompleted: 0, epochsPlanned: 5 }), 2), 'running, epoch 2/5');
    assert.equal(runStatusText(record({ status: 'stopped', evaluation })), 'stopped · test acc 0.908');
  });

  it('describes an evaluated, tagged run with its tags first (a narrow sidebar cuts the end), then the named test accuracy', () => {
    const line = describeRun(record({ bestMetrics: { epoch: 1, val_acc: 0.927 }, evaluation, tags: ['fast', ' aug '] }), now);
    assert.equal(line, '#fast #aug · test acc 0.908 (val_acc 0.927) · shapes · 3m 05s · 10 min ago');
  });
});

describe('metricsToCsv', () => {
  it('writes one column per log in order of appearance, blanks where absent', () => {
    const csv = metricsToCsv(twoEpochs.slice(0, 3));
    assert.equal(
      csv,
      'kind,epoch,batch,step,time,loss,acc,val_loss,val_acc\r\n' +
        'batch,0,0,0,1,2,0.2,,\r\n' +
        'batch,0,1,1,2,1.6,0.4,,\r\n' +
        'epoch,0,,,2,1.8,0.3,1.7,0.35\r\n',
    );
  });

  it('quotes fields with commas or quotes, and spells out non-finite numbers', () => {
    const csv = metricsToCsv([{ kind: 'epoch', epoch: 0, logs: { 'top,"5"': 0.5, loss: NaN }, time: 0 }]);
    assert.equal(csv, 'kind,epoch,batch,step,time,"top,""5""",loss\r\nepoch,0,,,0,0.5,nan\r\n');
  });
});

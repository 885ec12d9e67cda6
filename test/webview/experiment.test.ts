// Issue 12, item 4: the experiment panel's table sorts by any column (rows without a value last),
// ranks by the sweep's goal for the best row and the curves shown first, and places every value on
// the parallel-coordinates axes (a learning rate on a log scale, an optimizer as categories, the
// best metric at the top whatever the goal).
import { strict as assert } from 'node:assert';
import type { ExperimentPageData, ExperimentRowData } from '../../src/channels/experiment';
import { bestVariant, columnsOf, compareValues, defaultSort, defaultTicked, nextSort, parallelCoordinates, sortRows, valueAxis } from '../../webview/src/logic/experiment';

function row(variant: number, learningRate: number, optimizer: string, metric: number | undefined, status: ExperimentRowData['status'] = metric === undefined ? 'pending' : 'completed'): ExperimentRowData {
  return { variant, values: { learningRate, optimizer }, label: `lr=${learningRate} · optimizer=${optimizer}`, status, ...(metric === undefined ? {} : { metric, epochsCompleted: 2, durationMs: 1000 * (variant + 1) }) };
}

const data: ExperimentPageData = {
  id: 'cnn-sweep',
  name: 'cnn sweep (grid, 4 variants)',
  modelFile: 'cnn.model.json',
  state: 'running',
  method: 'grid',
  metric: { name: 'val_acc', goal: 'max' },
  keys: ['learningRate', 'optimizer'],
  rows: [row(0, 0.001, 'adam', 0.81), row(1, 0.01, 'adam', 0.93), row(2, 0.001, 'sgd', undefined), row(3, 0.01, 'sgd', 0.88)],
};

describe('the experiment panel (issue 12.4)', () => {
  it('has a column per swept key between the variant and the results', () => {
    assert.deepEqual(columnsOf(data).map((column) => column.id), ['variant', 'value:learningRate', 'value:optimizer', 'metric', 'epochs', 'time', 'status']);
  });

  it('sorts by any column, rows without a value last either way; a second click flips, the metric starts best first', () => {
    const order = (sort: ReturnType<typeof defaultSort>): number[] => sortRows(data.rows, sort).map((r) => r.variant);
    assert.deepEqual(order(defaultSort(data.metric)), [1, 3, 0, 2]);
    assert.deepEqual(order({ column: 'metric', descending: false }), [0, 3, 1, 2]);
    assert.deepEqual(order({ column: 'value:optimizer', descending: false }), [0, 1, 2, 3]);
    assert.deepEqual(order({ column: 'value:learningRate', descending: true }), [1, 3, 0, 2]);
    assert.deepEqual(order({ column: 'time', descending: true }), [3, 1, 0, 2]);
    assert.deepEqual(order({ column: 'status', descending: false }), [0, 1, 3, 2]);
    assert.deepEqual(nextSort({ column: 'time', descending: false }, 'time', data.metric), { column: 'time', descending: true });
    assert.deepEqual(nextSort({ column: 'time', descending: true }, 'metric', { name: 'val_loss', goal: 'min' }), { column: 'metric', descending: false });
    assert.ok(compareValues(false, true) < 0 && compareValues('adam', 'sgd') < 0 && compareValues(2, 10) < 0);
  });

  it('ranks by the goal: the best row, and the curves shown before any is ticked', () => {
    assert.equal(bestVariant(data), 1);
    assert.deepEqual(defaultTicked(data), [1, 3, 0]);
    const loss = { ...data, metric: { name: 'val_loss', goal: 'min' as const } };
    assert.equal(bestVariant(loss), 0);
    assert.equal(bestVariant({ ...data, rows: [row(0, 0.1, 'adam', undefined)] }), undefined);
  });

  it('places values on the parallel axes: log scale for a wide numeric range, categories for text, the best metric on top', () => {
    const { axes, lines } = parallelCoordinates(data);
    assert.deepEqual(axes.map((axis) => [axis.key, axis.scale]), [['learningRate', 'log'], ['optimizer', 'categorical'], ['val_acc', 'linear']]);
    assert.deepEqual(lines.map((line) => line.variant), [1, 3, 0], 'a line per variant with a result');
    assert.deepEqual(lines[0], { variant: 1, positions: [1, 0, 1], best: true });
    assert.deepEqual(lines[2].positions, [0, 0, 0]);
    assert.ok(Math.abs(lines[1].positions[2] - (0.88 - 0.81) / (0.93 - 0.81)) < 1e-12);
    const flipped = parallelCoordinates({ ...data, metric: { name: 'val_loss', goal: 'min' } });
    assert.deepEqual(flipped.lines.find((line) => line.best)?.positions, [0, 0, 1], 'the lowest loss at the top');
    assert.equal(valueAxis('conv2d.filters', [8, 16, 32]).scale, 'linear');
    assert.deepEqual(valueAxis('conv2d.filters', [8, 16, 32]).ticks.map((tick) => tick.position), [0, 1 / 3, 1]);
    assert.equal(valueAxis('epochs', [3]).position(3), 0.5);
  });
});

// The panel says what the host skipped or thinned when it read a run's metrics.jsonl (issue 9.9).
import { strict as assert } from 'node:assert';
import { initialState, reduce } from '../../webview/src/logic/state';
import type { RunRecord } from '../../src/runs/format';
import { sampleRecord } from '../trainer/runFolders';

describe('panel notes about the metrics read (issue 9.9)', () => {
  const record = sampleRecord('r1') as RunRecord;
  const line = { kind: 'epoch' as const, epoch: 0, logs: { loss: 1 }, time: 1 };

  it('keeps the host\'s notes on a loaded run and on each compared run, and none when there are none', () => {
    const note = '3 unreadable lines in metrics.jsonl skipped.';
    const loaded = reduce(initialState(), { type: 'load', record, metrics: [line], notes: [note] }, 0);
    assert.equal(loaded.mode, 'run');
    assert.deepEqual(loaded.mode === 'run' ? loaded.run.notes : undefined, [note]);
    const clean = reduce(initialState(), { type: 'load', record, metrics: [line] }, 0);
    assert.equal(clean.mode === 'run' ? clean.run.notes : 'x', undefined);
    const compared = reduce(initialState(), { type: 'compare', runs: [{ record, metrics: [line], notes: [note], name: 'cnn #1' }, { record: { ...record, id: 'r2' }, metrics: [], name: 'cnn #2' }] }, 0);
    assert.deepEqual(compared.mode === 'compare' ? compared.runs.map((run) => run.notes) : [], [[note], undefined]);
  });
});

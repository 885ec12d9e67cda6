// The page's side of run names (issue 10 item 8): the host's name for the run on screen, kept
// across a reload of the same run; the runs a comparison could not show, by name.
import { strict as assert } from 'node:assert';
import { initialState, reduce, type ViewState } from '../../webview/src/logic/state';
import type { TrainerEvent } from '../../src/channels/trainer';
import type { HostToWebview } from '../../src/channels/webview';
import { emptySummary, record, twoEpochs } from './fixtures';

const started: TrainerEvent = {
  type: 'started',
  runId: 'run-1',
  runDir: '/w/.cnnlab/runs/run-1',
  backend: { name: 'cpu', device: 'CPU (pure JS)' },
  summary: emptySummary,
  epochs: 3,
  stepsPerEpoch: 2,
  examples: { train: 4, validation: 1, test: 2 },
} as TrainerEvent;

function apply(state: ViewState, ...messages: HostToWebview[]): ViewState {
  return messages.reduce((current, message) => reduce(current, message, 1000), state);
}

describe('run names on the page', () => {
  it('takes the host\'s name for the run on screen once it has started, and keeps it when the run is loaded again', () => {
    let state = apply(initialState(), { type: 'starting', modelFile: 'cnn.model.json', dataset: 'shapes', epochs: 3 });
    state = apply(state, { type: 'name', runId: 'run-1', name: 'cnn #2' });
    assert.equal(state.mode === 'run' && state.run.name, undefined, 'not before the page knows which run it shows');
    state = apply(state, { type: 'event', event: started }, { type: 'name', runId: 'run-1', name: 'cnn #2' });
    assert.equal(state.mode === 'run' && state.run.name, 'cnn #2');
    state = apply(state, { type: 'load', record: record({ id: 'run-1' }), metrics: twoEpochs });
    assert.equal(state.mode === 'run' && state.run.name, 'cnn #2');
    state = apply(state, { type: 'name', runId: 'other', name: 'elsewhere' });
    assert.equal(state.mode === 'run' && state.run.name, 'cnn #2');
  });

  it('keeps the runs a comparison could not show, by name', () => {
    const state = apply(initialState(), {
      type: 'compare',
      runs: [{ record: record({ id: 'a' }), metrics: twoEpochs, name: 'cnn #1' }],
      missing: [{ runId: 'b', name: 'cnn #2' }],
    });
    assert.equal(state.mode, 'compare');
    assert.deepEqual(state.mode === 'compare' && state.missing, [{ runId: 'b', name: 'cnn #2' }]);
    const full = apply(initialState(), { type: 'compare', runs: [{ record: record({ id: 'a' }), metrics: twoEpochs, name: 'cnn #1' }] });
    assert.equal(full.mode === 'compare' && full.missing, undefined);
  });
});

// The Inside tab's state: the host's insideBusy / insideResult / insideError messages folded into
// the run on screen, and the requests the tab makes from it.
import { strict as assert } from 'node:assert';
import type { InsideView } from '../../src/channels/inside';
import type { HostToWebview } from '../../src/channels/webview';
import { askForAllMaps, askForClass, decodeBase64, gradcamFor } from '../../webview/src/logic/inside';
import { initialState, reduce, type ViewState } from '../../webview/src/logic/state';
import { record, twoEpochs } from './fixtures';

const view: InsideView = {
  source: 'run run-1 (model/best)',
  image: { label: 'test example 3 of shapes', height: 1, width: 2, channels: 1, pixels: 'AP8=' },
  classNames: ['circle', 'square'],
  predictedClass: 1,
  top: [{ class: 'square', probability: 0.9 }, { class: 'circle', probability: 0.1 }],
  filters: { layer: 'conv2d', colour: false, inputChannels: 1, count: 1, total: 8, height: 1, width: 1, channels: 1, pixels: 'AA==' },
  featureMaps: [
    { layer: 'conv2d', className: 'Conv2D', outputShape: [null, 1, 1, 8], count: 1, total: 8, height: 1, width: 1, channels: 1, pixels: 'AA==' },
    { layer: 'conv2d_1', className: 'Conv2D', outputShape: [null, 1, 1, 64], count: 1, total: 64, height: 1, width: 1, channels: 1, pixels: 'AA==' },
  ],
  gradcam: [{ classIndex: 1, className: 'square', score: 'logit', layer: 'conv2d_1', heat: 'AP8=', height: 1, width: 2 }],
  notes: [],
};

function apply(state: ViewState, messages: HostToWebview[]): ViewState {
  return messages.reduce((s, m) => reduce(s, m, 0), state);
}

function insideOf(state: ViewState) {
  assert.equal(state.mode, 'run');
  return (state as Extract<ViewState, { mode: 'run' }>).run.inside;
}

const loaded = (): ViewState => apply(initialState(), [{ type: 'load', record: record(), metrics: twoEpochs }]);

describe('Inside tab state', () => {
  it('shows the image being looked at, then the answer and the request it answers', () => {
    let state = apply(loaded(), [{ type: 'insideBusy', runId: 'run-1', label: 'test example 3' }]);
    assert.equal(insideOf(state)?.busy, 'test example 3');
    const version = state.version;
    state = apply(state, [{ type: 'insideResult', runId: 'run-1', ask: { image: { kind: 'test', index: 3 } }, view }]);
    const inside = insideOf(state);
    assert.equal(inside?.busy, undefined);
    assert.equal(inside?.view, view);
    assert.deepEqual(inside?.ask, { image: { kind: 'test', index: 3 } });
    assert.equal(inside?.revision, 1);
    assert.ok(state.version > version, 'the page redraws');
  });

  it('keeps the last answer under an error, and clears the error on the next look', () => {
    let state = apply(loaded(), [
      { type: 'insideResult', runId: 'run-1', ask: { image: { kind: 'test', index: 3 } }, view },
      { type: 'insideBusy', runId: 'run-1', label: 'test example 5000' },
      { type: 'insideError', runId: 'run-1', message: 'The test set has 1000 examples.', hint: 'Pick a smaller number.' },
    ]);
    assert.deepEqual(insideOf(state)?.error, { message: 'The test set has 1000 examples.', hint: 'Pick a smaller number.' });
    assert.equal(insideOf(state)?.busy, undefined);
    assert.equal(insideOf(state)?.view, view);
    state = apply(state, [{ type: 'insideBusy', runId: 'run-1', label: 'test example 4' }]);
    assert.equal(insideOf(state)?.error, undefined);
  });

  it('ignores Inside messages for another run, and keeps the tab when the run is loaded again', () => {
    let state = apply(loaded(), [{ type: 'insideResult', runId: 'run-2', ask: { image: { kind: 'chosen' } }, view }]);
    assert.equal(insideOf(state), undefined);
    state = apply(state, [
      { type: 'insideResult', runId: 'run-1', ask: { image: { kind: 'chosen' } }, view },
      { type: 'load', record: record(), metrics: twoEpochs },
    ]);
    assert.equal(insideOf(state)?.view, view);
    const compare = apply(initialState(), [{ type: 'compare', runs: [] }, { type: 'insideBusy', runId: 'run-1', label: 'x' }]);
    assert.equal(compare.mode, 'compare');
  });

  it('asks again for every map of every layer, or for another class, for the same image', () => {
    const state = apply(loaded(), [{ type: 'insideResult', runId: 'run-1', ask: { image: { kind: 'misclassified', file: 'misclassified/00.png' }, className: 'circle' }, view }]);
    const inside = insideOf(state);
    assert.ok(inside);
    assert.deepEqual(askForAllMaps(inside), { image: { kind: 'misclassified', file: 'misclassified/00.png' }, className: 'circle', maxMaps: 64 });
    assert.deepEqual(askForClass(inside, 'square'), { image: { kind: 'misclassified', file: 'misclassified/00.png' }, className: 'square' });
    assert.equal(gradcamFor(view, 1)?.className, 'square');
    assert.equal(gradcamFor(view, 0), undefined);
    assert.deepEqual(askForAllMaps({ revision: 0 }), undefined);
  });

  it('decodes the base64 pixels the channel carries', () => {
    assert.deepEqual(Array.from(decodeBase64('AP8=')), [0, 255]);
    assert.deepEqual(Array.from(decodeBase64('')), []);
  });
});

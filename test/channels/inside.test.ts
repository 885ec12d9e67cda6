// The Inside channel (host ↔ dist/inside.js) and the Inside messages of the panel channel: what
// each side checks before it acts, pixels included.
import assert from 'node:assert/strict';
import { isInsideAnswer, isInsideRequest, isInsideView, whyNotInsideRequest, type InsideView } from '../../src/channels/inside';
import { isHostToWebview, isWebviewToHost, whyNotWebviewToHost } from '../../src/channels/webview';
import { toInsideView, type InsideResult } from '../../src/trainer/inside';

const request = { type: 'inside', runDir: '/w/.cnnlab/runs/run-1', image: { kind: 'test', index: 3 }, maxMaps: 32 };

/** A small result as lookInside returns it: a 2×2 grey image, 3 maps of 2×2 out of 4, one 2×2 filter. */
function result(): InsideResult {
  return {
    source: 'run run-1 (model/best)',
    image: { label: 'test example 3 of shapes', height: 2, width: 2, channels: 1, pixels: Uint8Array.from([0, 64, 128, 255]) },
    classNames: ['circle', 'square'],
    predictedClass: 1,
    top: [{ class: 'square', probability: 0.9 }, { class: 'circle', probability: 0.1 }],
    filters: { layer: 'conv2d', colour: false, inputChannels: 1, count: 1, total: 4, height: 2, width: 2, channels: 1, pixels: new Uint8Array(4) },
    featureMaps: [{ layer: 'conv2d', className: 'Conv2D', outputShape: [null, 2, 2, 4], count: 3, total: 4, height: 2, width: 2, channels: 1, pixels: new Uint8Array(12) }],
    gradcam: [{ classIndex: 1, className: 'square', score: 'logit', layer: 'conv2d', heat: Uint8Array.from([0, 255, 10, 20]), height: 2, width: 2 }],
    notes: [],
  };
}

describe('channels: Inside', () => {
  it('the child takes a well-formed request', () => {
    assert.ok(isInsideRequest(request));
    assert.ok(isInsideRequest({ ...request, image: { kind: 'file', path: '/w/a.png' }, className: 'cross', baseDir: '/w', dataDir: '/data' }));
  });

  it('the child refuses a malformed request, saying why', () => {
    assert.equal(whyNotInsideRequest({ ...request, runDir: 7 }), "'inside' message: `runDir` must be a string");
    assert.equal(whyNotInsideRequest({ ...request, image: { kind: 'test', index: -1 } }), "'inside' message: `image` must be a valid value");
    assert.equal(isInsideRequest({ ...request, image: { kind: 'test', index: 1.5 } }), false);
    assert.equal(isInsideRequest({ ...request, image: { kind: 'file', path: '' } }), false);
    assert.equal(isInsideRequest({ ...request, image: { kind: 'url', path: 'http://x' } }), false);
    assert.equal(isInsideRequest({ ...request, maxMaps: 0 }), false);
    assert.equal(isInsideRequest({ ...request, className: 3 }), false);
    const { image: _image, ...withoutImage } = request;
    assert.equal(whyNotInsideRequest(withoutImage), "'inside' message: `image` must be a valid value");
    assert.equal(whyNotInsideRequest({ type: 'rm' }), 'unknown message type "rm"');
  });

  it('the host takes a result whose pixels fit their sizes, and an error', () => {
    const view = toInsideView(result());
    assert.ok(isInsideView(view));
    assert.ok(isInsideAnswer({ type: 'result', view }));
    assert.ok(isInsideAnswer({ type: 'error', message: 'No model.', hint: 'Train it.' }));
  });

  it('the host refuses a result with pixels that do not fit, or fields of the wrong kind', () => {
    const view = toInsideView(result());
    const broken: Record<string, (view: InsideView) => unknown> = {
      'a map short of bytes': (v) => ({ ...v, featureMaps: [{ ...v.featureMaps[0], count: 4 }] }),
      'more maps than the layer has': (v) => ({ ...v, featureMaps: [{ ...v.featureMaps[0], total: 2 }] }),
      'pixels that are not base64': (v) => ({ ...v, image: { ...v.image, pixels: '<img src=x>' } }),
      'a heat map of another size': (v) => ({ ...v, gradcam: [{ ...v.gradcam[0], width: 3 }] }),
      'an unknown score kind': (v) => ({ ...v, gradcam: [{ ...v.gradcam[0], score: 'logits' }] }),
      'four channels': (v) => ({ ...v, image: { ...v.image, channels: 4 } }),
      'a shape with a negative size': (v) => ({ ...v, featureMaps: [{ ...v.featureMaps[0], outputShape: [null, -2, 2, 4] }] }),
      'class names that are not strings': (v) => ({ ...v, classNames: [1, 2] }),
      'filters without their input channels': (v) => ({ ...v, filters: { ...v.filters, inputChannels: undefined } }),
    };
    for (const [what, breakIt] of Object.entries(broken)) {
      assert.equal(isInsideView(breakIt(view)), false, what);
      assert.equal(isInsideAnswer({ type: 'result', view: breakIt(view) }), false, what);
    }
    assert.equal(isInsideAnswer({ type: 'error' }), false);
  });

  it('the panel host takes the page\'s Inside requests and refuses malformed ones', () => {
    assert.ok(isWebviewToHost({ type: 'inside', runId: 'run-1', image: { kind: 'test', index: 0 } }));
    assert.ok(isWebviewToHost({ type: 'inside', runId: 'run-1', image: { kind: 'misclassified', file: 'misclassified/00.png' }, className: 'cross', maxMaps: 64 }));
    assert.ok(isWebviewToHost({ type: 'inside', runId: 'run-1', image: { kind: 'chooseFile' } }));
    assert.ok(isWebviewToHost({ type: 'inside', runId: 'run-1', image: { kind: 'chosen' } }));
    // The page never names a path on disk: only the host's dialog chooses files.
    assert.equal(whyNotWebviewToHost({ type: 'inside', runId: 'run-1', image: { kind: 'file', path: '/etc/passwd' } }), "'inside' message: `image` must be a valid value");
    assert.equal(isWebviewToHost({ type: 'inside', runId: 'run-1', image: { kind: 'test', index: -2 } }), false);
    assert.equal(isWebviewToHost({ type: 'inside', runId: 'run-1', image: { kind: 'test', index: 0 }, maxMaps: 0 }), false);
    assert.equal(isWebviewToHost({ type: 'inside', image: { kind: 'test', index: 0 } }), false);
  });

  it('the page takes the host\'s Inside messages and refuses malformed ones', () => {
    const view = toInsideView(result());
    assert.ok(isHostToWebview({ type: 'insideBusy', runId: 'run-1', label: 'test example 3' }));
    assert.ok(isHostToWebview({ type: 'insideResult', runId: 'run-1', ask: { image: { kind: 'chosen' }, className: 'circle' }, view }));
    assert.ok(isHostToWebview({ type: 'insideError', runId: 'run-1', message: 'No model.' }));
    assert.equal(isHostToWebview({ type: 'insideResult', runId: 'run-1', ask: { image: { kind: 'chosen' } }, view: { ...view, top: 'square' } }), false);
    assert.equal(isHostToWebview({ type: 'insideResult', runId: 'run-1', ask: { image: { kind: 'file', path: '/x.png' } }, view }), false);
    assert.equal(isHostToWebview({ type: 'insideError', runId: 'run-1' }), false);
  });
});

// Messages are checked where they enter a process or a page: these are the checks each side runs.
import assert from 'node:assert/strict';
import { isTrainerCommand, isTrainerEvent, whyNotTrainerCommand, whyNotTrainerEvent } from '../../src/channels/trainer';
import { isHostToWebview, isWebviewToHost, whyNotHostToWebview, whyNotWebviewToHost } from '../../src/channels/webview';

describe('channels: messages checked where they enter', function () {
  it('the trainer takes a start command with a job, and a stop', function () {
    assert.ok(isTrainerCommand({ type: 'start', job: { modelFile: '/w/a.model.json', runsDir: '/w/.cnnlab/runs', trainExamples: 100 } }));
    assert.ok(isTrainerCommand({ type: 'stop' }));
  });

  it('the trainer refuses commands that are not what the host sends, saying why', function () {
    assert.equal(whyNotTrainerCommand({ type: 'start', job: { modelFile: 42, runsDir: '/w' } }), "'start' message: `job` must be a valid value");
    assert.equal(isTrainerCommand({ type: 'start', job: { modelFile: '/w/a', runsDir: '/w', trainExamples: -1 } }), false);
    assert.equal(isTrainerCommand({ type: 'start' }), false);
    assert.equal(whyNotTrainerCommand({ type: 'rm -rf' }), 'unknown message type "rm -rf"');
    assert.equal(whyNotTrainerCommand('stop'), 'a message must be an object with a `type`');
    assert.equal(whyNotTrainerCommand(null), 'a message must be an object with a `type`');
    // Only own properties count: a prototype's `type` does not make a message.
    assert.equal(isTrainerCommand(Object.create({ type: 'stop' })), false);
  });

  it('the host takes every trainer event and refuses a malformed one', function () {
    assert.ok(isTrainerEvent({ type: 'progress', message: 'Loading mnist', fraction: 0.5 }));
    assert.ok(isTrainerEvent({ type: 'progress', message: 'Loading mnist' }));
    assert.ok(isTrainerEvent({ type: 'epoch', epoch: 1, logs: { loss: 0.3 }, seconds: 2 }));
    assert.ok(isTrainerEvent({ type: 'failed', message: 'No images.', hint: 'Add images.' }));
    assert.equal(whyNotTrainerEvent({ type: 'epoch', epoch: '1', logs: {}, seconds: 2 }), "'epoch' message: `epoch` must be a number");
    assert.equal(whyNotTrainerEvent({ type: 'epoch', epoch: Number.NaN, logs: {}, seconds: 2 }), "'epoch' message: `epoch` must be a number");
    assert.equal(whyNotTrainerEvent({ type: 'checkpoint', epoch: 1, which: 'worst', path: '/x' }), "'checkpoint' message: `which` must be one of best, last");
    assert.equal(whyNotTrainerEvent({ type: 'progress', message: 'x', fraction: 'half' }), "'progress' message: `fraction` must be a number");
  });

  it('the host takes the page’s buttons and refuses anything else', function () {
    assert.ok(isWebviewToHost({ type: 'ready' }));
    assert.ok(isWebviewToHost({ type: 'runAction', runId: 'r1', action: 'exportCsv' }));
    assert.equal(whyNotWebviewToHost({ type: 'runAction', runId: 'r1', action: 'deleteWorkspace' }), "'runAction' message: `action` must be one of exportModel, exportCsv, exportTensorBoard, revealFolder, rerun");
    assert.equal(whyNotWebviewToHost({ type: 'openRun' }), "'openRun' message: `runId` must be a string");
    assert.equal(isWebviewToHost({ type: 'eval', code: 'x' }), false);
  });

  it('the page takes what the host posts, a trainer event inside included, and refuses a malformed one', function () {
    assert.ok(isHostToWebview({ type: 'live', canStop: true }));
    assert.ok(isHostToWebview({ type: 'gone', folder: '/w/.cnnlab/runs/r1' }));
    assert.ok(isHostToWebview({ type: 'event', event: { type: 'epoch', epoch: 2, logs: {}, seconds: 1 } }));
    assert.equal(whyNotHostToWebview({ type: 'event', event: { type: 'epoch' } }), "'event' message: `event` must be a valid value");
    assert.equal(whyNotHostToWebview({ type: 'load', record: {}, metrics: 'all' }), "'load' message: `metrics` must be an array");
  });
});

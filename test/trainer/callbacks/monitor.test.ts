import assert from 'node:assert/strict';
import { Monitor } from '../../../src/trainer/callbacks/monitor';

describe('callbacks: Monitor', () => {
  it('counts a lower loss as an improvement, a higher or equal one as an epoch of waiting', () => {
    const monitor = new Monitor('val_loss');
    assert.equal(monitor.improves({ val_loss: 0.9 }), true);
    assert.equal(monitor.improves({ val_loss: 0.7 }), true);
    assert.equal(monitor.improves({ val_loss: 0.7 }), false);
    assert.equal(monitor.improves({ val_loss: 0.8 }), false);
    assert.deepEqual({ best: monitor.best, wait: monitor.wait }, { best: 0.7, wait: 2 });
    assert.equal(monitor.improves({ val_loss: 0.5 }), true);
    assert.equal(monitor.wait, 0);
  });

  it('counts a higher accuracy as an improvement', () => {
    const monitor = new Monitor('val_acc');
    assert.equal(monitor.improves({ val_acc: 0.5 }), true);
    assert.equal(monitor.improves({ val_acc: 0.4 }), false);
    assert.equal(monitor.improves({ val_acc: 0.6 }), true);
    assert.equal(monitor.best, 0.6);
  });

  it('needs more than minDelta to improve', () => {
    const monitor = new Monitor('loss', 0.1);
    assert.equal(monitor.improves({ loss: 1 }), true);
    assert.equal(monitor.improves({ loss: 0.95 }), false);
    assert.equal(monitor.improves({ loss: 0.85 }), true);
  });

  it('never improves on a log that is missing or not finite, and waits on it', () => {
    const monitor = new Monitor('val_top5');
    assert.equal(monitor.improves({ loss: 1 }), false);
    const loss = new Monitor('loss');
    assert.equal(loss.improves({ loss: Number.NaN }), false);
    assert.equal(loss.improves({ loss: Number.POSITIVE_INFINITY }), false);
    assert.equal(loss.wait, 2);
    assert.equal(loss.describeWait(), 'loss has not improved for 2 epochs');
    assert.equal(monitor.describeWait(), 'val_top5 has not improved for 1 epoch');
  });
});

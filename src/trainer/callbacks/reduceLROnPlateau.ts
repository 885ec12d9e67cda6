// Keras's ReduceLROnPlateau: multiplies the learning rate by `factor` (not below `minLR`) when the
// monitored log has not improved for `patience` epochs, then waits `patience` epochs again.
import type * as tf from '@tensorflow/tfjs';
import type { Logs } from '../../runs/format';
import { learningRateOf, setLearningRate } from '../optimizers';
import type { ResolvedTraining } from '../trainingConfig';
import type { Callback } from './callback';
import { Monitor } from './monitor';

type ReduceLRConfig = NonNullable<ResolvedTraining['reduceLROnPlateau']>;

export class ReduceLROnPlateau implements Callback {
  private readonly monitor: Monitor;

  constructor(
    private readonly optimizer: tf.Optimizer,
    private readonly config: ReduceLRConfig,
    private readonly report: (message: string) => void,
  ) {
    this.monitor = new Monitor(config.monitor);
  }

  onEpochEnd(_epoch: number, logs: Logs): void {
    if (this.monitor.improves(logs) || this.monitor.wait <= this.config.patience) return;
    const learningRate = learningRateOf(this.optimizer);
    const reduced = Math.max(learningRate * this.config.factor, this.config.minLR);
    if (reduced < learningRate) {
      setLearningRate(this.optimizer, reduced);
      this.report(`Reducing the learning rate to ${reduced.toExponential(2)} (${this.monitor.describeWait()}).`);
    }
    this.monitor.wait = 0;
  }
}

// Keras's EarlyStopping: ends training when the monitored log has not improved for `patience`
// epochs after the last improvement, optionally going back to the weights of the best epoch.
import * as tf from '@tensorflow/tfjs';
import type { Logs } from '../../runs/format';
import type { ResolvedTraining } from '../trainingConfig';
import type { Callback, TrainingControl } from './callback';
import { Monitor } from './monitor';

type EarlyStoppingConfig = NonNullable<ResolvedTraining['earlyStopping']>;

export class EarlyStopping implements Callback {
  private readonly monitor: Monitor;
  private bestWeights: tf.Tensor[] = [];
  private stopped = false;

  constructor(
    private readonly model: tf.LayersModel,
    private readonly config: EarlyStoppingConfig,
    private readonly control: TrainingControl,
    private readonly report: (message: string) => void,
  ) {
    this.monitor = new Monitor(config.monitor, config.minDelta);
  }

  onEpochEnd(_epoch: number, logs: Logs): void {
    if (this.monitor.improves(logs)) {
      if (this.config.restoreBestWeights) this.keepBestWeights();
    } else if (this.monitor.wait > this.config.patience) {
      this.stopped = true;
      this.control.stopTraining = true;
      if (this.bestWeights.length > 0) this.model.setWeights(this.bestWeights);
    }
  }

  onTrainEnd(): void {
    tf.dispose(this.bestWeights);
    this.bestWeights = [];
    if (this.stopped) this.report(`Early stopping: ${this.monitor.describeWait()}.`);
  }

  private keepBestWeights(): void {
    tf.dispose(this.bestWeights);
    this.bestWeights = this.model.getWeights().map((weight) => weight.clone());
  }
}

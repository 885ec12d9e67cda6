// Keras's ModelCheckpoint: the best model so far goes to model/best (with saveBestOnly: false,
// the model of every epoch does), and run.json's bestMetrics names the epoch it comes from.
import type { Logs } from '../../runs/format';
import type { RunWriter } from '../../runs/store';
import type { ResolvedTraining } from '../trainingConfig';
import type { Callback } from './callback';
import { Monitor } from './monitor';
import type { SaveModel } from './saveModel';

export class ModelCheckpoint implements Callback {
  private readonly monitor: Monitor;
  private readonly saveBestOnly: boolean;

  /** `previousBest`: the bestMetrics of the run being resumed, which a new best must beat. */
  constructor(
    private readonly save: SaveModel,
    private readonly writer: Pick<RunWriter, 'update'>,
    config: ResolvedTraining['checkpoint'],
    previousBest?: Logs,
  ) {
    this.monitor = new Monitor(config.monitor);
    this.saveBestOnly = config.saveBestOnly;
    const best = previousBest?.[config.monitor];
    if (best !== undefined) this.monitor.best = best;
  }

  async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    if (this.monitor.improves(logs)) {
      if (this.saveBestOnly) await this.save('best', epoch);
      this.writer.update({ bestMetrics: { ...logs, epoch } });
    }
    if (!this.saveBestOnly) await this.save('best', epoch);
  }
}

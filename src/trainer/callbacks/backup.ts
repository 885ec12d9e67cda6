// Keras's BackupAndRestore, the backup half: after every epoch the model goes to model/last and
// run.json records the epochs it has been trained for, so a stopped or killed run resumes from
// there (the restore half is reading that run back in src/trainer/runSource.ts).
import type { Logs } from '../../runs/format';
import type { RunWriter } from '../../runs/store';
import type { Callback, FitOutcome } from './callback';
import type { SaveModel } from './saveModel';

export class Backup implements Callback {
  constructor(
    private readonly save: SaveModel,
    private readonly writer: Pick<RunWriter, 'update' | 'record'>,
  ) {}

  async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    await this.save('last', epoch);
    this.writer.update({ epochsCompleted: epoch + 1, finalMetrics: logs });
  }

  async onTrainEnd(outcome: FitOutcome): Promise<void> {
    if (outcome !== 'stopped') return;
    // Part of the next epoch may be trained already; resuming repeats that epoch in full.
    const epochsCompleted = this.writer.record.epochsCompleted;
    await this.save('last', Math.max(0, epochsCompleted - 1), epochsCompleted);
  }
}

import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readRun } from '../../src/runs/store';
import { hasSavedModel } from '../../src/trainer/modelFiles';
import { runTraining } from '../../src/trainer/train';
import { collector, job, temporaryDir, tinyCnn, writeModel } from './helpers';

describe('runTraining', function () {
  this.timeout(120_000);

  it('trains, writes the run as it goes, saves best and last, evaluates on the test set', async () => {
    const dir = temporaryDir();
    const events = collector();
    const record = await runTraining(job(dir, writeModel(dir, tinyCnn({ epochs: 2 }))), events.emit);
    assert.equal(record?.status, 'completed', JSON.stringify(events.of('failed')));
    const [started] = events.of('started');
    assert.equal(started.examples.train + started.examples.validation, 96);
    assert.equal(started.stepsPerEpoch, Math.ceil(started.examples.train / 16));
    assert.equal(events.of('epoch').length, 2);
    assert.ok(events.of('batches').length >= 1);
    assert.ok(events.of('batches').every((event) => event.imagesPerSecond > 0));
    assert.deepEqual(new Set(events.of('checkpoint').map((event) => event.which)), new Set(['best', 'last']));
    const { record: onDisk, metrics } = await readRun(started.runDir);
    assert.equal(onDisk.status, 'completed');
    assert.equal(onDisk.epochsCompleted, 2);
    assert.equal(onDisk.pid, undefined);
    assert.deepEqual(metrics.filter((line) => line.kind === 'epoch').map((line) => line.epoch), [0, 1]);
    // Each batch line says how many examples its running means cover, so the panel can plot each batch's own value.
    for (const line of metrics) if (line.kind === 'batch') assert.equal(line.seen, Math.min((line.batch + 1) * 16, started.examples.train));
    for (const key of ['loss', 'acc', 'val_loss', 'val_acc', 'lr']) assert.ok(Number.isFinite(onDisk.finalMetrics?.[key]), key);
    for (const which of ['best', 'last']) {
      assert.ok(existsSync(join(started.runDir, 'model', which, 'model.json')), which);
      assert.ok(hasSavedModel(join(started.runDir, 'model', which)), which);
    }
    assert.ok(existsSync(join(started.runDir, 'summary.txt')));
    const evaluation = onDisk.evaluation;
    assert.ok(evaluation);
    assert.equal(evaluation.confusion.flat().reduce((sum, count) => sum + count, 0), 32);
    assert.equal(evaluation.perClassAccuracy.length, 4);
    const correct = evaluation.confusion.reduce((sum, row, label) => sum + row[label], 0);
    assert.equal(evaluation.accuracy, correct / 32);
    assert.equal(evaluation.misclassified.length, Math.min(24, 32 - correct));
    for (const example of evaluation.misclassified) assert.ok(existsSync(join(started.runDir, example.file)), example.file);
  });

  const lossCases: [string, Record<string, unknown>, Record<string, unknown>?][] = [
    ['categorical_crossentropy (Keras spelling)', { loss: 'categorical_crossentropy' }],
    ['sparseCategoricalCrossentropy', { loss: 'sparseCategoricalCrossentropy' }],
    ['categoricalCrossentropy from logits', { loss: 'categoricalCrossentropy', fromLogits: true }, { type: 'Dense', units: 4 }],
    ['sparseCategoricalCrossentropy from logits', { loss: 'sparseCategoricalCrossentropy', fromLogits: true }, { type: 'Dense', units: 4 }],
    ['binaryCrossentropy', { loss: 'binaryCrossentropy' }, { type: 'Dense', units: 4, activation: 'sigmoid' }],
    ['meanSquaredError', { loss: 'meanSquaredError' }],
  ];
  for (const [name, training, lastLayer] of lossCases) {
    it(`trains with the ${name} loss`, async () => {
      const dir = temporaryDir();
      const events = collector();
      const record = await runTraining(job(dir, writeModel(dir, tinyCnn({ ...training, learningRate: 0.01 }, lastLayer))), events.emit);
      assert.equal(record?.status, 'completed', JSON.stringify(events.of('failed')));
      const logs = events.of('epoch')[0].logs;
      assert.ok(Number.isFinite(logs.loss) && logs.loss > 0, `loss ${logs.loss}`);
      assert.ok(logs.acc >= 0 && logs.acc <= 1, `acc ${logs.acc}`);
    });
  }

  const optimizerCases: [string, unknown][] = [
    ['sgd', 'sgd'],
    ['sgd with nesterov momentum', { name: 'sgd', momentum: 0.9, nesterov: true }],
    ['adam', 'adam'],
    ['RMSprop (Keras spelling)', 'RMSprop'],
    ['adagrad', { name: 'adagrad', learningRate: 0.05 }],
  ];
  for (const [name, optimizer] of optimizerCases) {
    it(`trains with the ${name} optimizer and the loss falls`, async () => {
      const dir = temporaryDir();
      const events = collector();
      const record = await runTraining(job(dir, writeModel(dir, tinyCnn({ optimizer, epochs: 3, validationSplit: 0 }))), events.emit);
      assert.equal(record?.status, 'completed', JSON.stringify(events.of('failed')));
      const losses = events.of('epoch').map((event) => event.logs.loss);
      assert.ok(losses[2] < losses[0], `losses ${losses.join(' → ')}`);
    });
  }

  describe('runs that repeat', () => {
    /** Every source of randomness at once: initializers, dropout, shuffling, split and augmentation. */
    const noisyCnn = (seed: number, backend = 'cpu'): Record<string, unknown> => ({
      name: 'noisy-cnn',
      inputShape: [12, 12, 1],
      layers: [
        { type: 'Conv2D', filters: 4, kernelSize: 3, activation: 'relu' },
        { type: 'SpatialDropout2D', rate: 0.25 },
        { type: 'MaxPooling2D', poolSize: 2 },
        { type: 'Flatten' },
        { type: 'Dense', units: 8, activation: 'relu', kernelInitializer: 'heNormal' },
        { type: 'Dropout', rate: 0.5 },
        { type: 'Dense', units: 4, activation: 'softmax' },
      ],
      training: { dataset: 'shapes', epochs: 2, batchSize: 16, backend, seed, validationSplit: 0.25, augmentation: { horizontalFlip: true, rotationRange: 10, widthShiftRange: 0.1 } },
    });
    const epochLogs = async (seed: number, backend = 'cpu'): Promise<unknown[]> => {
      const dir = temporaryDir();
      const events = collector();
      const record = await runTraining(job(dir, writeModel(dir, noisyCnn(seed, backend))), events.emit);
      assert.equal(record?.backend?.name, backend);
      assert.equal(record?.status, 'completed', JSON.stringify(events.of('failed')));
      const { metrics } = await readRun(events.of('started')[0].runDir);
      return metrics.filter((line) => line.kind === 'epoch').map((line) => ({ epoch: line.epoch, logs: line.logs }));
    };

    it('trains the same file with the same seed to the same epoch lines, value for value', async () => {
      const first = await epochLogs(7);
      assert.equal(first.length, 2);
      assert.deepEqual(await epochLogs(7), first);
    });

    it('trains the same file with the same seed to the same epoch lines on wasm too', async () => {
      const first = await epochLogs(7, 'wasm');
      assert.deepEqual(await epochLogs(7, 'wasm'), first);
    });

    it('trains to other numbers with another seed', async () => {
      assert.notDeepEqual(await epochLogs(8), await epochLogs(7));
    });
  });

  it('stops early when the monitored value stops improving, and restores the best weights', async () => {
    const dir = temporaryDir();
    const events = collector();
    // No epoch can lower the loss by 10, so the second epoch is already "no improvement".
    const model = tinyCnn({ epochs: 6, earlyStopping: { monitor: 'loss', patience: 0, minDelta: 10, restoreBestWeights: true } });
    const record = await runTraining(job(dir, writeModel(dir, model)), events.emit);
    assert.equal(record?.status, 'completed');
    assert.equal(record?.epochsCompleted, 2);
    assert.equal(events.of('epoch').length, 2);
    assert.ok(events.of('progress').some((event) => /Early stopping/.test(event.message)));
  });

  it('reduces the learning rate on a plateau', async () => {
    const dir = temporaryDir();
    const events = collector();
    // A monitor the logs never hold never improves, so every epoch is a plateau: halve, down to minLR.
    const model = tinyCnn({ epochs: 3, learningRate: 0.01, reduceLROnPlateau: { monitor: 'val_top5', factor: 0.5, patience: 0, minLR: 0.003 } });
    const record = await runTraining(job(dir, writeModel(dir, model)), events.emit);
    assert.equal(record?.status, 'completed');
    assert.deepEqual(events.of('epoch').map((event) => event.logs.lr), [0.01, 0.005, 0.003]);
  });

  it('stops after the current batch, saves the last model, then resumes in a new run that continues the curve', async () => {
    const dir = temporaryDir();
    const first = collector();
    const stop = new AbortController();
    const modelFile = writeModel(dir, tinyCnn({ epochs: 3 }));
    const stopped = await runTraining(
      job(dir, modelFile),
      (event) => {
        first.emit(event);
        // Arrives between epochs: the next batch check stops the run with exactly one epoch done.
        if (event.type === 'epoch' && event.epoch === 0) stop.abort();
      },
      stop.signal,
    );
    assert.equal(stopped?.status, 'stopped');
    assert.equal(stopped?.epochsCompleted, 1);
    const stoppedDir = first.of('started')[0].runDir;
    assert.ok(existsSync(join(stoppedDir, 'model', 'last', 'model.json')));

    const second = collector();
    const resumed = await runTraining(job(dir, modelFile, { resumeFrom: stopped.id }), second.emit);
    assert.equal(resumed?.status, 'completed', JSON.stringify(second.of('failed')));
    assert.equal(resumed?.resumedFrom, stopped.id);
    assert.equal(resumed?.epochsCompleted, 3);
    assert.deepEqual(second.of('epoch').map((event) => event.epoch), [1, 2]);
    const { metrics } = await readRun(second.of('started')[0].runDir);
    assert.deepEqual(metrics.filter((line) => line.kind === 'epoch').map((line) => line.epoch), [0, 1, 2]);
  });

  it('resumes from the epoch the saved weights reached, not from an epoch line whose model was never saved', async () => {
    const dir = temporaryDir();
    const modelFile = writeModel(dir, tinyCnn({ epochs: 2 }));
    const first = collector();
    const trained = await runTraining(job(dir, modelFile), first.emit);
    assert.equal(trained?.status, 'completed');
    const runDir = first.of('started')[0].runDir;
    // A kill after epoch 3's line reached metrics.jsonl and before its model replaced model/last.
    const lostEpoch = { kind: 'epoch', epoch: 2, logs: { loss: 0.5, acc: 0.5 }, time: Date.now() };
    appendFileSync(join(runDir, 'metrics.jsonl'), `${JSON.stringify(lostEpoch)}\n`);
    const record = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(runDir, 'run.json'), JSON.stringify({ ...record, status: 'interrupted', epochsCompleted: 3, epochsPlanned: 4 }));

    const second = collector();
    const resumed = await runTraining(job(dir, modelFile, { resumeFrom: trained.id, overrides: { epochs: 4 } }), second.emit);
    assert.equal(resumed?.status, 'completed', JSON.stringify(second.of('failed')));
    assert.deepEqual(second.of('epoch').map((event) => event.epoch), [2, 3], 'epoch 3 is trained again, not skipped');
    const { metrics } = await readRun(second.of('started')[0].runDir);
    assert.deepEqual(metrics.filter((line) => line.kind === 'epoch').map((line) => line.epoch), [0, 1, 2, 3]);
    assert.notDeepEqual(metrics.find((line) => line.kind === 'epoch' && line.epoch === 2)?.logs, lostEpoch.logs);
  });

  it('refuses to resume a finished run without leaving a failed run behind', async () => {
    const dir = temporaryDir();
    const modelFile = writeModel(dir, tinyCnn({ epochs: 1 }));
    const first = collector();
    const trained = await runTraining(job(dir, modelFile), first.emit);
    assert.equal(trained?.status, 'completed');
    const runsDir = join(dir, '.cnnlab', 'runs');
    const before = readdirSync(runsDir);
    const second = collector();
    await runTraining(job(dir, modelFile, { resumeFrom: trained.id }), second.emit);
    assert.match(second.of('failed')[0].message, /already finished 1 of 1 epoch\./);
    assert.deepEqual(readdirSync(runsDir), before);
  });

  it('finishes a run killed during its test evaluation: resuming evaluates it', async () => {
    const dir = temporaryDir();
    const modelFile = writeModel(dir, tinyCnn({ epochs: 1 }));
    const first = collector();
    const trained = await runTraining(job(dir, modelFile), first.emit);
    const runDir = first.of('started')[0].runDir;
    const record = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as Record<string, unknown>;
    delete record.evaluation;
    writeFileSync(join(runDir, 'run.json'), JSON.stringify({ ...record, status: 'interrupted' }));
    const second = collector();
    const resumed = await runTraining(job(dir, modelFile, { resumeFrom: trained?.id }), second.emit);
    assert.equal(resumed?.status, 'completed', JSON.stringify(second.of('failed')));
    assert.equal(second.of('epoch').length, 0, 'no epoch is trained again');
    assert.equal(resumed?.evaluation?.confusion.flat().reduce((sum, count) => sum + count, 0), 32);
  });

  it('fails with a clear message and a failed run when the dataset folder does not exist', async () => {
    const dir = temporaryDir();
    const events = collector();
    const record = await runTraining(job(dir, writeModel(dir, tinyCnn({ dataset: 'folder:./no-such-photos' }))), events.emit);
    assert.equal(record?.status, 'failed');
    assert.match(record?.error?.message ?? '', /Dataset folder .*no-such-photos does not exist/);
    assert.match(record?.error?.hint ?? '', /one subfolder of images per class/);
    assert.equal((await readRun(join(dir, '.cnnlab', 'runs', record.id))).record.status, 'failed');
    assert.equal(events.of('failed').length, 1);
  });

  it('fails with a clear message when an IDX file is corrupt', async () => {
    const dir = temporaryDir();
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir);
    const header = Buffer.from([0, 0, 8, 3, 0, 0, 0, 10, 0, 0, 0, 28, 0, 0, 0, 28]);
    writeFileSync(join(dataDir, 'train-images-idx3-ubyte.gz'), gzipSync(Buffer.concat([header, Buffer.alloc(100)])));
    writeFileSync(join(dataDir, 'train-labels-idx1-ubyte.gz'), gzipSync(Buffer.from([0, 0, 8, 1, 0, 0, 0, 10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0])));
    const model = { ...tinyCnn({ dataset: 'fashion-mnist' }, { type: 'Dense', units: 10, activation: 'softmax' }), inputShape: [28, 28, 1] };
    const record = await runTraining(job(dir, writeModel(dir, model), { dataDir }), collector().emit);
    assert.equal(record?.status, 'failed');
    assert.match(record?.error?.message ?? '', /train-images-idx3-ubyte\.gz is not a valid IDX file: its header promises 7840 bytes of data \(10×28×28\) but it holds 100/);
    assert.match(record?.error?.hint ?? '', /Replace it with the original file/);
  });

  it('fails before training when the class count does not match the last layer', async () => {
    const dir = temporaryDir();
    const events = collector();
    const record = await runTraining(job(dir, writeModel(dir, tinyCnn({}, { type: 'Dense', units: 10, activation: 'softmax' }))), events.emit);
    assert.equal(record?.status, 'failed');
    assert.match(record?.error?.message ?? '', /last layer has 10 units but 'shapes' has 4 classes \(circle, square, triangle, cross\)/);
    assert.match(record?.error?.hint ?? '', /Set units: 4/);
    assert.equal(events.of('epoch').length, 0);
  });

  it('fails before training when the input shape does not match the dataset', async () => {
    const dir = temporaryDir();
    const model = { ...tinyCnn({ dataset: 'fashion-mnist' }, { type: 'Dense', units: 10, activation: 'softmax' }), inputShape: [32, 32, 3] };
    const record = await runTraining(job(dir, writeModel(dir, model)), collector().emit);
    assert.equal(record?.status, 'failed');
    assert.match(record?.error?.message ?? '', /expects input \(None, 32, 32, 3\) but 'fashion-mnist' gives 28×28×1 images/);
  });

  it('refuses a model file with errors, listing them', async () => {
    const dir = temporaryDir();
    const model = tinyCnn({}, { type: 'Dense', units: 4, activation: 'softmax' });
    (model.layers as Record<string, unknown>[])[0].kernelSize = 20;
    const events = collector();
    await runTraining(job(dir, writeModel(dir, model)), events.emit);
    const [failed] = events.of('failed');
    assert.match(failed.message, /has \d+ error\(s\) and cannot be trained:\n {2}line \d+:/);
  });
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sweepCommand } from '../../src/cli/sweep';
import { experimentRef, readExperimentSync, type ExperimentFile } from '../../src/runs/experiments';
import { listRuns, readRunRecord } from '../../src/runs/store';
import { acquireQueueLock, createExperiment, QUEUE_LOCK_FILE, QueueBusyError, QueueControl, runQueue, updateVariant, type NewExperiment, type TrainVariant } from '../../src/runs/sweepQueue';
import { bestVariant, rankVariants } from '../../src/runs/experimentResults';
import type { RunRecord } from '../../src/runs/format';
import { analyzeModel } from '../../src/model';
import { runTraining } from '../../src/trainer/train';
import type { TrainerEvent } from '../../src/channels/trainer';
import { deadPid, plantRun, sampleRecord } from '../trainer/runFolders';

const root = join(__dirname, '..', '..');
const cli = join(root, 'src', 'cli.ts');
// The CLI runs in a temporary folder, where `--import tsx` would not find the package.
const tsxLoader = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const sample = JSON.parse(readFileSync(join(root, 'samples', 'shapes-cnn.model.json'), 'utf8')) as Record<string, unknown>;

/** A folder holding the shapes sample with this sweep block (early stopping off: every variant trains its epochs). */
function workspaceWith(sweep: unknown, trainingKeys: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'cnnlab-sweep-'));
  const training = { ...(sample.training as Record<string, unknown>), ...trainingKeys };
  delete training.earlyStopping;
  writeFileSync(join(dir, 'shapes.model.json'), JSON.stringify({ ...sample, training, sweep }, null, 2));
  return dir;
}

async function sweep(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await sweepCommand(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), cwd });
  return { code, stdout, stderr };
}

function onlyExperiment(cwd: string): { dir: string; experiment: ExperimentFile } {
  const experimentsDir = join(cwd, '.cnnlab', 'experiments');
  const ids = existsSync(experimentsDir) ? readdirSync(experimentsDir) : [];
  assert.equal(ids.length, 1, `one experiment in ${experimentsDir}`);
  const dir = join(experimentsDir, ids[0]);
  return { dir, experiment: readExperimentSync(dir) };
}

/** A shapes workspace with an experiment of `sweep` created in it (not yet run): its folder, its runs folder and the experiment. */
function workspaceWithExperiment(sweep: Pick<NewExperiment, 'spec' | 'job'>): { cwd: string; runsDir: string; experimentDir: string; experiment: ExperimentFile } {
  const cwd = workspaceWith(undefined);
  const ir = analyzeModel(readFileSync(join(cwd, 'shapes.model.json'), 'utf8'), 'shapes.model.json').ir;
  assert.ok(ir);
  const created = createExperiment({ experimentsDir: join(cwd, '.cnnlab', 'experiments'), modelFile: join(cwd, 'shapes.model.json'), baseDir: cwd, ir, ...sweep });
  return { cwd, runsDir: join(cwd, '.cnnlab', 'runs'), ...created };
}

/** Trains each variant in this process, telling the queue its run as it starts. */
const trainInThisProcess: TrainVariant = (job, variant) => runTraining(job, (event) => event.type === 'started' && variant.started(event.runId), variant.signal);

const small = ['--epochs', '1', '--train-examples', '64', '--test-examples', '16'];

describe('cnnlab sweep', function () {
  this.timeout(240_000);

  it('trains a 2×2 grid on shapes as four completed runs of one experiment, each with its values', async () => {
    const cwd = workspaceWith({ method: 'grid', parameters: { learning_rate: [0.001, 0.004], 'conv2d.filters': [4, 8] } });
    const { code, stdout, stderr } = await sweep(['shapes.model.json', ...small], cwd);
    assert.equal(code, 0, stderr);
    const { experiment } = onlyExperiment(cwd);
    assert.equal(experiment.state, 'done');
    assert.equal(experiment.name, 'shapes-cnn sweep (grid, 4 variants)');
    assert.deepEqual(experiment.variants.map((variant) => variant.status), ['completed', 'completed', 'completed', 'completed']);

    const runs = await listRuns(join(cwd, '.cnnlab', 'runs'));
    assert.equal(runs.length, 4);
    const expected = [
      { learningRate: 0.001, 'conv2d.filters': 4 },
      { learningRate: 0.001, 'conv2d.filters': 8 },
      { learningRate: 0.004, 'conv2d.filters': 4 },
      { learningRate: 0.004, 'conv2d.filters': 8 },
    ];
    for (const [index, values] of expected.entries()) {
      const record = runs.find((run) => run.experiment?.variant === index);
      assert.ok(record, `a run of variant ${index}`);
      assert.equal(record.id, experiment.variants[index].runId);
      assert.equal(record.status, 'completed');
      assert.deepEqual(record.experiment, { id: experiment.id, name: experiment.name, variant: index, variants: 4, values, metric: { name: 'val_acc', goal: 'max' } });
      // Trained with the variant: the first convolution's filters in the model and its params, the learning rate in the curve.
      assert.equal(record.ir.layers[0].config.filters, values['conv2d.filters']);
      assert.equal(record.summary.layers[0].params, values['conv2d.filters'] * (3 * 3 * 1 + 1));
      assert.equal(record.training.learningRate, values.learningRate);
      assert.ok(Math.abs((record.finalMetrics?.lr ?? NaN) - values.learningRate) < 1e-9, `lr ${record.finalMetrics?.lr} logged for variant ${index}`);
      assert.equal(record.epochsCompleted, 1);
    }
    assert.match(stdout, /^\[2\/4 lr=0\.001 conv2d\.filters=8\] Epoch 1\/1 - \d+s - loss: /m);
    assert.match(stdout, /^\*\s+\d\s+0\.00\d\s+[48]\s+\d\.\d{4}\s+1\/1\s+\d+s\s+completed$/m);
    assert.match(stdout, /^Best: variant \d \(lr=0\.00\d conv2d\.filters=[48]\), val_acc \d\.\d{4} \(max\), run /m);
  });

  it('reports an invalid variant with its values and problems, skips it and trains the others', async () => {
    const cwd = workspaceWith({ parameters: { 'conv2d_1.kernelSize': [3, 12] } });
    const { code, stdout, stderr } = await sweep(['shapes.model.json', ...small], cwd);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^\[2\/2 conv2d_1\.kernelSize=12\] invalid, skipped:\n {2}.*Computed output size would be/m);
    const { experiment } = onlyExperiment(cwd);
    assert.deepEqual(experiment.variants.map((variant) => variant.status), ['completed', 'invalid']);
    assert.equal(experiment.variants[1].runId, undefined);
    assert.ok((experiment.variants[1].problems ?? []).length > 0);
    assert.equal((await listRuns(join(cwd, '.cnnlab', 'runs'))).length, 1);
    assert.match(stdout, /^\s+2\s+12\s+—\s+—\s+—\s+invalid$/m);
  });

  it('says what to do when the file has no sweep block, and refuses unknown options', async () => {
    const cwd = workspaceWith(undefined);
    const missing = await sweep(['shapes.model.json'], cwd);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /has no "sweep" block\. Add one to the \.model\.json file, e\.g\. "sweep": \{"method": "grid"/);
    assert.match(missing.stderr, /Keras JSON and \.model\.ts files hold no sweep block/);
    const unknown = await sweep(['shapes.model.json', '--epoch', '2'], cwd);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^cnnlab sweep: Unknown option --epoch\.\n\nUsage: cnnlab sweep FILE/);
    const both = await sweep(['--continue', 'x', '--epochs', '2'], cwd);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /a continued one trains with the options it was created with/);
  });

  it('trains variants in trainer processes with --parallel, to the same numbers as one after another', async () => {
    // The cpu backend is exact: a run's numbers do not depend on the process it trains in.
    const sweepBlock = { parameters: { 'dense.units': [16, 32] } };
    const sequential = workspaceWith(sweepBlock, { backend: 'cpu' });
    const parallel = workspaceWith(sweepBlock, { backend: 'cpu' });
    const one = await sweep(['shapes.model.json', ...small], sequential);
    const two = await sweep(['shapes.model.json', ...small, '--parallel', '2'], parallel);
    assert.equal(one.code, 0, one.stderr);
    assert.equal(two.code, 0, two.stderr);
    assert.match(two.stdout, /^\[2\/2 dense\.units=32\] Epoch 1\/1 - /m);
    const metricsOf = async (cwd: string): Promise<unknown[]> => {
      const runs = await listRuns(join(cwd, '.cnnlab', 'runs'));
      return runs.sort((a, b) => (a.experiment?.variant ?? 0) - (b.experiment?.variant ?? 0)).map((run) => [run.experiment?.values, run.status, run.backend?.name, run.finalMetrics]);
    };
    const expected = await metricsOf(sequential);
    assert.equal(expected.length, 2);
    assert.deepEqual(await metricsOf(parallel), expected);
  });

  it('carries on a queue killed while its second variant trains: the first run is kept, the others complete', async () => {
    const cwd = workspaceWith({ parameters: { learningRate: [0.001, 0.002, 0.004] } });
    const child = spawn(process.execPath, ['--import', tsxLoader, cli, 'sweep', 'shapes.model.json', '--epochs', '3', '--train-examples', '256', '--test-examples', '32'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));

    // Kill once variant 1 completed and variant 2's run folder says it is training.
    const killedRun = await new Promise<string>((resolve, reject) => {
      const poll = setInterval(() => {
        const experimentsDir = join(cwd, '.cnnlab', 'experiments');
        const ids = existsSync(experimentsDir) ? readdirSync(experimentsDir) : [];
        // The folder exists a moment before its experiment.json.
        if (ids.length === 0 || !existsSync(join(experimentsDir, ids[0], 'experiment.json'))) return;
        const experiment = readExperimentSync(join(experimentsDir, ids[0]));
        const [first, second] = experiment.variants;
        if (first.status !== 'completed' || second.status !== 'running' || !second.runId) return;
        if (!existsSync(join(cwd, '.cnnlab', 'runs', second.runId, 'run.json'))) return;
        clearInterval(poll);
        child.kill('SIGKILL');
        resolve(second.runId);
      }, 20);
      child.on('exit', () => {
        clearInterval(poll);
        reject(new Error(`the sweep ended before it could be killed mid-way:\n${output}`));
      });
    });
    assert.equal(await exited, 'SIGKILL');

    const killed = onlyExperiment(cwd);
    assert.deepEqual(killed.experiment.variants.map((variant) => variant.status), ['completed', 'running', 'pending']);
    assert.ok(existsSync(join(killed.dir, QUEUE_LOCK_FILE)), 'the killed queue left its lock behind');
    const firstRunId = killed.experiment.variants[0].runId as string;
    const firstRunJson = readFileSync(join(cwd, '.cnnlab', 'runs', firstRunId, 'run.json'), 'utf8');

    const { code, stdout, stderr } = await sweep(['--continue', killed.experiment.id], cwd);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /2 variant\(s\) left to train/);
    const { experiment } = onlyExperiment(cwd);
    assert.equal(experiment.state, 'done');
    assert.deepEqual(experiment.variants.map((variant) => variant.status), ['completed', 'completed', 'completed']);
    assert.equal(experiment.variants[0].runId, firstRunId);
    assert.equal(readFileSync(join(cwd, '.cnnlab', 'runs', firstRunId, 'run.json'), 'utf8'), firstRunJson, 'the completed run is untouched');
    assert.notEqual(experiment.variants[1].runId, killedRun);
    assert.ok(!existsSync(join(cwd, '.cnnlab', 'runs', killedRun)), 'the interrupted run of variant 2 gave way to its new run');
    const runs = await listRuns(join(cwd, '.cnnlab', 'runs'));
    assert.deepEqual(runs.map((run) => run.experiment?.variant).sort(), [0, 1, 2]);
    for (const variant of experiment.variants) {
      const record = await readRunRecord(join(cwd, '.cnnlab', 'runs', variant.runId as string));
      assert.equal(record.status, 'completed');
      assert.equal(record.epochsCompleted, 3);
      assert.equal(record.training.learningRate, variant.values.learningRate);
    }
    assert.ok(!existsSync(join(killed.dir, QUEUE_LOCK_FILE)), 'the lock is released');
  });
});

describe('sweep queue lock', () => {
  it('keeps a second queue off a running experiment and takes over the lock of a dead one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnnlab-lock-'));
    const release = acquireQueueLock(dir);
    assert.equal(readFileSync(join(dir, QUEUE_LOCK_FILE), 'utf8'), String(process.pid));
    assert.throws(() => acquireQueueLock(dir), (error: unknown) => error instanceof QueueBusyError && /already running in process \d+ \(this one\)/.test(error.message));
    release();
    assert.ok(!existsSync(join(dir, QUEUE_LOCK_FILE)));

    writeFileSync(join(dir, QUEUE_LOCK_FILE), String(deadPid()));
    const again = acquireQueueLock(dir);
    assert.equal(readFileSync(join(dir, QUEUE_LOCK_FILE), 'utf8'), String(process.pid));
    again();
  });
});

describe('trainer and sweep variants', () => {
  it('refuses a variant the model core finds wrong, naming the variant and its values', async () => {
    const cwd = workspaceWith(undefined);
    const events: TrainerEvent[] = [];
    const record = await runTraining(
      {
        modelFile: join(cwd, 'shapes.model.json'),
        runsDir: join(cwd, '.cnnlab', 'runs'),
        baseDir: cwd,
        experiment: { id: 'x-sweep', name: 'shapes-cnn sweep (grid, 2 variants)', variant: 1, variants: 2, values: { 'conv2d_1.kernelSize': 12 }, metric: { name: 'val_acc', goal: 'max' } },
      },
      (event) => events.push(event),
    );
    assert.equal(record, undefined);
    const failed = events.find((event) => event.type === 'failed');
    assert.ok(failed && failed.type === 'failed');
    assert.match(failed.message, /^Variant 2 of shapes-cnn sweep \(grid, 2 variants\) \(conv2d_1\.kernelSize=12\) cannot be trained on the model in .*shapes\.model\.json:\n {2}.*Computed output size would be/);
    assert.equal(failed.hint, 'Change or remove these values in the sweep block, or fix the model so that they fit.');
  });
});

describe('sweep queue: stop one, stop all', function () {
  this.timeout(240_000);

  it('stops one variant (the queue goes on), skips a pending one, stops all, and carries on later', async () => {
    const { cwd, runsDir, experimentDir } = workspaceWithExperiment({
      spec: { method: 'grid', parameters: { learningRate: [0.001, 0.002, 0.004] }, metric: { name: 'val_loss', goal: 'min' } },
      job: { overrides: { epochs: 3 }, trainExamples: 128, testExamples: 16 },
    });
    const control = new QueueControl();
    const stopAll = new AbortController();
    const seen: string[] = [];
    const train: TrainVariant = (job, variant) =>
      runTraining(
        job,
        (event) => {
          if (event.type === 'started') variant.started(event.runId);
          if (event.type !== 'epoch' && event.type !== 'started') return;
          const index = job.experiment?.variant;
          if (event.type === 'epoch' && index === 0 && event.epoch === 0) {
            seen.push(`skip 2: ${control.stopVariant(2)}`, `stop 0: ${control.stopVariant(0)}`);
          }
          if (event.type === 'started' && index === 1) stopAll.abort();
        },
        variant.signal,
      );
    const changes: string[] = [];
    const stopped = await runQueue(experimentDir, { runsDir, baseDir: cwd, train, control, signal: stopAll.signal, onChange: (experiment) => changes.push(experiment.variants.map((variant) => variant.status).join(',')) });
    assert.deepEqual(seen, ['skip 2: true', 'stop 0: true']);
    assert.equal(stopped.state, 'stopped');
    assert.deepEqual(stopped.variants.map((variant) => variant.status), ['stopped', 'pending', 'stopped']);
    assert.ok(changes.includes('running,pending,pending'));
    const stoppedRun = await readRunRecord(join(runsDir, stopped.variants[0].runId as string));
    assert.equal(stoppedRun.status, 'stopped');
    assert.equal(stoppedRun.epochsCompleted, 1);
    const partial = stopped.variants[1].runId as string;
    assert.equal((await readRunRecord(join(runsDir, partial))).status, 'stopped');

    const done = await runQueue(experimentDir, { runsDir, baseDir: cwd, train: trainInThisProcess });
    assert.equal(done.state, 'done');
    assert.deepEqual(done.variants.map((variant) => variant.status), ['stopped', 'completed', 'stopped']);
    assert.notEqual(done.variants[1].runId, partial);
    assert.ok(!existsSync(join(runsDir, partial)), 'the run stopped by "stop all" gave way to the variant\'s new run');
    const records = await listRuns(runsDir);
    assert.equal(records.length, 2);
    assert.equal(bestVariant(done, records)?.variant.index, 1, 'the one completed variant is the best; a stopped one is not ranked');
  });
});

describe('sweep queue: carrying on after its process went away', function () {
  this.timeout(120_000);

  it('trains again a variant whose run was stopped when its trainer lost its parent, deleting that run', async () => {
    const { cwd, runsDir, experimentDir, experiment } = workspaceWithExperiment({
      spec: { method: 'grid', parameters: { learningRate: [0.004] }, metric: { name: 'val_acc', goal: 'max' } },
      job: { overrides: { epochs: 1 }, trainExamples: 64, testExamples: 16 },
    });
    // What a killed queue leaves: the variant `running`, its run stopped by the trainer child when its parent went away.
    const orphan = '20261201-000000-000-shapes-cnn-orph';
    plantRun(runsDir, orphan, sampleRecord(orphan, { status: 'stopped', experiment: experimentRef(experiment, experiment.variants[0]) }));
    updateVariant(experimentDir, 0, (variant) => ({ ...variant, status: 'running', runId: orphan }));

    const done = await runQueue(experimentDir, { runsDir, baseDir: cwd, train: trainInThisProcess });
    assert.equal(done.state, 'done');
    assert.equal(done.variants[0].status, 'completed');
    assert.notEqual(done.variants[0].runId, orphan);
    assert.ok(!existsSync(join(runsDir, orphan)));
    assert.deepEqual((await listRuns(runsDir)).map((run) => [run.status, run.experiment?.variant]), [['completed', 0]]);
  });
});

describe('ranking variants', () => {
  it('ranks completed variants by the metric at their best epoch, by the goal; ties keep the variant order', () => {
    const record = (id: string, best: Record<string, number> | undefined, final: Record<string, number>): RunRecord =>
      sampleRecord(id, { ...(best ? { bestMetrics: { epoch: 0, ...best } } : {}), finalMetrics: final });
    const records = [record('a', { val_accuracy: 0.7, val_loss: 0.5 }, { val_acc: 0.6 }), record('b', undefined, { val_acc: 0.9, val_loss: 0.4 }), record('c', undefined, { val_acc: 0.9, val_loss: 0.2 }), record('d', undefined, { val_acc: 0.99 })];
    const experiment = (goal: 'max' | 'min', name: string): Pick<ExperimentFile, 'variants' | 'spec'> => ({
      spec: { method: 'grid', parameters: { epochs: [1, 2, 3, 4] }, metric: { name, goal } },
      variants: [
        { index: 0, values: { epochs: 1 }, status: 'completed', runId: 'a' },
        { index: 1, values: { epochs: 2 }, status: 'completed', runId: 'b' },
        { index: 2, values: { epochs: 3 }, status: 'completed', runId: 'c' },
        { index: 3, values: { epochs: 4 }, status: 'stopped', runId: 'd' },
      ],
    });
    assert.deepEqual(rankVariants(experiment('max', 'val_acc'), records).map((entry) => [entry.variant.index, entry.value]), [[1, 0.9], [2, 0.9], [0, 0.7]]);
    assert.deepEqual(rankVariants(experiment('min', 'val_loss'), records).map((entry) => [entry.variant.index, entry.value]), [[2, 0.2], [1, 0.4], [0, 0.5]]);
    assert.equal(bestVariant(experiment('max', 'val_acc'), []), undefined);
  });
});

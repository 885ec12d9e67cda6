// Training speed on the seed-003 CNN, per backend present, against PyTorch:
//   - images/s of a bare tfjs model.fit at batch 32 and 64 for every backend present, and of PyTorch CPU
//     (Debian's python3-torch) with 1 and 2 threads on the same model, optimizer and batches. The
//     measurements are interleaved (round after round, every subject once per round, each in a fresh
//     process), so that a busy spell on a shared machine hits all of them alike; figures are medians
//     over rounds, with each backend's ratio to PyTorch;
//   - our trainer (runTraining) against the bare fit: overhead ≤ 5 %;
//   - time from spawning the trainer child to its first batch.
// tfjs has one active backend per process, and one backend's JIT and memory state must not colour
// another's figures: every measurement runs in a process of its own.
import { execFileSync, fork, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { TrainingConfig } from '../src/model/types';
import type { TrainerEvent, TrainJob } from '../src/channels/trainer';
import type { BackendName } from '../src/model/vocabulary';
import { probeBackend, selectBackend } from '../src/trainer/backends';
import { isSoftwareAdapter } from '../src/runtime/systemProbe';
import { runTraining } from '../src/trainer/train';

const batchSize = 32;
const batchSizes = [32, 64] as const;
const repeats = 3;
/** Rounds of the interleaved comparison; each subject is measured once per round. */
const rounds = Number(process.env.CNNLAB_BENCH_ROUNDS ?? 3);
/** Batches per timed repeat: the pure-JS backend manages a few images per second, the others far more. */
const batchesPerRepeat: Record<BackendName, number> = { 'tensorflow-gpu': 40, tensorflow: 20, webgpu: 8, wasm: 24, cpu: 2 };
/** Images per timed fit in the interleaved comparison (about 2–5 s each), at least two batches. */
const imagesPerMeasurement: Record<BackendName | 'pytorch', number> = { 'tensorflow-gpu': 2560, tensorflow: 1280, webgpu: 256, wasm: 1024, cpu: 64, pytorch: 2048 };
const batchesFor = (subject: BackendName | 'pytorch', batch: number): number => Math.max(2, Math.round(imagesPerMeasurement[subject] / batch));
const repoRoot = join(__dirname, '..');
const seed003ModelFile = join(repoRoot, 'samples', 'seed003-fashion-mnist-cnn.model.json');
const fashionMnistDir = process.env.CNNLAB_DATA_DIR ?? '/usr/share/datasets/fashion-mnist';

interface Measurement {
  imagesPerSecond: number;
  device?: string;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function trainingFor(backend: BackendName, epochs: number): TrainingConfig {
  return {
    dataset: 'fashion-mnist',
    epochs,
    batchSize,
    optimizer: 'rmsprop',
    validationSplit: 0,
    backend: backend === 'tensorflow-gpu' ? 'tensorflow' : backend,
  };
}

// ---------------------------------------------------------------------------------------------
// Workers: each runs in a child process and prints one JSON line.

async function probeWorker(backend: BackendName): Promise<unknown> {
  return probeBackend(backend);
}

/** Bare tfjs: the seed-003 layers, compiled as Keras would, model.fit on random images; one timed fit per repeat. */
async function bareFitWorker(backend: BackendName, batchSize: number, batches: number, repeats: number): Promise<Measurement> {
  const info = await selectBackend(trainingFor(backend, 1).backend ?? 'auto');
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 64, kernelSize: 2, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.dropout({ rate: 0.3 }),
      tf.layers.conv2d({ filters: 32, kernelSize: 2, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.dropout({ rate: 0.3 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 256, activation: 'relu' }),
      tf.layers.dropout({ rate: 0.5 }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: 'rmsprop', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const examples = batches * batchSize;
  const images = tf.randomUniform([examples, 28, 28, 1], 0, 1, 'float32', 3);
  const labels = tf.oneHot(tf.randomUniform([examples], 0, 10, 'int32', 4), 10).cast('float32');
  // One untimed batch compiles the kernels (WebGPU pipelines, TensorFlow graphs).
  await model.fit(images.slice(0, batchSize), labels.slice(0, batchSize), { batchSize, epochs: 1, verbose: 0 });
  const rates: number[] = [];
  for (let repeat = 0; repeat < repeats; repeat += 1) {
    const start = performance.now();
    await model.fit(images, labels, { batchSize, epochs: 1, verbose: 0, shuffle: false });
    rates.push(examples / ((performance.now() - start) / 1000));
  }
  return { imagesPerSecond: median(rates), device: info.device };
}

/** Our trainer on real Fashion-MNIST images; epoch 1 is the warm-up, the rest are timed. */
async function ourTrainerWorker(backend: BackendName): Promise<Measurement> {
  const workDir = mkdtempSync(join(tmpdir(), 'cnnlab-bench-'));
  const examples = batchesPerRepeat[backend] * batchSize;
  const epochSeconds: number[] = [];
  let device: string | undefined;
  try {
    await runTraining(
      {
        modelFile: seed003ModelFile,
        runsDir: join(workDir, 'runs'),
        baseDir: repoRoot,
        overrides: trainingFor(backend, repeats + 1),
        dataDir: fashionMnistDir,
        trainExamples: examples,
        testExamples: batchSize,
      },
      (event: TrainerEvent) => {
        if (event.type === 'started') device = event.backend.device;
        if (event.type === 'epoch') epochSeconds.push(event.seconds);
        if (event.type === 'failed') throw new Error(`${event.message} ${event.hint ?? ''}`);
      },
    );
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  const timed = epochSeconds.slice(1);
  if (timed.length === 0) throw new Error('the trainer reported no timed epoch');
  return { imagesPerSecond: examples / median(timed), device };
}

/** Milliseconds from fork() of dist/trainer.js to its first `batches` event, as the extension sees it. */
async function spawnToFirstBatch(backend: BackendName): Promise<number> {
  const workDir = mkdtempSync(join(tmpdir(), 'cnnlab-bench-'));
  const job: TrainJob = {
    modelFile: seed003ModelFile,
    runsDir: join(workDir, 'runs'),
    baseDir: repoRoot,
    overrides: trainingFor(backend, 1),
    dataDir: fashionMnistDir,
    trainExamples: batchesPerRepeat[backend] * batchSize,
    testExamples: batchSize,
  };
  const start = performance.now();
  const child = fork(join(repoRoot, 'dist', 'trainer.js'), [], { cwd: workDir, execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  try {
    return await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no batch within 5 minutes')), 300_000);
      child.on('message', (message: TrainerEvent) => {
        if (message.type === 'batches') {
          clearTimeout(timer);
          resolve(performance.now() - start);
        } else if (message.type === 'failed') {
          clearTimeout(timer);
          reject(new Error(message.message));
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the trainer exited (code ${code}) before its first batch: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
      });
      child.send({ type: 'start', job });
    });
  } finally {
    child.kill('SIGKILL');
    rmSync(workDir, { recursive: true, force: true });
  }
}

const pytorchScript = `
import json, sys, time, statistics, warnings, torch
from torch import nn
warnings.filterwarnings('ignore')  # padding='same' with an even kernel: a note about a copy, not a problem
batch, batches, repeats, threads = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
torch.manual_seed(0)
# seed-003 CNN; padding='same' as in Keras (stride 1).
model = nn.Sequential(
    nn.Conv2d(1, 64, 2, padding='same'), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.3),
    nn.Conv2d(64, 32, 2, padding='same'), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.3),
    nn.Flatten(), nn.Linear(32 * 7 * 7, 256), nn.ReLU(), nn.Dropout(0.5), nn.Linear(256, 10))
optimizer = torch.optim.RMSprop(model.parameters(), lr=0.001)
loss_fn = nn.CrossEntropyLoss()
images = torch.rand(batches * batch, 1, 28, 28)
labels = torch.randint(0, 10, (batches * batch,))
def epoch():
    for i in range(batches):
        x, y = images[i * batch:(i + 1) * batch], labels[i * batch:(i + 1) * batch]
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
model.train()
for i in range(2):  # warm-up: the first batches allocate and pick kernels
    x, y = images[i * batch:(i + 1) * batch], labels[i * batch:(i + 1) * batch]
    optimizer.zero_grad()
    loss_fn(model(x), y).backward()
    optimizer.step()
rates = []
for _ in range(repeats):
    start = time.perf_counter()
    epoch()
    rates.append(batches * batch / (time.perf_counter() - start))
print(json.dumps({"imagesPerSecond": statistics.median(rates), "threads": torch.get_num_threads(), "version": torch.__version__}))
`;

// Debian's python3-torch lives in the system Python, which a version manager's `python3` may shadow.
const pythonCandidates = [process.env.CNNLAB_BENCH_PYTHON, 'python3', '/usr/bin/python3'].filter((candidate): candidate is string => Boolean(candidate));
const pytorchInstallHint =
  'Debian/Ubuntu: sudo apt install python3-torch (then /usr/bin/python3 imports it); elsewhere pip install torch; ' +
  'or set CNNLAB_BENCH_PYTHON to a Python that imports torch';

/** The Python that imports torch, or why there is none. */
function findPytorch(): { python: string; script: string } | string {
  const python = pythonCandidates.find((candidate) => spawnSync(candidate, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0);
  if (!python) return `none of ${pythonCandidates.join(', ')} can import torch. To compare with PyTorch: ${pytorchInstallHint}.`;
  const script = join(mkdtempSync(join(tmpdir(), 'cnnlab-bench-')), 'seed003.py');
  writeFileSync(script, pytorchScript);
  return { python, script };
}

interface PytorchRate {
  imagesPerSecond: number;
  threads: number;
  version: string;
}

function pytorchImagesPerSecond(pytorch: { python: string; script: string }, batch: number, threads: number): PytorchRate {
  const output = execFileSync(pytorch.python, [pytorch.script, String(batch), String(batchesFor('pytorch', batch)), '1', String(threads)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, OMP_NUM_THREADS: String(threads) },
  });
  return JSON.parse(output.trim().split('\n').pop() ?? '{}') as PytorchRate;
}

// ---------------------------------------------------------------------------------------------
// Driver

function inWorker<T>(kind: string, backend: BackendName, ...extra: number[]): T {
  const result = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--worker', kind, backend, ...extra.map(String)], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = result.stdout.split('\n').find((text) => text.startsWith('{'));
  if (result.status !== 0 || !line) {
    throw new Error(`${kind} worker for ${backend} failed: ${result.stderr.trim().split('\n').slice(-4).join(' | ')}`);
  }
  return JSON.parse(line) as T;
}

/** Software rasterizers give WebGPU a device, but it is still the CPU. */
function isRealGpu(backend: BackendName, device: string): boolean {
  if (backend === 'tensorflow-gpu') return true;
  return backend === 'webgpu' && !isSoftwareAdapter(device);
}

function format(rate: number | undefined): string {
  if (rate === undefined || !Number.isFinite(rate)) return '—';
  return rate >= 100 ? rate.toFixed(0) : rate.toFixed(1);
}

function ratio(rate: number | undefined, reference: number | undefined): string {
  return rate === undefined || reference === undefined ? '—' : `${(rate / reference).toFixed(2)}×`;
}

type Subject = { kind: 'tfjs'; name: BackendName; device: string } | { kind: 'pytorch'; threads: number };
const subjectName = (subject: Subject): string => (subject.kind === 'tfjs' ? subject.name : `pytorch-${subject.threads}t`);

/** Every subject at every batch size once per round, in a fresh process each; medians over rounds. */
function interleaved(subjects: Subject[], pytorch: { python: string; script: string } | undefined): Map<string, number[]> {
  const rates = new Map<string, number[]>();
  for (let round = 1; round <= rounds; round += 1) {
    const line: string[] = [];
    for (const batch of batchSizes) {
      for (const subject of subjects) {
        const key = `${subjectName(subject)}@${batch}`;
        try {
          const rate =
            subject.kind === 'tfjs'
              ? inWorker<Measurement>('fit', subject.name, batch, batchesFor(subject.name, batch), 1).imagesPerSecond
              : pytorchImagesPerSecond(pytorch!, batch, subject.threads).imagesPerSecond;
          rates.set(key, [...(rates.get(key) ?? []), rate]);
          line.push(`${key} ${format(rate)}`);
        } catch (error) {
          line.push(`${key} failed (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
        }
      }
    }
    console.log(`  round ${round}/${rounds}: ${line.join(', ')}`);
  }
  return rates;
}

function printTable(subjects: Subject[], rates: Map<string, number[]>, devices: Map<string, string>): void {
  const medianOf = (subject: string, batch: number): number | undefined => {
    const values = rates.get(`${subject}@${batch}`);
    return values && values.length > 0 ? median(values) : undefined;
  };
  const header = ['subject', 'device', ...batchSizes.map((b) => `img/s b${b}`), ...batchSizes.map((b) => `× PyTorch 1t b${b}`), ...batchSizes.map((b) => `× PyTorch 2t b${b}`)];
  const rows = subjects.map((subject) => {
    const name = subjectName(subject);
    return [
      name,
      devices.get(name) ?? '',
      ...batchSizes.map((b) => format(medianOf(name, b))),
      ...batchSizes.map((b) => ratio(medianOf(name, b), medianOf('pytorch-1t', b))),
      ...batchSizes.map((b) => ratio(medianOf(name, b), medianOf('pytorch-2t', b))),
    ];
  });
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  const wasm = batchSizes.map((b) => [medianOf('wasm', b), medianOf('pytorch-1t', b)] as const);
  if (wasm.every(([rate, reference]) => rate !== undefined && reference !== undefined)) {
    const worst = Math.min(...wasm.map(([rate, reference]) => rate! / reference!));
    console.log(`\nwasm / PyTorch 1 thread: ${worst.toFixed(2)}× at worst (target ≥ 0.5×${worst >= 0.5 ? ', met' : ', NOT met'}).`);
  }
}

async function main(): Promise<void> {
  const model = cpus()[0]?.model.trim() ?? 'unknown CPU';
  console.log(
    `seed-003 CNN (Fashion-MNIST shapes, RMSprop, dropout on), random images; Node ${process.version}, ${process.platform}-${process.arch}, ` +
      `${cpus().length} × ${model}, load average ${loadavg().map((load) => load.toFixed(2)).join(' ')}`,
  );
  const present: { name: BackendName; device: string }[] = [];
  for (const name of ['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const) {
    const probe = inWorker<{ name: BackendName; device?: string; reason?: string }>('probe', name);
    if (probe.device) present.push({ name, device: probe.device });
    else console.log(`${name}: not present (${probe.reason})`);
  }
  const pytorch = findPytorch();
  const subjects: Subject[] = present.map(({ name, device }) => ({ kind: 'tfjs', name, device }));
  const devices = new Map(present.map(({ name, device }) => [name as string, device]));
  if (typeof pytorch === 'string') {
    console.log(`PyTorch: not measured: ${pytorch}`);
  } else {
    const version = spawnSync(pytorch.python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' }).stdout.trim();
    for (const threads of [1, 2]) {
      subjects.push({ kind: 'pytorch', threads });
      devices.set(`pytorch-${threads}t`, `PyTorch ${version} CPU, ${threads} thread${threads === 1 ? '' : 's'} (${pytorch.python})`);
    }
  }

  console.log(`\nImages/s, bare model.fit (PyTorch: the same model and loop), interleaved over ${rounds} rounds, medians:`);
  const rates = interleaved(subjects, typeof pytorch === 'string' ? undefined : pytorch);
  console.log('');
  printTable(subjects, rates, devices);

  for (const { name } of present) {
    // Bare fit and our trainer back to back, so that both see the same load.
    console.log(`\n${name} — our trainer against a bare fit at batch ${batchSize} (${batchesPerRepeat[name]} batches per repeat, median of ${repeats})`);
    try {
      const bare = inWorker<Measurement>('fit', name);
      const trainer = inWorker<Measurement>('ours', name);
      const overhead = (bare.imagesPerSecond / trainer.imagesPerSecond - 1) * 100;
      console.log(
        `  bare model.fit ${format(bare.imagesPerSecond)} images/s, our trainer (runTraining) ${format(trainer.imagesPerSecond)} images/s; ` +
          `ratio ours/bare ${(trainer.imagesPerSecond / bare.imagesPerSecond).toFixed(3)} (overhead ${overhead.toFixed(1)} %, target ≤ 5 %${overhead <= 5 ? ', met' : ', NOT met'})`,
      );
    } catch (error) {
      console.log(`  our trainer: ${error instanceof Error ? error.message : String(error)}`);
    }
    try {
      const milliseconds = await spawnToFirstBatch(name);
      console.log(`  spawn to first batch (fork dist/trainer.js → first 'batches' event): ${(milliseconds / 1000).toFixed(2)} s`);
    } catch (error) {
      console.log(`  spawn to first batch: not measured: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  const gpus = present.filter(({ name, device }) => isRealGpu(name, device));
  if (gpus.length === 0) {
    console.log('\nNo GPU backend is present here (WebGPU, if listed, runs on a CPU rasterizer), so there is no GPU figure.');
  }
  for (const { name, device } of gpus) {
    const rate = rates.get(`${name}@${batchSize}`);
    console.log(`\nseed-003 on GPU: ${name} on ${device}: ${rate ? `${format(median(rate))} images/s (bare fit, batch ${batchSize})` : 'not measured'}`);
  }
}

async function worker(kind: string, backend: BackendName, extra: number[]): Promise<void> {
  const [batch = batchSize, batches = batchesPerRepeat[backend], times = repeats] = extra;
  const result =
    kind === 'probe' ? await probeWorker(backend) : kind === 'fit' ? await bareFitWorker(backend, batch, batches, times) : await ourTrainerWorker(backend);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  // Dawn's native handles can keep the loop alive; the result is out.
  process.exit(0);
}

const workerIndex = process.argv.indexOf('--worker');
if (workerIndex >= 0) {
  void worker(process.argv[workerIndex + 1] ?? '', process.argv[workerIndex + 2] as BackendName, process.argv.slice(workerIndex + 3).map(Number));
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}

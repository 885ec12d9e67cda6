// Training speed on the seed-003 CNN (Fashion-MNIST shapes, batch 32), per backend present:
//   - our trainer (runTraining) against a bare tfjs model.fit on the same model and data: overhead ≤ 5 %;
//   - against PyTorch (Debian python3-torch, CPU) on the same architecture, batch size and machine;
//   - time from spawning the trainer child to its first batch.
// Each measurement runs in its own process: tfjs has one active backend per process, and one
// backend's JIT and memory state must not colour another's figures. Figures are medians of repeats.
import { execFileSync, fork, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { TrainingConfig } from '../src/model/types';
import type { BackendName, TrainerEvent, TrainJob } from '../src/protocol';
import { probeBackend, selectBackend } from '../src/trainer/backends';
import { runTraining } from '../src/trainer/train';

const batchSize = 32;
const repeats = 3;
/** Batches per timed repeat: the pure-JS backend manages a few images per second, the others far more. */
const batchesPerRepeat: Record<BackendName, number> = { 'tensorflow-gpu': 40, tensorflow: 20, webgpu: 8, wasm: 20, cpu: 2 };
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

/** Bare tfjs: the seed-003 layers, compiled as Keras would, model.fit on random images. */
async function bareFitWorker(backend: BackendName): Promise<Measurement> {
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
  const examples = batchesPerRepeat[backend] * batchSize;
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
import json, sys, time, statistics, torch
from torch import nn
batch, batches, repeats = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
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
epoch()
rates = []
for _ in range(repeats):
    start = time.perf_counter()
    epoch()
    rates.append(batches * batch / (time.perf_counter() - start))
print(json.dumps({"imagesPerSecond": statistics.median(rates), "threads": torch.get_num_threads(), "version": torch.__version__}))
`;

// Debian's python3-torch lives in the system Python, which a version manager's `python3` may shadow.
const pythonCandidates = [process.env.CNNLAB_BENCH_PYTHON, 'python3', '/usr/bin/python3'].filter((candidate): candidate is string => Boolean(candidate));

function pytorchImagesPerSecond(): { imagesPerSecond: number; threads: number; version: string } | string {
  const python = pythonCandidates.find((candidate) => spawnSync(candidate, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0);
  if (!python) return `none of ${pythonCandidates.join(', ')} can import torch (Debian: apt install python3-torch; or set CNNLAB_BENCH_PYTHON)`;
  const script = join(mkdtempSync(join(tmpdir(), 'cnnlab-bench-')), 'seed003.py');
  writeFileSync(script, pytorchScript);
  // Enough batches for a stable figure at PyTorch's speed, same batch size as ours.
  const output = execFileSync(python, [script, String(batchSize), '40', String(repeats)], { encoding: 'utf8' });
  return JSON.parse(output.trim().split('\n').pop() ?? '{}') as { imagesPerSecond: number; threads: number; version: string };
}

// ---------------------------------------------------------------------------------------------
// Driver

function inWorker<T>(kind: string, backend: BackendName): T {
  const result = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--worker', kind, backend], {
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
  return backend === 'webgpu' && !/llvmpipe|lavapipe|swiftshader|software/i.test(device);
}

function format(rate: number): string {
  return rate >= 100 ? rate.toFixed(0) : rate.toFixed(1);
}

async function main(): Promise<void> {
  console.log(`seed-003 CNN, batch ${batchSize}, median of ${repeats} repeats; Node ${process.version}, ${process.platform}-${process.arch}`);
  const present: { name: BackendName; device: string }[] = [];
  for (const name of ['tensorflow-gpu', 'tensorflow', 'webgpu', 'cpu'] as const) {
    const probe = inWorker<{ name: BackendName; device?: string; reason?: string }>('probe', name);
    if (probe.device) present.push({ name, device: probe.device });
    else console.log(`${name}: not present (${probe.reason})`);
  }

  const ours = new Map<BackendName, number>();
  for (const { name, device } of present) {
    console.log(`\n${name} — ${device} (${batchesPerRepeat[name]} batches per repeat)`);
    const bare = inWorker<Measurement>('fit', name);
    console.log(`  bare tfjs model.fit: ${format(bare.imagesPerSecond)} images/s`);
    try {
      const trainer = inWorker<Measurement>('ours', name);
      ours.set(name, trainer.imagesPerSecond);
      const overhead = (bare.imagesPerSecond / trainer.imagesPerSecond - 1) * 100;
      console.log(
        `  our trainer (runTraining): ${format(trainer.imagesPerSecond)} images/s; ratio ours/bare ${(trainer.imagesPerSecond / bare.imagesPerSecond).toFixed(3)} ` +
          `(overhead ${overhead.toFixed(1)} %, target ≤ 5 %${overhead <= 5 ? ', met' : ', NOT met'})`,
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

  const pytorch = pytorchImagesPerSecond();
  console.log('');
  if (typeof pytorch === 'string') {
    console.log(`PyTorch: skipped: ${pytorch}`);
  } else {
    console.log(`PyTorch ${pytorch.version} CPU (${pytorch.threads} threads): ${format(pytorch.imagesPerSecond)} images/s (one run)`);
    for (const [name, rate] of ours) {
      console.log(`  ${name} (our trainer) / PyTorch CPU: ${(rate / pytorch.imagesPerSecond).toFixed(3)}`);
    }
  }

  const gpus = present.filter(({ name, device }) => isRealGpu(name, device));
  if (gpus.length === 0) {
    console.log('\nNo GPU backend is present here (WebGPU, if listed, runs on a CPU rasterizer), so there is no GPU figure.');
  }
  for (const { name, device } of gpus) {
    const rate = ours.get(name);
    console.log(`\nseed-003 on GPU: ${name} on ${device}: ${rate === undefined ? 'not measured' : `${format(rate)} images/s`}`);
  }
}

async function worker(kind: string, backend: BackendName): Promise<void> {
  const result = kind === 'probe' ? await probeWorker(backend) : kind === 'fit' ? await bareFitWorker(backend) : await ourTrainerWorker(backend);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  // Dawn's native handles can keep the loop alive; the result is out.
  process.exit(0);
}

const workerIndex = process.argv.indexOf('--worker');
if (workerIndex >= 0) {
  void worker(process.argv[workerIndex + 1] ?? '', process.argv[workerIndex + 2] as BackendName);
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}

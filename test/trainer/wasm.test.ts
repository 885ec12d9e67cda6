// The WebAssembly backend trains: CNN Lab's kernels against the cpu backend, every layer kind the
// trainer builds, and no leaks. The checks run in child processes (test/trainer/fixtures/wasmChecks.ts):
// a loaded wasm backend would outrank 'cpu' for every later test in this process.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import type { BackendInfo, RunRecord } from '../../src/runs/format';
import { installFastCpuKernels } from '../../src/trainer/cpuKernels';
import { filledWasmKernels, replacedWasmKernels } from '../../src/trainer/wasmKernels';
import { temporaryDir, tinyCnn, writeModel } from './helpers';

const fixture = join(__dirname, 'fixtures', 'wasmChecks.ts');
const tolerance = 1e-4;

async function check<T>(scenario: 'kernels' | 'layers' | 'leaks'): Promise<T & { info: BackendInfo }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', fixture, scenario], { timeout: 170_000, maxBuffer: 16 * 1024 * 1024 });
  const line = stdout.split('\n').find((text) => text.startsWith('{'));
  assert.ok(line, `the ${scenario} check printed no result: ${stdout}`);
  return JSON.parse(line) as T & { info: BackendInfo };
}

interface KernelResult {
  kernel: string;
  label: string;
  relativeError: number;
  size: number;
}

interface LayerResult {
  kind: string;
  error?: string;
  cpuLosses: number[];
  wasmLosses: number[];
  lossError: number;
  weightError: number;
  trainableWeights: number;
  unchangedWeights: number;
}

describe('WebAssembly backend training', function () {
  this.timeout(180_000);

  it('each kernel CNN Lab fills in or replaces matches the cpu backend on random shapes (relative error ≤ 1e-4)', async () => {
    const { info, results } = await check<{ results: KernelResult[] }>('kernels');
    assert.equal(info.name, 'wasm');
    assert.match(info.device, /\(WebAssembly, SIMD, 1 thread\)$/);
    const failures = results.filter((result) => !(result.relativeError <= tolerance));
    assert.deepEqual(failures, [], `kernels off the cpu reference:\n${failures.map((f) => `${f.kernel} ${f.label}: ${f.relativeError}`).join('\n')}`);
    for (const kernel of [...filledWasmKernels, ...replacedWasmKernels]) {
      assert.ok(results.some((result) => result.kernel === kernel && result.size > 0), `no case for ${kernel}`);
    }
    // The shapes cover what the layers use: both strides, both paddings, kernels 1 to 5, dilation, odd sizes.
    const labels = results.map((result) => result.label);
    for (const kernelSize of [1, 2, 3, 4, 5]) {
      for (const stride of [1, 2]) {
        for (const pad of ['same', 'valid']) {
          for (const kernel of ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput']) {
            assert.ok(
              results.some((result) => result.kernel === kernel && result.label.includes(` k ${kernelSize} s ${stride} `) && result.label.includes(` ${pad} `)),
              `${kernel}: no case with kernel ${kernelSize}, stride ${stride}, ${pad}`,
            );
          }
        }
      }
    }
    assert.ok(results.some((result) => result.kernel === 'DepthwiseConv2dNativeBackpropInput' && / d 2 /.test(result.label)), 'no dilated case');
    assert.ok(labels.some((label) => /x \d+×(\d*[13579])×/.test(label)), 'no odd size');
  });

  it('trains every layer kind the trainer builds, with the losses and weights of the cpu backend', async () => {
    const { buildable, results } = await check<{ buildable: string[]; results: LayerResult[] }>('layers');
    const trained = new Set(results.map((result) => result.kind.split(' ')[0]));
    assert.deepEqual(buildable.filter((kind) => !trained.has(kind)), [], 'layer kinds without a training check');
    for (const result of results) {
      assert.equal(result.error, undefined, `${result.kind}: ${result.error}`);
      assert.equal(result.wasmLosses.length, 3);
      assert.ok(result.wasmLosses.every(Number.isFinite), `${result.kind}: losses ${result.wasmLosses.join(', ')}`);
      assert.ok(result.lossError <= tolerance, `${result.kind}: wasm losses ${result.wasmLosses.join(', ')} against cpu ${result.cpuLosses.join(', ')}`);
      assert.ok(result.weightError <= 1e-3, `${result.kind}: weights after training differ from cpu by ${result.weightError}`);
      assert.ok(result.trainableWeights > 0);
      assert.equal(result.unchangedWeights, 0, `${result.kind}: ${result.unchangedWeights} trainable weights got no gradient`);
    }
  });

  it('leaks no tensor and no wasm buffer over 100 training steps', async () => {
    const { backend, samples, firstLoss, lastLoss } = await check<{ backend: string; samples: { step: number; tensors: number; buffers: number }[]; firstLoss: number; lastLoss: number }>('leaks');
    assert.equal(backend, 'wasm');
    assert.deepEqual(samples.map((sample) => sample.step), [10, 50, 100]);
    const [after10] = samples;
    for (const sample of samples) {
      assert.equal(sample.tensors, after10.tensors, `tensors at step ${sample.step}: ${sample.tensors}, at step 10: ${after10.tensors}`);
      assert.equal(sample.buffers, after10.buffers, `wasm buffers at step ${sample.step}: ${sample.buffers}, at step 10: ${after10.buffers}`);
    }
    assert.ok(lastLoss < firstLoss, `loss did not fall: ${firstLoss} → ${lastLoss}`);
  });
});

describe('cnnlab train --backend wasm', function () {
  this.timeout(120_000);

  it('trains on WebAssembly and names it in run.json', async () => {
    const dir = temporaryDir();
    try {
      const modelFile = writeModel(dir, tinyCnn({ backend: 'auto' }));
      const runsDir = join(dir, 'runs');
      const cli = join(__dirname, '..', '..', 'src', 'cli.ts');
      const args = ['--import', 'tsx', cli, 'train', modelFile, '--backend', 'wasm', '--runs-dir', runsDir, '--train-examples', '64', '--test-examples', '16'];
      // From the repository root, where `--import tsx` resolves; the run goes to --runs-dir.
      const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: join(__dirname, '..', '..'), timeout: 110_000 });
      assert.match(stdout, /Backend: .* \(WebAssembly, SIMD, 1 thread\)/);
      const [runId] = readdirSync(runsDir);
      const record = JSON.parse(readFileSync(join(runsDir, runId, 'run.json'), 'utf8')) as RunRecord;
      assert.equal(record.status, 'completed');
      assert.equal(record.backend?.name, 'wasm');
      assert.match(record.backend?.device ?? '', /\(WebAssembly, SIMD, 1 thread\)$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown backend name and lists wasm among the choices', async () => {
    const cli = join(__dirname, '..', '..', 'src', 'cli.ts');
    const failure = await promisify(execFile)(process.execPath, ['--import', 'tsx', cli, 'train', 'x.model.json', '--backend', 'wasm2'], { timeout: 60_000 }).then(
      () => undefined,
      (error: { stderr?: string; stdout?: string }) => `${error.stderr ?? ''}${error.stdout ?? ''}`,
    );
    assert.match(failure ?? '', /--backend must be auto, tensorflow, webgpu, wasm or cpu\. Received: wasm2\./);
  });
});

describe('cpu backend: ResizeNearestNeighborGrad (UpSampling2D)', () => {
  it('gives every batch item the sum of its own upsampled block (tfjs 4.22 reads the wrong item from the second on)', async () => {
    installFastCpuKernels();
    const previous = tf.getBackend();
    await tf.setBackend('cpu');
    try {
      // Two images of 2×2, one channel, upsampled 2×: dy holds 1…16 for the first, 101…116 for the second.
      const dy = tf.tensor4d([...Array.from({ length: 16 }, (_, i) => i + 1), ...Array.from({ length: 16 }, (_, i) => i + 101)], [2, 4, 4, 1]);
      const images = tf.zeros([2, 2, 2, 1]);
      const dx = tf.engine().runKernel('ResizeNearestNeighborGrad', { images, dy }, { alignCorners: false, halfPixelCenters: false, size: [4, 4] }) as tf.Tensor;
      // Block sums of [[1,2,3,4],[5,6,7,8],[9,10,11,12],[13,14,15,16]]: 1+2+5+6 = 14, 3+4+7+8 = 22, 46, 54; the second image adds 400 to each.
      assert.deepEqual(Array.from(await dx.data()), [14, 22, 46, 54, 414, 422, 446, 454]);
      tf.dispose([dy, images, dx]);
    } finally {
      if (previous) await tf.setBackend(previous);
    }
  });
});

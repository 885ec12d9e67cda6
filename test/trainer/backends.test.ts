import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BackendInfo } from '../../src/runs/format';
import { autoChoiceOf, installHints, tfjsCoreCopies } from '../../src/trainer/backends';
import { isSoftwareAdapter } from '../../src/runtime/systemProbe';
import { isInstalled } from './helpers';

interface ProbeResult {
  info?: BackendInfo;
  activeBackend?: string;
  losses?: number[];
  error?: { message: string; hint: string; reasons: BackendInfo['skipped'] };
}

const probe = join(__dirname, 'fixtures', 'backendProbe.ts');

async function runProbe(scenario: 'select' | 'train' | 'electron' | 'no-wasm', choice: string): Promise<ProbeResult> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', probe, scenario, choice], {
    timeout: 110_000,
    maxBuffer: 4 * 1024 * 1024,
  });
  const line = stdout.split('\n').find((text) => text.startsWith('{'));
  assert.ok(line, `probe printed no result: ${stdout}`);
  return JSON.parse(line) as ProbeResult;
}

describe('trainer backends', function () {
  this.timeout(120_000);

  it('selects the pure-JS CPU backend and says it is slow', async () => {
    const result = await runProbe('select', 'cpu');
    assert.equal(result.info?.name, 'cpu');
    assert.equal(result.activeBackend, 'cpu');
    assert.match(result.info?.device ?? '', /pure JS, slow: about \d+ images\/s/);
    assert.deepEqual(result.info?.skipped, []);
  });

  it('trains a conv net on WebGPU (Dawn on lavapipe here) with a falling loss', async () => {
    const result = await runProbe('train', 'webgpu');
    assert.equal(result.error, undefined, result.error?.message);
    assert.equal(result.info?.name, 'webgpu');
    assert.equal(result.activeBackend, 'webgpu');
    if (process.platform === 'linux') assert.match(result.info?.device ?? '', / via Vulkan$/);
    const losses = result.losses ?? [];
    assert.equal(losses.length, 12, 'three epochs of four batches');
    assert.ok(losses.every(Number.isFinite), `losses: ${losses.join(', ')}`);
    assert.ok(losses[losses.length - 1] < losses[0] / 2, `loss did not fall: ${losses.join(', ')}`);
  });

  it('trains a conv net on WebAssembly (SIMD, one thread) with a falling loss', async () => {
    const result = await runProbe('train', 'wasm');
    assert.equal(result.error, undefined, result.error?.message);
    assert.equal(result.info?.name, 'wasm');
    assert.equal(result.activeBackend, 'wasm');
    assert.match(result.info?.device ?? '', /\(WebAssembly, SIMD, 1 thread\)$/);
    assert.deepEqual(result.info?.skipped, []);
    const losses = result.losses ?? [];
    assert.equal(losses.length, 12, 'three epochs of four batches');
    assert.ok(losses.every(Number.isFinite), `losses: ${losses.join(', ')}`);
    assert.ok(losses[losses.length - 1] < losses[0] / 2, `loss did not fall: ${losses.join(', ')}`);
  });

  it('auto prefers WebAssembly to WebGPU on a software adapter (lavapipe here), and says why', async () => {
    const result = await runProbe('select', 'auto');
    assert.equal(result.info?.name, 'wasm');
    assert.equal(result.activeBackend, 'wasm');
    const webgpu = result.info?.skipped.find((entry) => entry.name === 'webgpu');
    // This machine and CI have Mesa's lavapipe (scripts/install-system-deps.sh).
    assert.match(webgpu?.reason ?? '', /llvmpipe.* is a software adapter \(it runs on the CPU\), where WebAssembly trains faster/);
  });

  it('auto comes back to WebGPU on a software adapter when WebAssembly is missing', async () => {
    const result = await runProbe('no-wasm', 'auto');
    assert.equal(result.info?.name, 'webgpu');
    assert.equal(result.activeBackend, 'webgpu');
    assert.match(result.info?.device ?? '', /llvmpipe/);
    const skipped = result.info?.skipped ?? [];
    assert.deepEqual(
      skipped.find((entry) => entry.name === 'wasm'),
      { name: 'wasm', reason: '@tensorflow/tfjs-backend-wasm is not installed' },
    );
    assert.equal(skipped.find((entry) => entry.name === 'webgpu'), undefined, 'webgpu is both skipped and chosen');
  });

  it('the auto order: a real GPU keeps WebGPU ahead of WebAssembly, a software adapter comes after it', () => {
    const withWebGpu = (device: string) => [
      { name: 'tensorflow-gpu' as const, reason: 'not installed' },
      { name: 'tensorflow' as const, reason: 'not installed' },
      { name: 'webgpu' as const, device },
      { name: 'wasm' as const, device: 'CPU (WebAssembly, SIMD, 1 thread)' },
      { name: 'cpu' as const, device: 'CPU (pure JS)' },
    ];
    assert.equal(autoChoiceOf(withWebGpu('NVIDIA GeForce RTX 4070 via Vulkan')), 'webgpu');
    assert.equal(autoChoiceOf(withWebGpu('Apple M2 via Metal')), 'webgpu');
    for (const software of ['llvmpipe (LLVM 15.0.6, 256 bits) via Vulkan', 'Google SwiftShader via Vulkan', 'Microsoft Basic Render Driver via D3D12']) {
      assert.ok(isSoftwareAdapter(software), software);
      assert.equal(autoChoiceOf(withWebGpu(software)), 'wasm', software);
    }
    const wasmMissing = withWebGpu('llvmpipe via Vulkan').map((probe) => (probe.name === 'wasm' ? { name: 'wasm' as const, reason: 'not installed' } : probe));
    assert.equal(autoChoiceOf(wasmMissing), 'webgpu');
    assert.equal(autoChoiceOf([{ name: 'tensorflow', device: 'CPU (native TensorFlow)' }, ...withWebGpu('RTX')]), 'tensorflow');
  });

  it('auto passes over the TensorFlow backends that are not installed, each with its reason', async () => {
    const result = await runProbe('select', 'auto');
    const skipped = result.info?.skipped ?? [];
    assert.ok(skipped.every((entry) => entry.reason.length > 0));
    for (const [name, packageName] of [
      ['tensorflow-gpu', '@tensorflow/tfjs-node-gpu'],
      ['tensorflow', '@tensorflow/tfjs-node'],
    ] as const) {
      if (isInstalled(packageName)) continue;
      assert.deepEqual(
        skipped.find((entry) => entry.name === name),
        { name, reason: `${packageName} is not installed` },
      );
    }
    assert.ok(['webgpu', 'wasm', 'cpu'].includes(result.info?.name ?? ''), `picked ${result.info?.name}`);
    assert.equal(result.activeBackend, result.info?.name);
  });

  it('an explicit tensorflow choice uses TensorFlow when installed, else fails with the reason and what to install', async () => {
    const result = await runProbe('select', 'tensorflow');
    if (isInstalled('@tensorflow/tfjs-node') || isInstalled('@tensorflow/tfjs-node-gpu')) {
      assert.match(result.info?.name ?? result.error?.message ?? '', /^tensorflow|failed to load/);
      return;
    }
    assert.match(result.error?.message ?? '', /tensorflow backend is not available: tensorflow-gpu: .*; tensorflow: .*not installed/);
    assert.equal(result.error?.hint, installHints.tensorflow);
    assert.match(installHints.tensorflow, /CUDA 11\.2 and cuDNN 8\.1/);
    assert.match(installHints.tensorflow, /storage\.googleapis\.com/);
  });

  it("inside VS Code's own runtime (Electron) auto trains on WebAssembly, and says why the others were passed over", async () => {
    const result = await runProbe('electron', 'auto');
    assert.equal(result.info?.name, 'wasm');
    assert.equal(result.activeBackend, 'wasm');
    assert.deepEqual(
      result.info?.skipped.map((entry) => entry.name),
      ['tensorflow-gpu', 'tensorflow', 'webgpu'],
    );
    assert.ok(result.info?.skipped.every((entry) => /Electron.*cnnLab\.nodePath/.test(entry.reason)));
  });

  it('tfjs and the WebGPU and WebAssembly backends share one tfjs-core', () => {
    assert.equal(tfjsCoreCopies().length, 1);
  });
});

import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BackendInfo } from '../../src/protocol';
import { installHints, tfjsCoreCopies } from '../../src/trainer/backends';
import { isInstalled } from './helpers';

interface ProbeResult {
  info?: BackendInfo;
  activeBackend?: string;
  losses?: number[];
  error?: { message: string; hint: string; reasons: BackendInfo['skipped'] };
}

const probe = join(__dirname, 'fixtures', 'backendProbe.ts');

async function runProbe(scenario: 'select' | 'train' | 'electron', choice: string): Promise<ProbeResult> {
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
    assert.ok(['webgpu', 'cpu'].includes(result.info?.name ?? ''), `picked ${result.info?.name}`);
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

  it("inside VS Code's own runtime (Electron) only the pure-JS backend is used, and why is reported", async () => {
    const result = await runProbe('electron', 'auto');
    assert.equal(result.info?.name, 'cpu');
    assert.deepEqual(
      result.info?.skipped.map((entry) => entry.name),
      ['tensorflow-gpu', 'tensorflow', 'webgpu'],
    );
    assert.ok(result.info?.skipped.every((entry) => /Electron.*cnnLab\.nodePath/.test(entry.reason)));
  });

  it('tfjs and the WebGPU backend share one tfjs-core', () => {
    assert.equal(tfjsCoreCopies().length, 1);
  });
});

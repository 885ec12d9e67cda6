import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DoctorReport } from '../../src/trainer/doctor';
import { formatNodeSearch } from '../../src/trainer/nodeDiscovery';
import { isInstalled } from './helpers';

const cli = join(__dirname, '..', '..', 'src', 'cli.ts');

async function doctor(...args: string[]): Promise<string> {
  // A fresh process: the doctor activates every backend on its tfjs engine.
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', cli, 'doctor', ...args], {
    timeout: 90_000,
  });
  return stdout;
}

describe('cnnlab doctor', function () {
  this.timeout(100_000);

  it('reports this Node, each backend with its device or reason, and CUDA/Vulkan state', async () => {
    const text = await doctor();
    assert.ok(text.includes(`✓ ${process.version} at ${process.execPath}`), text);
    assert.match(text, /^✓ cpu: CPU \(pure JS, slow: about \d+ images\/s on the seed-003 CNN\)$/m);
    assert.match(text, /^CUDA 11\.2 runtime \(libcudart\.so\.11\.0\): /m);
    assert.match(text, /^cuDNN 8\.1 \(libcudnn\.so\.8\): /m);
    if (!isInstalled('@tensorflow/tfjs-node')) {
      assert.match(text, /^✗ tensorflow: @tensorflow\/tfjs-node is not installed$/m);
      assert.match(text, /npm install @tensorflow\/tfjs-node` \(its install step downloads libtensorflow from storage\.googleapis\.com/);
    }
    if (!isInstalled('@tensorflow/tfjs-node-gpu')) {
      assert.match(text, /^✗ tensorflow-gpu: @tensorflow\/tfjs-node-gpu is not installed$/m);
      assert.match(text, /CUDA 11\.2 and cuDNN 8\.1/);
    }
    // This machine and CI have Mesa's lavapipe (scripts/install-system-deps.sh), so WebGPU works.
    assert.match(text, /lvp_icd\.json \(Mesa lavapipe, software\)/);
    assert.match(text, /^✓ webgpu: .*llvmpipe.* via Vulkan \(a software adapter: auto prefers WebAssembly\)$/m);
    assert.match(text, /^✓ wasm: .* \(WebAssembly, SIMD, 1 thread\)$/m);
    assert.match(text, /^## Backends \(auto picks: wasm\)$/m);
    assert.match(text, /Training uses WebAssembly on the CPU, about \d+ images\/s on the seed-003 CNN/);
  });

  it('prints the same report as JSON with --json', async () => {
    const report = JSON.parse(await doctor('--json')) as DoctorReport;
    assert.equal(report.node.version, process.version);
    assert.equal(report.node.insideElectron, false);
    assert.deepEqual(
      report.backends.map((probe) => probe.name),
      ['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'],
    );
    assert.equal(report.autoChoice, 'wasm');
    assert.ok(report.advice.length > 0);
  });

  it("inside VS Code's own runtime, says training runs on WebAssembly and what a system Node would add", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', 'backendProbe.ts'), 'electron-doctor', 'auto'], {
      timeout: 90_000,
    });
    const { doctor: text } = JSON.parse(stdout.split('\n').find((line) => line.startsWith('{')) ?? '{}') as { doctor: string };
    assert.match(text, /VS Code's own runtime: WebAssembly and pure-JS CPU only\)$/m);
    assert.match(text, /^## Backends \(auto picks: wasm\)$/m);
    assert.match(text, /^✓ wasm: .* \(WebAssembly, SIMD, 1 thread\)$/m);
    assert.match(text, /This is VS Code's own runtime \(Electron\): it trains on the CPU with the WebAssembly backend \(about \d+ images\/s/);
    assert.match(text, /cnnLab\.nodePath to one, to use TensorFlow or WebGPU/);
  });

  it("says what falling back to VS Code's runtime costs when no system Node is found", () => {
    const text = formatNodeSearch(
      { rejected: [{ path: '/usr/bin/node', source: 'PATH', problem: 'is v16.20.2; Node 18 or later is needed' }] },
      '/opt/vscode/code',
    );
    assert.match(text, /No system Node ≥ 18 found\. Training falls back to VS Code's own runtime \(\/opt\/vscode\/code\)/);
    assert.match(text, /trains on the CPU with the WebAssembly backend \(about \d+ images\/s on the seed-003 CNN\); TensorFlow and WebGPU need a system Node/);
    assert.doesNotMatch(text, /pure-JS/);
    assert.match(text, /cnnLab\.nodePath/);
    assert.match(text, /passed over \/usr\/bin\/node \(PATH\): is v16\.20\.2/);
  });
});

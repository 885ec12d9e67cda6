import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { closeSync, mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { liveRunNames } from '../../src/runs/liveRuns';
import { runsDirFor } from '../../src/runs/store';
import { doctorSections, formatDoctorReport, parseDoctorReport, type DoctorReport } from '../../src/runtime/doctorReport';
import { nodeSearchLines } from '../../src/runtime/nodeDiscovery';
import { isInstalled } from '../trainer/helpers';
import { deadPid, plantRun, sampleRecord } from '../trainer/runFolders';

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
    assert.deepEqual(text.match(/^#+ .*$/gm), ['# CNN Lab doctor', '## Node running the trainer', '## Backends (auto picks: wasm)', '## GPU, CUDA and Vulkan', '## What to do']);
    assert.match(text, /Training uses WebAssembly on the CPU, about \d+ images\/s on the seed-003 CNN/);
  });

  it('prints the same report as JSON with --json', async () => {
    const report = parseDoctorReport(await doctor('--json'));
    assert.equal(report.node.version, process.version);
    assert.deepEqual(report.runsInProgress, []);
    assert.equal(report.node.insideElectron, false);
    assert.deepEqual(
      report.backends.map((probe) => probe.name),
      ['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'],
    );
    assert.equal(report.autoChoice, 'wasm');
    assert.ok(report.advice.length > 0);
  });

  it("inside VS Code's own runtime, says training runs on WebAssembly and what a system Node would add", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(__dirname, '..', 'trainer', 'fixtures', 'backendProbe.ts'), 'electron-doctor', 'auto'], {
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
    const text = nodeSearchLines(
      { rejected: [{ path: '/usr/bin/node', source: 'PATH', problem: 'is v16.20.2; Node 18 or later is needed' }] },
      '/opt/vscode/code',
    ).join('\n');
    assert.match(text, /No system Node ≥ 18 found\. Training falls back to VS Code's own runtime \(\/opt\/vscode\/code\)/);
    assert.match(text, /trains on the CPU with the WebAssembly backend \(about \d+ images\/s on the seed-003 CNN\); TensorFlow and WebGPU need a system Node/);
    assert.doesNotMatch(text, /pure-JS/);
    assert.match(text, /cnnLab\.nodePath/);
    assert.match(text, /passed over \/usr\/bin\/node \(PATH\): is v16\.20\.2/);
  });
});

/** A report as the doctor writes it, without loading anything. */
function sampleReport(overrides: Partial<DoctorReport> = {}): DoctorReport {
  return {
    node: { version: 'v20.1.0', execPath: '/usr/bin/node', insideElectron: false, platform: 'linux', arch: 'x64' },
    installRoot: '/ext',
    backends: [{ name: 'wasm', device: 'EPYC (WebAssembly, SIMD, 1 thread)' }, { name: 'cpu', reason: 'broken' }],
    autoChoice: 'wasm',
    nvidiaGpus: [],
    cudaLibraries: [{ name: 'libcudart.so.11.0' }],
    vulkanDrivers: [],
    advice: ['Install `x`.'],
    runsInProgress: [],
    ...overrides,
  };
}

describe('cnnlab doctor: a training run in progress', function () {
  this.timeout(100_000);
  let runsDir: string;
  let held: number | undefined;

  beforeEach(() => {
    runsDir = runsDirFor(mkdtempSync(join(tmpdir(), 'cnnlab-doctor-')));
  });

  afterEach(() => {
    if (held !== undefined) closeSync(held);
    held = undefined;
  });

  /** A `running` run whose trainer is this process, holding its folder open as a RunWriter does. */
  function plantLiveRun(id: string): void {
    const runDir = plantRun(runsDir, id, sampleRecord(id, { status: 'running', pid: process.pid, modelFile: 'cnn.model.json' }));
    held = openSync(runDir, 'r');
  }

  it('names the live runs in a runs folder; a run whose trainer died, or a finished one, is not live', async () => {
    plantLiveRun('20260102-000000-000-cnn-live');
    plantRun(runsDir, '20260101-000000-000-cnn-dead', sampleRecord('20260101-000000-000-cnn-dead', { status: 'running', pid: deadPid(), modelFile: 'cnn.model.json' }));
    plantRun(runsDir, '20260103-000000-000-cnn-done', sampleRecord('20260103-000000-000-cnn-done', { modelFile: 'cnn.model.json' }));
    plantRun(runsDir, 'not a run', 'garbage');
    assert.deepEqual(await liveRunNames(runsDir), ['cnn #2']);
    assert.deepEqual(await liveRunNames(join(runsDir, 'missing')), []);
  });

  it('does not load the backends while a run is training, says which run, and still reports the machine', async () => {
    plantLiveRun('20260102-000000-000-cnn-live');
    const text = await doctor('--runs-dir', runsDir, '--running', 'shapes #4');
    assert.match(text, /^## Backends \(not checked\)$/m);
    assert.match(text, /^Backends not checked: training runs are in progress \(shapes #4, cnn #1\)\. Checking loads every backend and trains on it, which would compete with them for the GPU and CPU\. Check again when they end\.$/m);
    assert.doesNotMatch(text, /^[✓✗] (wasm|cpu|webgpu|tensorflow)/m);
    assert.match(text, /^CUDA 11\.2 runtime \(libcudart\.so\.11\.0\): /m);
    assert.match(text, /^Nothing more to say until the backends are checked\.$/m);
    assert.doesNotMatch(text, /fastest backend this machine supports is working/);
    const report = parseDoctorReport(await doctor('--json', '--runs-dir', runsDir));
    assert.deepEqual(report.runsInProgress, ['cnn #1']);
    assert.deepEqual(report.backends, []);
    assert.equal(report.autoChoice, undefined);
  });

  it('refuses an option without its value', async () => {
    await assert.rejects(doctor('--running'), /--running needs a value/);
  });

  it('keeps one section order, with the Node search in the Node section, and says a single run by name', () => {
    const searched = sampleReport({ runsInProgress: ['cnn #3'] });
    const sections = doctorSections(searched, ['Found via PATH.']);
    assert.deepEqual(sections.map((section) => section.heading), ['Node running the trainer', 'Backends (not checked)', 'GPU, CUDA and Vulkan', 'What to do']);
    assert.deepEqual(sections[0].lines, ['✓ v20.1.0 at /usr/bin/node (linux-x64)', 'Found via PATH.']);
    assert.equal(
      sections[1].lines[0],
      'Backends not checked: a training run is in progress (cnn #3). Checking loads every backend and trains on it, which would compete with the run for the GPU and CPU. Check again when it ends.',
    );
    const text = formatDoctorReport(sampleReport());
    assert.ok(text.startsWith('# CNN Lab doctor\n\n## Node running the trainer\n\n✓ v20.1.0'), text);
    assert.match(text, /^## Backends \(auto picks: wasm\)\n\n✓ wasm: EPYC \(WebAssembly, SIMD, 1 thread\)\n✗ cpu: broken$/m);
    assert.match(text, /^- Install `x`\.$/m);
  });

  it('refuses output that is not a doctor report', () => {
    assert.throws(() => parseDoctorReport('Hi, looks like you are running TensorFlow.js'), /other than its JSON report/);
    assert.throws(() => parseDoctorReport(JSON.stringify({ ...sampleReport(), runsInProgress: undefined })), /not its report/);
    assert.deepEqual(parseDoctorReport(JSON.stringify(sampleReport())), sampleReport());
  });
});

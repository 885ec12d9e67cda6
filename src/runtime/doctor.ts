// "What can train here, and what is missing": loads every backend in this process (so run it in
// the trainer's Node, never the extension host), unless a run is training, and reads the machine's
// GPU, CUDA and Vulkan state. doctorReport.ts formats what this collects.
import { dirname } from 'node:path';
import type { BackendName } from '../model/vocabulary';
import { autoChoiceOf, backendOrder, installHints, probeBackend, type BackendProbe } from '../trainer/backends';
import type { DoctorReport } from './doctorReport';
import {
  findSharedLibraries,
  nvidiaGpuNames,
  pureJsImagesPerSecond,
  requiredCudaLibraries,
  runningInsideElectron,
  vulkanDriverManifests,
  wasmImagesPerSecond,
} from './systemProbe';

function installRootOf(): string {
  // …/node_modules/@tensorflow/tfjs/package.json → the folder holding node_modules.
  return dirname(dirname(dirname(dirname(require.resolve('@tensorflow/tfjs/package.json')))));
}

function reasonOf(backends: BackendProbe[], name: BackendName): string | undefined {
  const probe = backends.find((entry) => entry.name === name);
  return probe && 'reason' in probe ? probe.reason : undefined;
}

function adviceFor(report: Omit<DoctorReport, 'advice'>): string[] {
  const advice: string[] = [];
  const { backends, installRoot, nvidiaGpus, cudaLibraries, vulkanDrivers } = report;
  if (report.node.insideElectron) {
    advice.push(
      `This is VS Code's own runtime (Electron): it trains on the CPU with the WebAssembly backend (about ${wasmImagesPerSecond} ` +
        'images/s on the seed-003 CNN), as native addons cannot load in it. Install Node 18 or later, or set cnnLab.nodePath ' +
        'to one, to use TensorFlow or WebGPU (your GPU).',
    );
  }
  const gpuReason = reasonOf(backends, 'tensorflow-gpu');
  if (gpuReason !== undefined && nvidiaGpus.length > 0) {
    const missing = cudaLibraries.filter((library) => library.path === undefined).map((library) => library.name);
    advice.push(
      `An NVIDIA GPU is present (${nvidiaGpus.join(', ')}). For CUDA training: \`cd ${installRoot} && npm install @tensorflow/tfjs-node-gpu\`, ` +
        `with CUDA 11.2 and cuDNN 8.1 installed (other versions are not picked up)` +
        (missing.length > 0 ? `; missing now: ${missing.join(', ')}.` : '.'),
    );
  }
  if (gpuReason !== undefined && nvidiaGpus.length === 0) {
    advice.push(
      'CUDA training (@tensorflow/tfjs-node-gpu) needs an NVIDIA GPU with CUDA 11.2 and cuDNN 8.1; no NVIDIA GPU was found, ' +
        'so there is nothing to gain from installing it here.',
    );
  }
  if (reasonOf(backends, 'tensorflow') !== undefined && !report.node.insideElectron) {
    advice.push(
      `For native CPU speed: \`cd ${installRoot} && npm install @tensorflow/tfjs-node\` (its install step downloads libtensorflow ` +
        'from storage.googleapis.com, which must be reachable).',
    );
  }
  const webgpuReason = reasonOf(backends, 'webgpu');
  if (webgpuReason !== undefined && !report.node.insideElectron) {
    if (process.platform === 'linux' && vulkanDrivers.length === 0) {
      advice.push(
        'No Vulkan driver is installed, so WebGPU has no device. Install your GPU\'s Vulkan driver, or on a machine without a GPU ' +
          'Mesa\'s lavapipe: `sudo apt install mesa-vulkan-drivers` (Debian 12: `-t bookworm-backports`, as 22.x is too old for Dawn).',
      );
    } else {
      advice.push(`WebGPU: ${installHints.webgpu}`);
    }
  }
  const wasmReason = reasonOf(backends, 'wasm');
  if (wasmReason !== undefined) advice.push(`WebAssembly (the fast CPU backend) failed: ${wasmReason}. ${installHints.wasm}`);
  if (report.autoChoice === 'wasm') {
    advice.push(
      `Training uses WebAssembly on the CPU, about ${wasmImagesPerSecond} images/s on the seed-003 CNN (single-threaded, ` +
        'SIMD): minutes per epoch on MNIST. A GPU through WebGPU or CUDA is faster where there is one.',
    );
  }
  if (report.autoChoice === 'cpu') {
    advice.push(
      `Training would use the pure-JS CPU backend, about ${pureJsImagesPerSecond} images/s on the seed-003 CNN: fine for the ` +
        '`shapes` dataset, slow for MNIST and CIFAR-10.',
    );
  }
  return advice;
}

async function probeAll(): Promise<BackendProbe[]> {
  const backends: BackendProbe[] = [];
  for (const name of backendOrder) backends.push(await probeBackend(name));
  return backends;
}

/**
 * What can train here. While a run is in progress (`runsInProgress` names it), the backends are not
 * loaded: each one would be initialised on the GPU or CPU the run is using, and trained on.
 */
export async function collectDoctorReport(runsInProgress: readonly string[] = []): Promise<DoctorReport> {
  const backends = runsInProgress.length > 0 ? [] : await probeAll();
  const partial: Omit<DoctorReport, 'advice'> = {
    node: {
      version: process.version,
      execPath: process.execPath,
      insideElectron: runningInsideElectron(),
      platform: process.platform,
      arch: process.arch,
    },
    installRoot: installRootOf(),
    backends,
    autoChoice: autoChoiceOf(backends),
    nvidiaGpus: nvidiaGpuNames(),
    cudaLibraries: findSharedLibraries(requiredCudaLibraries),
    vulkanDrivers: vulkanDriverManifests(),
    runsInProgress: [...runsInProgress],
  };
  return { ...partial, advice: adviceFor(partial) };
}

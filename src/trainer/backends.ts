// Picks the tfjs backend a run trains on. `auto` walks from the fastest to the one that always
// works: tfjs-node-gpu (CUDA) → tfjs-node (native CPU) → WebGPU (Dawn) on a real GPU → WebAssembly
// (SIMD, with CNN Lab's training kernels) → WebGPU on a software adapter (lavapipe, llvmpipe,
// SwiftShader: the CPU again, and slower than wasm there) → pure-JS CPU.
// Every attempt is guarded: an addon that fails to load, or a backend whose smoke test fails, is
// passed over with its reason, so a broken install costs speed, never the run.
import { existsSync, mkdtempSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { BackendChoice, BackendName } from '../model/vocabulary';
import type { BackendInfo } from '../runs/format';
import { BACKEND_NAMES } from '../model/vocabulary';
import { UserError } from '../util/userError';
import { installFastCpuKernels } from './cpuKernels';
import {
  findSharedLibraries,
  firstLine,
  isSoftwareAdapter,
  nativeGpuApi,
  nvidiaGpuNames,
  pureJsImagesPerSecond,
  requiredCudaLibraries,
  runningInsideElectron,
} from '../runtime/systemProbe';
import { installWasmTrainingKernels } from './wasmKernels';

/** Shown as the device name so that nobody mistakes the fallback for a usable backend. */
export const pureJsDevice = `CPU (pure JS, slow: about ${pureJsImagesPerSecond} images/s on the seed-003 CNN)`;

export const installHints: Record<Exclude<BackendChoice, 'auto'>, string> = {
  tensorflow:
    'Install @tensorflow/tfjs-node (native CPU) in the extension folder; its install step downloads libtensorflow ' +
    'from storage.googleapis.com, which must be reachable. For an NVIDIA GPU install @tensorflow/tfjs-node-gpu ' +
    'with CUDA 11.2 and cuDNN 8.1 (exactly these versions). Both need a system Node ≥ 18 (setting cnnLab.nodePath). ' +
    'Run "CNN Lab: Doctor" to see what is found.',
  webgpu:
    'WebGPU needs a system Node ≥ 18 (setting cnnLab.nodePath) and a native GPU driver: Vulkan on Linux, Metal on ' +
    'macOS, D3D12 on Windows. A Linux machine without a GPU can use Mesa\'s software Vulkan device, lavapipe ' +
    '(Debian/Ubuntu: apt install mesa-vulkan-drivers; on Debian 12 take it from bookworm-backports, as 22.x is too old for Dawn).',
  wasm:
    'The WebAssembly backend ships with the extension (@tensorflow/tfjs-backend-wasm and its .wasm files next to ' +
    'dist/trainer.js); it needs no native addon and runs in any Node ≥ 18 and in VS Code\'s own runtime. Reinstall the ' +
    'extension if it fails.',
  cpu: 'The pure-JS CPU backend ships with @tensorflow/tfjs; reinstall the extension if it fails.',
};

/** An explicitly chosen backend cannot run here; `hint` says what to install. */
export class BackendUnavailableError extends UserError {
  constructor(
    readonly choice: BackendChoice,
    readonly reasons: BackendInfo['skipped'],
    override readonly hint: string,
  ) {
    super(`The ${choice} backend is not available: ${reasons.map((r) => `${r.name}: ${r.reason}`).join('; ')}`, hint);
  }
}

/** Why a candidate was passed over; thrown inside a candidate, turned into a `skipped` entry. */
class Unavailable extends Error {}

/** WebGPU works, but on a software adapter: `auto` tries wasm first and comes back to it only if wasm fails. */
class SoftwareAdapter extends Unavailable {}

const electronReason =
  "running inside VS Code's own runtime (Electron), whose V8 memory cage refuses the external buffers native " +
  'addons hand to JavaScript; set cnnLab.nodePath to a Node ≥ 18 to use it';

/** Two copies of tfjs-core would give the WebGPU backend an engine the model never uses. */
export function tfjsCoreCopies(): string[] {
  const fromTfjs = require.resolve('@tensorflow/tfjs-core', { paths: [dirname(require.resolve('@tensorflow/tfjs'))] });
  const locations = new Set([fromTfjs]);
  for (const backendPackage of ['@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-backend-wasm']) {
    try {
      const folder = dirname(require.resolve(backendPackage));
      locations.add(require.resolve('@tensorflow/tfjs-core', { paths: [folder] }));
    } catch {
      // This backend package is not installed: it brings no tfjs-core of its own.
    }
  }
  return [...locations];
}

/**
 * A conv layer's forward and both backward kernels on a tiny tensor: proves the backend can train,
 * not just load (stock WASM, for one, would fail here on Conv2DBackpropFilter).
 */
async function smokeTest(): Promise<void> {
  const gradients = tf.tidy(() => {
    const input = tf.ones([1, 4, 4, 1]);
    const filter = tf.ones([2, 2, 1, 2]);
    const convolve = (x: tf.Tensor, w: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same').sum();
    const [inputGradient, filterGradient] = tf.grads(convolve)([input, filter]);
    return tf.stack([inputGradient.sum(), filterGradient.sum()]);
  });
  const [inputSum, filterSum] = Array.from(await gradients.data());
  gradients.dispose();
  // 'same' pads a 2-wide kernel only after the data, so along one axis 7 of its 8 taps land on
  // the input (4 + 3); in 2-D that is 7·7 = 49 per output channel, for either gradient.
  if (inputSum !== 98 || filterSum !== 98) {
    throw new Unavailable(`smoke test gave wrong gradients (${inputSum}, ${filterSum}; expected 98, 98)`);
  }
}

async function activate(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new Unavailable(`tfjs could not initialise the '${name}' backend`);
  await tf.ready();
  await smokeTest();
}

function requireNative(load: () => unknown, packageName: string): void {
  try {
    load();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'MODULE_NOT_FOUND' && firstLine(error).includes(packageName)) {
      throw new Unavailable(`${packageName} is not installed`);
    }
    throw new Unavailable(`${packageName} failed to load: ${firstLine(error)}`);
  }
}

async function useTensorflowGpu(): Promise<string> {
  if (runningInsideElectron()) throw new Unavailable(electronReason);
  try {
    require.resolve('@tensorflow/tfjs-node-gpu');
  } catch {
    throw new Unavailable('@tensorflow/tfjs-node-gpu is not installed');
  }
  const gpus = nvidiaGpuNames();
  if (gpus.length === 0) {
    throw new Unavailable('no NVIDIA GPU found (nvidia-smi is missing or lists none)');
  }
  const missing = findSharedLibraries(requiredCudaLibraries).filter((library) => library.path === undefined);
  if (missing.length > 0) {
    // libtensorflow would silently fall back to the CPU; say why instead.
    throw new Unavailable(`${missing.map((library) => library.name).join(' and ')} not found: install CUDA 11.2 and cuDNN 8.1`);
  }
  requireNative(() => require('@tensorflow/tfjs-node-gpu'), '@tensorflow/tfjs-node-gpu');
  await activate('tensorflow');
  return `${gpus[0]} (CUDA)`;
}

async function useTensorflowCpu(): Promise<string> {
  if (runningInsideElectron()) throw new Unavailable(electronReason);
  requireNative(() => require('@tensorflow/tfjs-node'), '@tensorflow/tfjs-node');
  await activate('tensorflow');
  return `${cpus()[0]?.model.trim() ?? 'CPU'} (native TensorFlow)`;
}

interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
}
interface AdapterLike {
  info?: AdapterInfoLike;
}
interface GpuLike {
  requestAdapter(options?: object): Promise<AdapterLike | null>;
}
interface DawnModule {
  create(options: string[]): GpuLike;
  globals: Record<string, unknown>;
}

function isDawnModule(value: unknown): value is DawnModule {
  const candidate = value as Partial<DawnModule> | null;
  return typeof candidate?.create === 'function' && typeof candidate.globals === 'object';
}

let installedGpu: GpuLike | undefined;

/** Makes Dawn look like a browser's WebGPU to tfjs: GPU* classes and navigator.gpu on globalThis. */
async function installDawn(): Promise<GpuLike> {
  if (installedGpu) return installedGpu;
  if (!process.env.XDG_RUNTIME_DIR) {
    // Dawn's Vulkan loader refuses to start without it; a private directory is what a session would give.
    process.env.XDG_RUNTIME_DIR = mkdtempSync(join(tmpdir(), 'cnnlab-xdg-'));
  }
  // A non-literal specifier keeps the package's DOM-flavoured global typings out of this program.
  const specifier = 'webgpu';
  let loaded: unknown;
  try {
    loaded = await import(specifier);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') throw new Unavailable('the webgpu package is not installed');
    throw new Unavailable(`Dawn (the webgpu package) failed to load: ${firstLine(error)}`);
  }
  if (!isDawnModule(loaded)) throw new Unavailable('the webgpu package does not export create() and globals');
  const gpu = loaded.create([]);
  Object.assign(globalThis, loaded.globals);
  const existing: unknown = Reflect.get(globalThis, 'navigator');
  if (typeof existing === 'object' && existing !== null) {
    Object.defineProperty(existing, 'gpu', { value: gpu, configurable: true });
  } else {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  }
  installedGpu = gpu;
  return gpu;
}

function describeAdapter(info: AdapterInfoLike | undefined): string {
  const description = info?.description?.trim();
  const fallback = [info?.vendor, info?.architecture, info?.device].filter((part) => part && part.trim()).join(' ');
  return `${description || fallback || 'unknown GPU'} via ${nativeGpuApi()}`;
}

async function useWebGpu(hardwareOnly = false): Promise<string> {
  if (runningInsideElectron()) throw new Unavailable(electronReason);
  const gpu = await installDawn();
  const adapter = await gpu.requestAdapter();
  if (!adapter) {
    throw new Unavailable(`Dawn found no GPU adapter (no working ${nativeGpuApi()} driver)`);
  }
  const device = describeAdapter(adapter.info);
  if (hardwareOnly && isSoftwareAdapter(device)) {
    throw new SoftwareAdapter(`${device} is a software adapter (it runs on the CPU), where WebAssembly trains faster`);
  }
  try {
    require('@tensorflow/tfjs-backend-webgpu');
  } catch (error) {
    throw new Unavailable(`@tensorflow/tfjs-backend-webgpu failed to load: ${firstLine(error)}`);
  }
  const copies = tfjsCoreCopies();
  if (copies.length > 1) {
    throw new Unavailable(`two copies of @tensorflow/tfjs-core are installed (${copies.join(', ')}); run npm dedupe`);
  }
  await activate('webgpu');
  return device;
}

const wasmSimdBinary = 'tfjs-backend-wasm-simd.wasm';

/**
 * The folder holding the wasm backend's .wasm files: next to the bundle (esbuild.mjs copies them into
 * dist/, and the .vsix ships dist/ but not the package's own dist/), else the package's folder (tests, tsx).
 */
export function wasmBinaryDirectory(): string | undefined {
  const candidates = [__dirname];
  try {
    candidates.push(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist'));
  } catch {
    // Not installed: only a copy next to the bundle can serve.
  }
  return candidates.find((folder) => existsSync(join(folder, wasmSimdBinary)));
}

type WasmModule = typeof import('@tensorflow/tfjs-backend-wasm');
let wasmModule: WasmModule | undefined;

function loadWasm(): WasmModule {
  if (wasmModule) return wasmModule;
  let loaded: WasmModule;
  try {
    // Loaded only here: once registered, wasm outranks 'cpu' as tfjs's default backend.
    loaded = require('@tensorflow/tfjs-backend-wasm') as WasmModule;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'MODULE_NOT_FOUND' && firstLine(error).includes('@tensorflow/tfjs-backend-wasm')) {
      throw new Unavailable('@tensorflow/tfjs-backend-wasm is not installed');
    }
    throw new Unavailable(`@tensorflow/tfjs-backend-wasm failed to load: ${firstLine(error)}`);
  }
  const folder = wasmBinaryDirectory();
  if (!folder) throw new Unavailable(`${wasmSimdBinary} was not found next to the trainer (${__dirname}) nor in node_modules`);
  // A folder prefix: in Node, Emscripten reads the file from disk (no fetch).
  loaded.setWasmPaths(folder + sep);
  installWasmTrainingKernels();
  wasmModule = loaded;
  return loaded;
}

async function useWasm(): Promise<string> {
  const wasm = loadWasm();
  const copies = tfjsCoreCopies();
  if (copies.length > 1) {
    throw new Unavailable(`two copies of @tensorflow/tfjs-core are installed (${copies.join(', ')}); run npm dedupe`);
  }
  // Threads stay off: tfjs disables them in Node (tfjs#3830), and forced on they were no faster on a
  // busy 2-core machine (probes/wasm-training/README.md). Only SIMD decides the speed here.
  await activate('wasm');
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const threads = wasm.getThreadsCount();
  return `${cpus()[0]?.model.trim() ?? 'CPU'} (WebAssembly, ${simd ? 'SIMD' : 'no SIMD: slow'}, ${threads} thread${threads === 1 ? '' : 's'})`;
}

async function usePureJsCpu(): Promise<string> {
  installFastCpuKernels();
  await activate('cpu');
  return pureJsDevice;
}

const activators: Record<BackendName, () => Promise<string>> = {
  'tensorflow-gpu': useTensorflowGpu,
  tensorflow: useTensorflowCpu,
  webgpu: () => useWebGpu(),
  wasm: useWasm,
  cpu: usePureJsCpu,
};

/** Every backend, fastest first, as the doctor lists them. */
export const backendOrder: readonly BackendName[] = BACKEND_NAMES;

const candidatesFor: Record<Exclude<BackendChoice, 'auto'>, readonly BackendName[]> = {
  tensorflow: ['tensorflow-gpu', 'tensorflow'],
  webgpu: ['webgpu'],
  wasm: ['wasm'],
  cpu: ['cpu'],
};

export type BackendProbe = { name: BackendName; device: string } | { name: BackendName; reason: string };

async function attempt(name: BackendName, activator: () => Promise<string>): Promise<BackendProbe & { software?: boolean }> {
  try {
    return { name, device: await activator() };
  } catch (error) {
    return { name, reason: error instanceof Unavailable ? error.message : firstLine(error), software: error instanceof SoftwareAdapter };
  }
}

/** Tries to load and activate one backend on the process-wide tfjs engine; never throws. */
export async function probeBackend(name: BackendName): Promise<BackendProbe> {
  const { software: _software, ...probe } = await attempt(name, activators[name]);
  return probe;
}

/** What `auto` picks from probes of every backend (the doctor's view): WebGPU on a software adapter comes after wasm. */
export function autoChoiceOf(probes: readonly BackendProbe[]): BackendName | undefined {
  const works = (name: BackendName) => probes.find((probe) => probe.name === name && 'device' in probe) as { device: string } | undefined;
  const webgpu = works('webgpu');
  const order: BackendName[] =
    webgpu && isSoftwareAdapter(webgpu.device) ? ['tensorflow-gpu', 'tensorflow', 'wasm', 'webgpu', 'cpu'] : [...backendOrder];
  return order.find((name) => works(name) !== undefined);
}

async function selectAuto(): Promise<BackendInfo> {
  const skipped: BackendInfo['skipped'] = [];
  let softwareWebGpu = false;
  const steps: [BackendName, () => Promise<string>][] = [
    ['tensorflow-gpu', useTensorflowGpu],
    ['tensorflow', useTensorflowCpu],
    ['webgpu', () => useWebGpu(true)],
    ['wasm', useWasm],
  ];
  for (const [name, activator] of steps) {
    const { software, ...probe } = await attempt(name, activator);
    if ('device' in probe) return { name, device: probe.device, skipped };
    skipped.push(probe);
    softwareWebGpu ||= software === true;
  }
  if (softwareWebGpu) {
    const probe = await probeBackend('webgpu');
    if ('device' in probe) return { name: 'webgpu', device: probe.device, skipped: skipped.filter((entry) => entry.name !== 'webgpu') };
    const index = skipped.findIndex((entry) => entry.name === 'webgpu');
    skipped[index] = probe;
  }
  const probe = await probeBackend('cpu');
  if ('device' in probe) return { name: 'cpu', device: probe.device, skipped };
  skipped.push(probe);
  throw new BackendUnavailableError('auto', skipped, installHints.cpu);
}

/**
 * Activates the first backend of `choice` that loads and trains, on the process-wide tfjs engine.
 * Throws BackendUnavailableError when none of them does.
 */
export async function selectBackend(choice: BackendChoice): Promise<BackendInfo> {
  if (choice === 'auto') return selectAuto();
  const skipped: BackendInfo['skipped'] = [];
  for (const name of candidatesFor[choice]) {
    const probe = await probeBackend(name);
    if ('device' in probe) return { name, device: probe.device, skipped };
    skipped.push(probe);
  }
  throw new BackendUnavailableError(choice, skipped, installHints[choice]);
}

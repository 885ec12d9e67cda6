// Facts about the machine that decide which backends can work: NVIDIA GPUs, the CUDA and cuDNN
// libraries that libtensorflow 2.9 (inside tfjs-node-gpu 4.x) opens, and Vulkan drivers for Dawn.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Pure-JS CPU backend speed, measured with `npm run bench` on a 2-core x86-64 machine (seed-003 CNN,
 * batch 32). Kept here, free of tfjs, because the extension host quotes it too.
 */
export const pureJsImagesPerSecond = 26;

/**
 * WebAssembly (SIMD, one thread, CNN Lab's training kernels) on the same CNN, batch 32, same machine
 * (`npm run bench`). What training gets inside VS Code's own runtime, and on any CPU without TensorFlow.
 */
export const wasmImagesPerSecond = 480;

/** The exact sonames libtensorflow 2.9.1's GPU build opens: CUDA 11.2 and cuDNN 8.1. */
export const requiredCudaLibraries = ['libcudart.so.11.0', 'libcudnn.so.8'] as const;

export interface LibraryLocation {
  name: string;
  /** Where it was found, or undefined when neither the loader cache nor LD_LIBRARY_PATH has it. */
  path?: string;
}

function runQuietly(file: string, args: string[]): string | undefined {
  try {
    return execFileSync(file, args, { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
}

/** Names of the NVIDIA GPUs the driver reports; empty when there is no driver or no GPU. */
export function nvidiaGpuNames(): string[] {
  const output = runQuietly('nvidia-smi', ['--query-gpu=name', '--format=csv,noheader']);
  if (output === undefined) return [];
  return output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

/** Looks each library up the way the dynamic loader would: LD_LIBRARY_PATH first, then `ldconfig -p`. */
export function findSharedLibraries(names: readonly string[]): LibraryLocation[] {
  const searchDirectories = (process.env.LD_LIBRARY_PATH ?? '').split(':').filter((dir) => dir.length > 0);
  const loaderCache = runQuietly('ldconfig', ['-p']) ?? runQuietly('/sbin/ldconfig', ['-p']) ?? '';
  return names.map((name) => {
    for (const directory of searchDirectories) {
      const candidate = join(directory, name);
      if (existsSync(candidate)) return { name, path: candidate };
    }
    const cached = loaderCache
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line.startsWith(`${name} `));
    const path = cached?.split('=>')[1]?.trim();
    return path ? { name, path } : { name };
  });
}

/** Vulkan installable client drivers (ICD manifests), e.g. lvp_icd.json for Mesa's lavapipe. */
export function vulkanDriverManifests(): string[] {
  const fromEnvironment = (process.env.VK_ICD_FILENAMES ?? process.env.VK_DRIVER_FILES ?? '')
    .split(':')
    .filter((file) => file.length > 0 && existsSync(file));
  const directories = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];
  const fromDirectories = directories.flatMap((directory) => {
    try {
      return readdirSync(directory)
        .filter((file) => file.endsWith('.json'))
        .map((file) => join(directory, file));
    } catch {
      return [];
    }
  });
  return [...new Set([...fromEnvironment, ...fromDirectories])];
}

/** Software rasterizers give Dawn an adapter, but it is the CPU: Mesa's lavapipe/llvmpipe, SwiftShader, Windows' WARP. */
export function isSoftwareAdapter(device: string): boolean {
  return /llvmpipe|lavapipe|swiftshader|software|basic render driver/i.test(device);
}

/** The native graphics API Dawn drives on this platform. */
export function nativeGpuApi(): string {
  switch (process.platform) {
    case 'darwin':
      return 'Metal';
    case 'win32':
      return 'D3D12';
    default:
      return 'Vulkan';
  }
}

/** True inside Electron (VS Code's own runtime with ELECTRON_RUN_AS_NODE=1). */
export function runningInsideElectron(): boolean {
  return typeof process.versions.electron === 'string';
}

/** First line of an error, which for a failed native load is the useful part (the rest is a stack). */
export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]?.trim() || 'unknown error';
}

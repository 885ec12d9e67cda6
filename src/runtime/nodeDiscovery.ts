// Finds a system Node for the trainer child process. VS Code's own runtime (Electron) trains on the
// CPU through WebAssembly only — its V8 memory cage refuses native addons' external buffers, so
// TensorFlow and WebGPU cannot load there — so a real Node is worth looking hard for: the user's
// setting, PATH, then the usual version managers.
import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { wasmImagesPerSecond } from './systemProbe';

export const minimumNodeMajor = 18;

export type NodeSource = 'setting' | 'PATH' | 'nvm' | 'volta' | 'fnm' | 'asdf' | 'n' | 'system folder';

export interface NodeCandidate {
  path: string;
  source: NodeSource;
}

export interface FoundNode extends NodeCandidate {
  /** As `node --version` prints it, e.g. `v20.11.1`. */
  version: string;
}

export interface NodeSearch {
  found?: FoundNode;
  /** Every candidate looked at before the one found (or all of them), with what was wrong. */
  rejected: (NodeCandidate & { problem: string })[];
}

export interface DiscoveryEnvironment {
  /** `cnnLab.nodePath`, when set. */
  configuredPath?: string;
  env: NodeJS.ProcessEnv;
  home: string;
  platform: NodeJS.Platform;
  /** Prints the version of the Node at `path`, or undefined when it does not run. */
  versionOf: (path: string) => Promise<string | undefined>;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Version-named folders, newest first (`v20.11.1` sorts above `v9.0.0`). */
function versionFolders(parent: string): string[] {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return [];
  }
  const numbers = (name: string) => (name.match(/\d+/g) ?? []).map(Number);
  return names
    .filter((name) => /\d/.test(name))
    .sort((a, b) => {
      const [left, right] = [numbers(a), numbers(b)];
      for (let index = 0; index < Math.max(left.length, right.length); index += 1) {
        const difference = (right[index] ?? 0) - (left[index] ?? 0);
        if (difference !== 0) return difference;
      }
      return 0;
    })
    .map((name) => join(parent, name));
}

/** Where a Node might be, in the order it is preferred. Only paths that exist as files are returned. */
export function nodeCandidates(environment: Omit<DiscoveryEnvironment, 'versionOf'>): NodeCandidate[] {
  const { env, home, platform } = environment;
  const windows = platform === 'win32';
  const executable = windows ? 'node.exe' : 'node';
  const binary = (folder: string) => (windows ? join(folder, executable) : join(folder, 'bin', executable));
  const candidates: NodeCandidate[] = [];
  const add = (source: NodeSource, paths: string[]) => {
    for (const path of paths) candidates.push({ path, source });
  };

  if (environment.configuredPath) add('setting', [environment.configuredPath]);
  const pathDirectories = (env.PATH ?? env.Path ?? '').split(windows ? ';' : delimiter).filter((dir) => dir.length > 0);
  add('PATH', pathDirectories.map((dir) => join(dir, executable)));

  const nvmDir = env.NVM_DIR ?? join(home, '.nvm');
  add('nvm', versionFolders(join(nvmDir, 'versions', 'node')).map(binary));
  if (windows && env.NVM_HOME) add('nvm', versionFolders(env.NVM_HOME).map((folder) => join(folder, executable)));

  const voltaHome = env.VOLTA_HOME ?? join(home, '.volta');
  add('volta', [join(voltaHome, 'bin', executable)]);
  add('volta', versionFolders(join(voltaHome, 'tools', 'image', 'node')).map(binary));

  const fnmDirectories = [env.FNM_DIR, join(home, '.fnm'), join(home, '.local', 'share', 'fnm'), env.APPDATA && join(env.APPDATA, 'fnm')];
  for (const fnmDir of fnmDirectories) {
    if (fnmDir) add('fnm', versionFolders(join(fnmDir, 'node-versions')).map((folder) => binary(join(folder, 'installation'))));
  }

  add('asdf', versionFolders(join(env.ASDF_DATA_DIR ?? join(home, '.asdf'), 'installs', 'nodejs')).map(binary));
  add('n', versionFolders(join(env.N_PREFIX ?? '/usr/local', 'n', 'versions', 'node')).map(binary));

  const systemFolders = windows
    ? [env.ProgramFiles && join(env.ProgramFiles, 'nodejs'), env.LOCALAPPDATA && join(env.LOCALAPPDATA, 'Programs', 'nodejs')]
    : ['/usr/local/bin', '/opt/homebrew/bin', '/usr/bin', '/opt/local/bin', '/snap/bin'];
  add('system folder', systemFolders.filter((folder): folder is string => Boolean(folder)).map((folder) => join(folder, executable)));

  const seen = new Set<string>();
  return candidates.filter((candidate) => {
    // A missing configured path is still reported, so the user learns the setting is wrong.
    if (candidate.source !== 'setting' && !isFile(candidate.path)) return false;
    if (seen.has(candidate.path)) return false;
    seen.add(candidate.path);
    return true;
  });
}

export function nodeMajor(version: string): number | undefined {
  const match = /^v?(\d+)\./.exec(version.trim());
  return match ? Number(match[1]) : undefined;
}

/** The first candidate that runs and is at least Node 18. */
export async function findSystemNode(environment: DiscoveryEnvironment): Promise<NodeSearch> {
  const rejected: NodeSearch['rejected'] = [];
  for (const candidate of nodeCandidates(environment)) {
    const version = await environment.versionOf(candidate.path);
    if (version === undefined) {
      rejected.push({ ...candidate, problem: isFile(candidate.path) ? 'does not run' : 'no such file' });
      continue;
    }
    const major = nodeMajor(version);
    if (major === undefined || major < minimumNodeMajor) {
      rejected.push({ ...candidate, problem: `is ${version}; Node ${minimumNodeMajor} or later is needed` });
      continue;
    }
    return { found: { ...candidate, version: version.trim() }, rejected };
  }
  return { rejected };
}

/** Runs `node --version` with a time limit; undefined when it does not start or prints no version. */
export function nodeVersionOf(path: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    // A stray ELECTRON_RUN_AS_NODE must not leak into a candidate that happens to be an Electron app.
    const env = { ...process.env, ELECTRON_RUN_AS_NODE: undefined };
    execFile(path, ['--version'], { timeout: 5000, env, windowsHide: true }, (error, stdout) => {
      const version = String(stdout).trim();
      resolve(error || !/^v\d+\./.test(version) ? undefined : version);
    });
  });
}

/** The search as the running process sees its own environment. */
export function findSystemNodeHere(configuredPath?: string): Promise<NodeSearch> {
  return findSystemNode({ configuredPath, env: process.env, home: homedir(), platform: process.platform, versionOf: nodeVersionOf });
}

/** How the extension found (or did not find) the Node it trains with: lines for the doctor's Node section. */
export function nodeSearchLines(search: NodeSearch, fallbackExecPath: string): string[] {
  const lines: string[] = [];
  if (search.found) {
    lines.push(`Found via ${search.found.source}.`);
  } else {
    lines.push(
      `✗ No system Node ≥ 18 found. Training falls back to VS Code's own runtime (${fallbackExecPath}), which trains on the ` +
        `CPU with the WebAssembly backend (about ${wasmImagesPerSecond} images/s on the seed-003 CNN); TensorFlow and WebGPU ` +
        'need a system Node. Install Node, or set cnnLab.nodePath, to use your GPU.',
    );
  }
  for (const rejected of search.rejected) lines.push(`- passed over ${rejected.path} (${rejected.source}): ${rejected.problem}`);
  return lines;
}

// Starts a real VS Code (code-server, installed into .e2e/ by scripts/e2e-setup.sh) with CNN Lab
// installed from the packaged .vsix, the way a user installs it, and a fresh profile every time.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '..', '..', '..');
export const vsixPath = join(repoRoot, 'cnn-lab.vsix');
const e2eRoot = join(repoRoot, '.e2e');
const codeServerEntry = join(e2eRoot, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');

/** Node 24's binary, recorded by scripts/e2e-setup.sh (code-server refuses other majors). */
function node24Binary(): string {
  const homeFile = join(e2eRoot, 'node-home');
  if (!existsSync(homeFile) || !existsSync(codeServerEntry)) {
    throw new Error('code-server is not installed: run `bash scripts/e2e-setup.sh` (npm run test:e2e does).');
  }
  return join(readFileSync(homeFile, 'utf8').trim(), 'bin', 'node');
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface CodeServerOptions {
  /** The folder opened as the workspace. */
  workspace: string;
  /** false: workspace trust is on and the folder opens in Restricted Mode. */
  trusted: boolean;
  /** Extra user settings (merged over the quiet defaults below). */
  settings?: Record<string, unknown>;
  /** Extra environment variables for code-server, hence for the extension host and the trainers it starts. */
  env?: Record<string, string>;
}

export interface RunningCodeServer {
  url: string;
  userDataDir: string;
  log: () => string;
  stop: () => Promise<void>;
}

/** One profile root per test process; the extension is installed into it once. */
let profileRoot: string | undefined;
function extensionsDir(): string {
  if (profileRoot === undefined) {
    profileRoot = mkdtempSync(join(tmpdir(), 'cnnlab-e2e-profile-'));
    const extensions = join(profileRoot, 'extensions');
    mkdirSync(extensions, { recursive: true });
    if (!existsSync(vsixPath)) throw new Error(`${vsixPath} is missing: run \`npm run package\` first.`);
    const install = spawnSync(
      node24Binary(),
      [codeServerEntry, '--extensions-dir', extensions, '--user-data-dir', join(profileRoot, 'install-user-data'), '--install-extension', vsixPath],
      { encoding: 'utf8', timeout: 120_000 },
    );
    if (install.status !== 0 || !/successfully installed/i.test(install.stdout + install.stderr)) {
      throw new Error(`code-server --install-extension failed (${install.status}):\n${install.stdout}\n${install.stderr}`);
    }
  }
  return join(profileRoot, 'extensions');
}

/** `publisher.name@version` lines, as `code-server --list-extensions --show-versions` prints them. */
export function listInstalledExtensions(): string {
  const extensions = extensionsDir();
  const listing = spawnSync(node24Binary(), [codeServerEntry, '--extensions-dir', extensions, '--list-extensions', '--show-versions'], {
    encoding: 'utf8',
  });
  return listing.stdout;
}

/** The CNN Lab output channel's log files (the extension host writes them under logs/). */
function extensionOutputLogs(userDataDir: string): string {
  const logsDir = join(userDataDir, 'logs');
  if (!existsSync(logsDir)) return '';
  return readdirSync(logsDir, { recursive: true, encoding: 'utf8' })
    .filter((file) => /CNN Lab.*\.log$/.test(file))
    .map((file) => `----- ${file}\n${readFileSync(join(logsDir, file), 'utf8')}`)
    .join('\n');
}

export async function startCodeServer(options: CodeServerOptions): Promise<RunningCodeServer> {
  const extensions = extensionsDir();
  const userDataDir = mkdtempSync(join(profileRoot ?? tmpdir(), 'user-data-'));
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  const settings: Record<string, unknown> = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'update.mode': 'none',
    'chat.disableAIFeatures': true,
    'window.commandCenter': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'editor.minimap.enabled': false,
    'files.autoSave': 'off',
    'security.workspace.trust.enabled': !options.trusted,
    'security.workspace.trust.startupPrompt': 'never',
    'security.workspace.trust.emptyWindow': false,
    ...options.settings,
  };
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));

  // Its own config file, so that the user's ~/.config/code-server/config.yaml plays no part.
  const configFile = join(userDataDir, 'code-server.yaml');
  writeFileSync(configFile, 'auth: none\ncert: false\n');
  const port = await freePort();
  const args = [
    codeServerEntry,
    '--config',
    configFile,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensions,
  ];
  if (options.trusted) args.push('--disable-workspace-trust');
  args.push(options.workspace);

  let output = '';
  const child: ChildProcess = spawn(node24Binary(), args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? mkdtempSync(join(tmpdir(), 'cnnlab-xdg-')), ...options.env },
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));

  await new Promise<void>((resolveReady, reject) => {
    const deadline = setTimeout(() => reject(new Error(`code-server did not start within 60 s:\n${output}`)), 60_000);
    const poll = setInterval(() => {
      if (/HTTP server listening on/.test(output)) {
        clearInterval(poll);
        clearTimeout(deadline);
        resolveReady();
      }
    }, 100);
    child.once('exit', (code) => {
      clearInterval(poll);
      clearTimeout(deadline);
      reject(new Error(`code-server exited (${code}) before listening:\n${output}`));
    });
  });

  return {
    url: `http://127.0.0.1:${port}/?folder=${encodeURIComponent(options.workspace)}`,
    userDataDir,
    log: () => `${output}\n\n${extensionOutputLogs(userDataDir)}`,
    stop: () =>
      new Promise<void>((resolveStopped) => {
        if (child.exitCode !== null) return resolveStopped();
        const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(force);
          resolveStopped();
        });
        child.kill('SIGTERM');
      }),
  };
}

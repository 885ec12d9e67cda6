// `npm run test:electron`: the same extension in VS Code's own Electron build, downloaded by
// @vscode/test-electron. It needs update.code.visualstudio.com; where that is unreachable (CI here)
// the code-server suite (`npm run test:e2e`) covers the extension in a real VS Code instead.
import { runTests } from '@vscode/test-electron';
import * as esbuild from 'esbuild';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

async function main(): Promise<void> {
  const repoRoot = resolve(__dirname, '..', '..');
  // The extension host loads plain CommonJS, so the suite is bundled first (mocha and vscode stay external).
  const suiteBundle = join(repoRoot, 'out', 'electron-suite', 'index.js');
  await esbuild.build({
    entryPoints: [join(__dirname, 'suite', 'index.ts')],
    outfile: suiteBundle,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  const workspace = mkdtempSync(join(tmpdir(), 'cnnlab-electron-'));
  cpSync(join(repoRoot, 'samples'), workspace, { recursive: true });
  await runTests({
    version: process.env.CNNLAB_VSCODE_VERSION ?? 'stable',
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: suiteBundle,
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--no-sandbox', '--disable-gpu'],
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});

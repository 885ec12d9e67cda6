// `npm run package`: builds the production bundles, then packs cnn-lab.vsix for this machine's
// platform with `vsce package --target`. The vsix carries native code (sharp's libvips, Dawn's
// dawn.node for WebGPU), so it is a platform-specific package, as the Marketplace expects for
// native dependencies; only this platform's Dawn build goes in (the others add ~100 MB).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dawnArch = process.platform === 'darwin' ? 'universal' : process.arch;
const dawnFolder = `${process.platform}-${dawnArch}`;
const vsceTarget = `${process.platform === 'win32' ? 'win32' : process.platform}-${process.arch}`;

function run(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

run(process.execPath, ['esbuild.mjs', '--production']);

const otherDawnBuilds = readdirSync('node_modules/webgpu/dist', { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && entry.name !== dawnFolder)
  .map((entry) => `node_modules/webgpu/dist/${entry.name}/**`);
const ignoreFile = join(mkdtempSync(join(tmpdir(), 'cnnlab-vsix-')), '.vscodeignore');
// The wasm backend's binaries ship as dist/*.wasm (esbuild.mjs copies them; src/trainer/backends.ts
// loads them from there); its Node bundle, dist/tf-backend-wasm.node.js, inlines the Emscripten glue,
// so the package's wasm-out/ copies (1.3 MB) are never read.
const unusedWasmCopies = ['node_modules/@tensorflow/tfjs-backend-wasm/wasm-out/**'];
writeFileSync(ignoreFile, [readFileSync('.vscodeignore', 'utf8'), ...otherDawnBuilds, ...unusedWasmCopies, ''].join('\n'));

const output = process.argv[2] ?? 'cnn-lab.vsix';
// --follow-symlinks: npm links the `file:` dependency node_modules/cnnlab-typescript-plugin to
// ts-plugin/ (the TypeScript server plugin); vsce would otherwise take the link for a file and fail.
run(join('node_modules', '.bin', 'vsce'), ['package', '--target', vsceTarget, '--follow-symlinks', '--ignoreFile', ignoreFile, '--out', output]);

// One build for every bundle: the extension host, the trainer child process, the CLI and the webview.
// `--watch` rebuilds on change, `--production` minifies and drops source maps.
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as esbuild from 'esbuild';
import { copyTfjsTypings } from './scripts/tfjs-typings.mjs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

// Native or very large packages stay in node_modules and are loaded at run time:
// tfjs backends probe for them, and bundling the TypeScript compiler would double the bundle for nothing.
const nodeExternals = [
  'vscode',
  'typescript',
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-layers',
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-backend-webgpu',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
  'webgpu',
  'sharp',
  // Keras .h5 / .keras weights (src/keras/savedModel.ts): an ES module whose one JS file carries
  // the 4 MB HDF5 WebAssembly binary; loaded with import() from node_modules, bundled nowhere.
  'h5wasm',
];

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
};

const nodeBundle = (entry, outfile) => ({
  ...common,
  entryPoints: [entry],
  outfile,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: nodeExternals,
  // jsonc-parser's UMD `main` requires its modules dynamically, which a bundle cannot follow; its ESM build bundles.
  mainFields: ['module', 'main'],
});

const configs = [
  nodeBundle('src/extension/main.ts', 'dist/extension.js'),
  nodeBundle('src/trainer/main.ts', 'dist/trainer.js'),
  // Looks inside a run's model for the panel's Inside tab (src/extension/insideClient.ts forks it).
  nodeBundle('src/trainer/insideMain.ts', 'dist/inside.js'),
  nodeBundle('src/cli.ts', 'dist/cli.js'),
  // Runs .model.ts modules for shape hints; src/model/evaluate.ts starts it from the same folder.
  nodeBundle('src/model/evaluateWorker.ts', 'dist/evaluateWorker.js'),
  // The TypeScript server plugin is its own package (ts-plugin/, a `file:` dependency, so the .vsix
  // carries it as node_modules/cnnlab-typescript-plugin/, where VS Code's TypeScript looks). No source
  // map: it is a few dozen readable lines, and the folder then holds only what ships.
  { ...nodeBundle('src/tsPlugin/main.ts', 'ts-plugin/index.js'), sourcemap: false },
  {
    ...common,
    entryPoints: ['webview/src/main.ts'],
    outfile: 'dist/webview/main.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    loader: { '.css': 'css', '.ttf': 'file' },
  },
];

// The wasm backend's binaries go next to dist/trainer.js and dist/cli.js, where src/trainer/backends.ts
// looks first: the .vsix leaves out node_modules/@tensorflow/*/dist/ except the *.node.js bundles.
// The SIMD build is the one used; the plain one serves CPUs without SIMD. Threads are off in Node, so
// the threaded build would never load.
function copyWasmBinaries() {
  const wasmDist = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  mkdirSync('dist', { recursive: true });
  for (const file of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']) {
    copyFileSync(join(wasmDist, file), join('dist', file));
  }
}
copyWasmBinaries();
// The tfjs declarations the plugin falls back to, beside it: ts-plugin/typings/node_modules/@tensorflow/….
copyTfjsTypings('ts-plugin/typings');

if (watch) {
  const contexts = await Promise.all(configs.map((config) => esbuild.context(config)));
  await Promise.all(contexts.map((context) => context.watch()));
  console.log('[esbuild] watching extension, trainer, cli and webview');
} else {
  await Promise.all(configs.map((config) => esbuild.build(config)));
}

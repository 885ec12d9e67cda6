// Copies the type declarations that `import * as tf from '@tensorflow/tfjs'` needs into
// <out>/node_modules/, for the TypeScript server plugin (src/tsPlugin/plugin.ts): esbuild.mjs writes
// them to ts-plugin/typings/, which the .vsix carries as node_modules/cnnlab-typescript-plugin/typings/.
//
// Only the closure of the entry declarations goes in, found the way TypeScript finds it: each file's
// imports, `import("…")` types and `/// <reference>`s (ts.preProcessFile), resolved with
// ts.resolveModuleName from the installed packages. About 600 of tfjs's ~2,500 .d.ts files.
// Each package gets a package.json that names its `types` entry and nothing else to load.
// A build whose inputs (this script, the installed versions) are unchanged leaves the folder alone;
// a fresh copy is staged beside it and moved into place, so that concurrent builds never mix files.
//
//   node scripts/tfjs-typings.mjs <out>
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(repoRoot, 'package.json'));
const ts = require('typescript');

// What model files import. tfjs-layers and tfjs-core are in tfjs's closure; naming them makes sure.
const entries = ['@tensorflow/tfjs', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-core'];

// @tensorflow/tfjs-node and -node-gpu are optional dependencies that often cannot install (native
// TensorFlow), so their own declarations cannot be copied. Both re-export all of @tensorflow/tfjs,
// which is what a model file uses; their Node-only additions (tf.node.*, io.fileSystem) are
// declared only by the real package, which wins as soon as the workspace installs it.
const tfjsReexports = ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'];

/** `<dir>/node_modules/<name>` → { root, name } for the package a declaration file belongs to. */
function packageOf(file) {
  const match = /^(.*[\\/]node_modules[\\/])((?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(file);
  if (!match) throw new Error(`${file} is not inside a node_modules package`);
  return { root: match[1] + match[2], name: match[2].split(sep).join('/') };
}

/** What the copy depends on: this script and the versions of the packages it may copy from. */
function inputsStamp(nodeModules) {
  const hash = createHash('sha256').update(readFileSync(fileURLToPath(import.meta.url)));
  const manifests = [
    ...readdirSync(join(nodeModules, '@tensorflow')).map((name) => join(nodeModules, '@tensorflow', name, 'package.json')),
    join(nodeModules, '@webgpu', 'types', 'package.json'),
    join(nodeModules, 'typescript', 'package.json'),
  ];
  for (const manifest of manifests) if (existsSync(manifest)) hash.update(`${manifest}@${JSON.parse(readFileSync(manifest, 'utf8')).version}\n`);
  return hash.digest('hex');
}

/** Copies the declarations into `outDir`; undefined when the copy there is already up to date. */
export function copyTfjsTypings(outDir) {
  const nodeModules = join(repoRoot, 'node_modules');
  const stamp = inputsStamp(nodeModules);
  const stampFile = join(outDir, '.built-from');
  const upToDate = () => existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp;
  if (upToDate()) return undefined;
  const staging = `${outDir}.${process.pid}.tmp`;
  const options = { moduleResolution: ts.ModuleResolutionKind.Bundler, types: [] };
  const importer = join(repoRoot, 'index.ts');
  const resolveFile = (specifier, from) => ts.resolveModuleName(specifier, from, options, ts.sys).resolvedModule?.resolvedFileName;

  const files = new Set();
  const queue = entries.map((entry) => {
    const file = resolveFile(entry, importer);
    if (!file || !file.endsWith('.d.ts')) throw new Error(`${entry} has no type declarations in node_modules (npm install first)`);
    return file;
  });
  while (queue.length > 0) {
    const file = queue.pop();
    if (files.has(file)) continue;
    files.add(file);
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const found = [
      ...info.importedFiles.map((ref) => resolveFile(ref.fileName, file)),
      ...info.referencedFiles.map((ref) => resolve(dirname(file), ref.fileName)),
      ...info.typeReferenceDirectives.map(
        (ref) => ts.resolveTypeReferenceDirective(ref.fileName, file, options, ts.sys).resolvedTypeReferenceDirective?.resolvedFileName,
      ),
    ];
    // Unresolved names (Node's 'fs' in one io declaration) stay unresolved, as in any project without @types/node.
    for (const next of found) if (next && next.endsWith('.d.ts') && existsSync(next) && !files.has(next)) queue.push(next);
  }

  rmSync(staging, { recursive: true, force: true });
  const packages = new Map();
  let bytes = 0;
  for (const file of files) {
    if (!file.startsWith(nodeModules + sep)) throw new Error(`${file} is outside node_modules`);
    const target = join(staging, 'node_modules', relative(nodeModules, file));
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(file, target);
    bytes += statSync(file).size;
    const pkg = packageOf(file);
    packages.set(pkg.root, pkg.name);
  }
  for (const root of packages.keys()) {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const target = join(staging, 'node_modules', relative(nodeModules, root));
    const types = manifest.types ?? manifest.typings ?? 'index.d.ts';
    writeFileSync(
      join(target, 'package.json'),
      JSON.stringify({ name: manifest.name, version: manifest.version, license: manifest.license, types }, null, 2) + '\n',
    );
    for (const license of ['LICENSE', 'LICENSE.md', 'LICENSE.txt']) {
      if (existsSync(join(root, license))) copyFileSync(join(root, license), join(target, license));
    }
  }
  const tfjsVersion = JSON.parse(readFileSync(join(nodeModules, '@tensorflow', 'tfjs', 'package.json'), 'utf8')).version;
  for (const name of tfjsReexports) {
    const target = join(staging, 'node_modules', ...name.split('/'));
    mkdirSync(target, { recursive: true });
    writeFileSync(
      join(target, 'package.json'),
      JSON.stringify({ name, version: tfjsVersion, license: 'Apache-2.0', types: 'index.d.ts' }, null, 2) + '\n',
    );
    writeFileSync(
      join(target, 'index.d.ts'),
      `// CNN Lab's stand-in for ${name}'s declarations: everything @tensorflow/tfjs declares, which ${name}\n` +
        `// re-exports. The Node-only additions (tf.node.*, io.fileSystem) come with the real package: install it.\n` +
        `export * from '@tensorflow/tfjs';\n`,
    );
  }
  writeFileSync(join(staging, '.built-from'), stamp);
  try {
    rmSync(outDir, { recursive: true, force: true });
    renameSync(staging, outDir);
  } catch (error) {
    // Another build moved the same files into place first.
    rmSync(staging, { recursive: true, force: true });
    if (!upToDate()) throw error;
  }
  return { files: files.size, bytes, packages: [...packages.values()].sort() };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: node scripts/tfjs-typings.mjs <out>');
    process.exit(2);
  }
  const copied = copyTfjsTypings(resolve(out));
  if (!copied) console.log(`${out} is up to date`);
  else console.log(`${copied.files} declaration files (${(copied.bytes / 1024).toFixed(0)} KiB) from ${copied.packages.join(', ')}`);
}

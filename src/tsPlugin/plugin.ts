// The TypeScript server plugin behind `contributes.typescriptServerPlugins`: a `*.model.ts` starts with
// `import * as tf from '@tensorflow/tfjs'`, and most workspaces that hold model files have no tfjs
// installed, so VS Code's TypeScript would report ts2307 and type every `tf.*` as `any`. The plugin
// lets such imports resolve to the tfjs type declarations the extension carries
// (scripts/tfjs-typings.mjs copies them next to the plugin), and only when the workspace itself
// finds nothing: an installed tfjs always wins, and stays the one used once it is installed.
//
// No `import` of `typescript` at run time: tsserver hands the plugin its own module (the bundled or
// the workspace's TypeScript), and that is the one whose resolver must run.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type * as ts from 'typescript';

const tensorflowSpecifier = /^@tensorflow\/([^/]+)(?:\/|$)/;

/** The `@tensorflow/*` packages whose declarations sit under `<typingsRoot>/node_modules`. */
export function bundledTensorflowPackages(typingsRoot: string): Set<string> {
  try {
    return new Set(readdirSync(join(typingsRoot, 'node_modules', '@tensorflow')));
  } catch {
    return new Set();
  }
}

/**
 * The plugin module for typings under `typingsRoot`, laid out as a `node_modules` tree
 * (`<typingsRoot>/node_modules/@tensorflow/tfjs/package.json` …): a lookup from inside that folder is
 * TypeScript's own resolution, so the declarations' imports of each other need no help.
 */
export function tfjsTypingsPlugin(typingsRoot: string): ts.server.PluginModuleFactory {
  return ({ typescript }) => ({
    create(info) {
      const host = info.languageServiceHost;
      // tsserver's project has resolved module names itself since TypeScript 5.0; an older one (no
      // resolveModuleNameLiterals, no bundler resolution) is left as it is.
      const original = host.resolveModuleNameLiterals?.bind(host);
      if (!original || typescript.ModuleResolutionKind.Bundler === undefined) return info.languageService;
      const packages = bundledTensorflowPackages(typingsRoot);
      if (packages.size === 0) return info.languageService;

      const resolutionHost: ts.ModuleResolutionHost = {
        fileExists: (file) => host.fileExists(file),
        readFile: (file) => host.readFile(file),
        directoryExists: host.directoryExists ? (dir) => host.directoryExists!(dir) : undefined,
        realpath: host.realpath ? (file) => host.realpath!(file) : undefined,
        getCurrentDirectory: () => host.getCurrentDirectory(),
      };
      // Fixed options rather than the project's: the answer is always a package's `types` file, and
      // a project on `classic` resolution (tsconfig `"module": "esnext"` alone) never looks in
      // node_modules at all. The cache lives as long as the plugin; the typings never change under it.
      const fallbackOptions: ts.CompilerOptions = { moduleResolution: typescript.ModuleResolutionKind.Bundler };
      const fallbackCache = typescript.createModuleResolutionCache(typingsRoot, (file) => file, fallbackOptions);
      const importer = join(typingsRoot, 'index.ts');

      // Only `@tensorflow/<bundled package>[/…]`: those are all that the bundled declarations import
      // besides their own relative paths, so this also carries a project on classic resolution through them.
      const wanted = (specifier: string): boolean => packages.has(tensorflowSpecifier.exec(specifier)?.[1] ?? '');

      host.resolveModuleNameLiterals = (literals, containingFile, redirectedReference, options, containingSourceFile, reusedNames) => {
        // The workspace's own resolution runs first, every time: it also records the places it
        // looked, so tsserver notices when tfjs is installed later and resolves afresh.
        const resolved = original(literals, containingFile, redirectedReference, options, containingSourceFile, reusedNames);
        return resolved.map((result, index) => {
          const specifier = literals[index]!.text;
          if (result.resolvedModule || !wanted(specifier)) return result;
          const bundled = typescript.resolveModuleName(specifier, importer, fallbackOptions, resolutionHost, fallbackCache);
          return bundled.resolvedModule ? bundled : result;
        });
      };
      info.project?.projectService?.logger?.info(`cnnlab-typescript-plugin: unresolved @tensorflow/* imports fall back to ${typingsRoot}`);
      return info.languageService;
    },
  });
}


// Entry of the `cnnlab-typescript-plugin` package (esbuild bundles it to ts-plugin/index.js; VS Code's
// TypeScript loads it from the extension's node_modules/cnnlab-typescript-plugin). tsserver calls
// the module itself, so the factory is the whole export; the typings sit beside it.
import { join } from 'node:path';
import { tfjsTypingsPlugin } from './plugin';

export = tfjsTypingsPlugin(join(__dirname, 'typings'));

// The TypeScript compiler, loaded on first use. It is about 9 MB of JavaScript: importing it at
// the top of a module would make every activation of the extension pay for it, even for users
// who only ever open JSON models. `typescript` stays external in the bundles, so this `require`
// reaches node_modules at run time.
import type * as TS from 'typescript';

let compiler: typeof TS | undefined;

export function loadTypeScript(): typeof TS {
  compiler ??= require('typescript') as typeof TS;
  return compiler;
}

#!/usr/bin/env node
// The CLI entry: the bundle is built by `npm run build` (esbuild.mjs).
require('../dist/cli.js');

// The extension reaches VS Code the way a user's copy does: packaged by `npm run package`
// (vsce) and installed with `code-server --install-extension`.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { listInstalledExtensions, startCodeServer, vsixPath, type RunningCodeServer } from './harness/codeServer';
import { launchBrowser, Workbench } from './harness/workbench';
import { listZipEntries } from './harness/vsix';
import { createWorkspace } from './harness/workspace';

describe('e2e: install from the .vsix', function () {
  let server: RunningCodeServer | undefined;
  let browser: Browser | undefined;

  after(async function () {
    await browser?.close();
    await server?.stop();
  });

  it('the .vsix carries the bundles and the trainer runtime, and stays small', function () {
    const listing = listZipEntries(vsixPath);
    for (const required of [
      'extension/package.json',
      'extension/dist/extension.js',
      'extension/dist/trainer.js',
      'extension/dist/cli.js',
      'extension/dist/webview/main.js',
      'extension/node_modules/@tensorflow/tfjs/dist/tf.node.js',
      'extension/node_modules/@tensorflow/tfjs-backend-webgpu/dist/tf-backend-webgpu.node.js',
      'extension/node_modules/webgpu/index.js',
      'extension/node_modules/sharp/package.json',
      'extension/node_modules/typescript/lib/typescript.js',
      // The TypeScript server plugin where VS Code's TypeScript looks for it, with the tfjs typings.
      'extension/node_modules/cnnlab-typescript-plugin/package.json',
      'extension/node_modules/cnnlab-typescript-plugin/index.js',
      'extension/node_modules/cnnlab-typescript-plugin/typings/node_modules/@tensorflow/tfjs/package.json',
      'extension/node_modules/cnnlab-typescript-plugin/typings/node_modules/@tensorflow/tfjs/dist/index.d.ts',
      'extension/node_modules/cnnlab-typescript-plugin/typings/node_modules/@tensorflow/tfjs-layers/dist/exports_layers.d.ts',
    ]) {
      assert.ok(listing.includes(required), `${required} is missing from the .vsix`);
    }
    assert.ok(!listing.some((entry) => entry.startsWith('extension/src/') || entry.startsWith('extension/.e2e/')), 'sources leaked into the .vsix');
    const megabytes = statSync(vsixPath).size / 1024 / 1024;
    assert.ok(megabytes < 40, `the .vsix is ${megabytes.toFixed(1)} MB`);
  });

  it('code-server lists CNN Lab after --install-extension, and the workbench opens', async function () {
    const listed = listInstalledExtensions();
    assert.match(listed, /^cnn-lab\.cnn-lab@0\.1\.0$/m);
    const workspace = createWorkspace('install');
    server = await startCodeServer({ workspace, trusted: true });
    browser = await launchBrowser();
    const workbench = await Workbench.open(browser, server.url);
    await workbench.openCnnLabSidebar();
    await workbench.page.locator('.part.sidebar .pane-header', { hasText: /Runs/i }).first().waitFor();
    await workbench.screenshot('00-workbench-with-cnn-lab');
  });
});

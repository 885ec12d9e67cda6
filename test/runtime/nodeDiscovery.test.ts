import { strict as assert } from 'node:assert';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findSystemNode, nodeCandidates, nodeMajor, nodeVersionOf } from '../../src/runtime/nodeDiscovery';

/** A stand-in `node` that prints a fixed version, the way `node --version` does. */
function fakeNode(path: string, version: string): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, `#!/bin/sh\necho ${version}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('system Node discovery', () => {
  let root: string;
  let home: string;
  let pathDir: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'cnnlab-node-'));
    home = join(root, 'home');
    pathDir = join(root, 'path-bin');
    mkdirSync(pathDir, { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('prefers the setting, then PATH, then nvm versions newest first', () => {
    const configured = fakeNode(join(root, 'custom', 'node'), 'v22.1.0');
    const onPath = fakeNode(join(pathDir, 'node'), 'v20.0.0');
    const nvm9 = fakeNode(join(home, '.nvm/versions/node/v9.11.2/bin/node'), 'v9.11.2');
    const nvm20 = fakeNode(join(home, '.nvm/versions/node/v20.11.1/bin/node'), 'v20.11.1');
    const nvm18 = fakeNode(join(home, '.nvm/versions/node/v18.19.0/bin/node'), 'v18.19.0');
    const candidates = nodeCandidates({ configuredPath: configured, env: { PATH: pathDir }, home, platform: 'linux' });
    assert.deepEqual(candidates.slice(0, 5), [
      { path: configured, source: 'setting' },
      { path: onPath, source: 'PATH' },
      { path: nvm20, source: 'nvm' },
      { path: nvm18, source: 'nvm' },
      { path: nvm9, source: 'nvm' },
    ]);
  });

  it('passes over a missing setting and a too-old Node, and takes the first Node ≥ 18 it can run', async () => {
    fakeNode(join(pathDir, 'node'), 'v16.20.2');
    const volta = fakeNode(join(home, '.volta/bin/node'), 'v20.5.0');
    const search = await findSystemNode({
      configuredPath: join(root, 'nowhere', 'node'),
      env: { PATH: pathDir },
      home,
      platform: 'linux',
      versionOf: nodeVersionOf,
    });
    assert.deepEqual(search.found, { path: volta, source: 'volta', version: 'v20.5.0' });
    assert.deepEqual(search.rejected, [
      { path: join(root, 'nowhere', 'node'), source: 'setting', problem: 'no such file' },
      { path: join(pathDir, 'node'), source: 'PATH', problem: 'is v16.20.2; Node 18 or later is needed' },
    ]);
  });

  it('reports every candidate when none runs', async () => {
    fakeNode(join(home, '.fnm/node-versions/v20.0.0/installation/bin/node'), 'v20.0.0');
    const search = await findSystemNode({ env: { PATH: pathDir }, home, platform: 'linux', versionOf: async () => undefined });
    assert.equal(search.found, undefined);
    assert.ok(search.rejected.length > 0);
    assert.ok(search.rejected.every((entry) => entry.problem === 'does not run'));
    assert.ok(search.rejected.some((entry) => entry.source === 'fnm'));
  });

  it('reads the real Node running this test', async () => {
    const version = await nodeVersionOf(process.execPath);
    assert.equal(version, process.version);
    assert.equal(nodeMajor('v20.11.1'), 20);
    assert.equal(nodeMajor('garbage'), undefined);
  });
});

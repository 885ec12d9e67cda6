// The manifest, its menus and the code agree on the commands: every command a menu or the palette
// offers is registered, every registered command is either in the manifest or an internal one,
// and each is registered once, through the context's one error wrapper.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INTERNAL_COMMANDS, MANIFEST_COMMANDS } from '../../src/extension/commands';

const repoRoot = join(__dirname, '..', '..');
const extensionDir = join(repoRoot, 'src', 'extension');
const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  contributes: { commands: { command: string }[]; menus: Record<string, { command: string }[]> };
};

/** The command ids passed to `registerCommand` in src/extension, literal or through an exported constant. */
function registeredInSource(): string[] {
  const sources = readdirSync(extensionDir).filter((name) => name.endsWith('.ts')).map((name) => readFileSync(join(extensionDir, name), 'utf8'));
  const constants = new Map<string, string>();
  for (const source of sources) {
    for (const match of source.matchAll(/export const (\w+) = '(cnnLab\.\w+)'/g)) constants.set(match[1], match[2]);
  }
  return sources.flatMap((source) =>
    [...source.matchAll(/ctx\.registerCommand\(\s*(?:'([^']+)'|(\w+))/g)].map((match) => match[1] ?? constants.get(match[2]) ?? `unresolved ${match[2]}`),
  );
}

describe('commands: manifest, menus and code agree', function () {
  it('the manifest lists exactly the user-facing commands', function () {
    assert.deepEqual(manifest.contributes.commands.map((entry) => entry.command).sort(), [...MANIFEST_COMMANDS].sort());
  });

  it('every menu entry names a listed command', function () {
    for (const [menu, entries] of Object.entries(manifest.contributes.menus)) {
      for (const entry of entries) assert.ok((MANIFEST_COMMANDS as readonly string[]).includes(entry.command), `${menu}: ${entry.command}`);
    }
  });

  it('the code registers every command once, through the context', function () {
    assert.deepEqual(registeredInSource().sort(), [...MANIFEST_COMMANDS, ...INTERNAL_COMMANDS].sort());
    const direct = readdirSync(extensionDir).filter((name) => name !== 'ctx.ts' && readFileSync(join(extensionDir, name), 'utf8').includes('commands.registerCommand'));
    assert.deepEqual(direct, [], 'commands registered around the context’s error wrapper');
  });
});

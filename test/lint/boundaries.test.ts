// The layer boundaries of ARCHITECTURE.md hold because the linter refuses a file that crosses one:
// these cases lint a file as if it sat in each layer, with the project's own eslint.config.mjs.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ESLint } from 'eslint';

const repoRoot = join(__dirname, '..', '..');

/** The rule ids ESLint reports for `code` placed at `relativePath`; only import rules are looked at, so the file need not type-check. */
async function restrictedImports(relativePath: string, code: string): Promise<string[]> {
  const eslint = new ESLint({
    cwd: repoRoot,
    // Typed rules need a file the TypeScript project knows; the boundary rules do not.
    overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: null } } },
    ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
  });
  const [result] = await eslint.lintText(code, { filePath: join(repoRoot, relativePath) });
  return result.messages.map((message) => `${message.ruleId}: ${message.message}`);
}

describe('lint: layer boundaries', function () {
  this.timeout(60_000);

  for (const layer of ['src/model', 'src/runs', 'src/trainer']) {
    it(`refuses vscode in ${layer}`, async function () {
      const messages = await restrictedImports(`${layer}/boundaryProbe.ts`, "import * as vscode from 'vscode';\nexport const probe = vscode;\n");
      assert.equal(messages.length, 1, messages.join('\n'));
      assert.match(messages[0], /run outside VS Code/);
    });
  }

  it('refuses tfjs in src/model, in every spelling of the package', async function () {
    for (const specifier of ['@tensorflow/tfjs', '@tensorflow/tfjs-core', '@tensorflow/tfjs-layers/dist/exports']) {
      const messages = await restrictedImports('src/model/boundaryProbe.ts', `import * as tf from '${specifier}';\nexport const probe = tf;\n`);
      assert.equal(messages.length, 1, `${specifier}: ${messages.join('\n')}`);
      assert.match(messages[0], /without tfjs/);
    }
  });

  it('lets the trainer import tfjs and the extension import vscode', async function () {
    assert.deepEqual(await restrictedImports('src/trainer/boundaryProbe.ts', "import * as tf from '@tensorflow/tfjs';\nexport const probe = tf;\n"), []);
    assert.deepEqual(await restrictedImports('src/extension/boundaryProbe.ts', "import * as vscode from 'vscode';\nexport const probe = vscode;\n"), []);
  });
});

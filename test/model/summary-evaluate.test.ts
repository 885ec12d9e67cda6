// `cnnlab summary --evaluate` (issue 10, item 7): the command line runs a `.model.ts` module the
// static reader cannot follow, with the editor's evaluator; without the flag it says, on the line
// where reading stopped, that the flag would run the module. The exit codes keep their meaning.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { runSummaryCommand } from '../../src/cli/summary';

const repoRoot = join(__dirname, '..', '..');

const loopModel = `import * as tf from '@tensorflow/tfjs';
export default function build() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [4], units: 8 }));
  for (let i = 0; i < 2; i++) model.add(tf.layers.dense({ units: 8 }));
  return model;
}
`;

describe('cnnlab summary --evaluate', function () {
  this.timeout(20_000);
  let folder: string;
  let workerScript: string;
  const write = (name: string, text: string): string => {
    const file = join(folder, name);
    writeFileSync(file, text);
    return file;
  };
  const cli = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    let stdout = '';
    let stderr = '';
    const code = await runSummaryCommand(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) }, { workerScript });
    return { code, stdout, stderr };
  };

  before(() => {
    folder = mkdtempSync(join(tmpdir(), 'cnnlab-summary-evaluate-'));
    workerScript = join(folder, 'evaluateWorker.js');
    buildSync({ entryPoints: [join(repoRoot, 'src/model/evaluateWorker.ts')], outfile: workerScript, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error' });
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('--help documents the flag and that it runs the code', async () => {
    const { code, stdout } = await cli(['--help']);
    assert.equal(code, 0);
    assert.match(stdout, /^Usage: cnnlab summary FILE \[--json\] \[--evaluate\]/);
    assert.match(stdout, /--evaluate {3}when a \*\.model\.ts file has code the reader cannot follow/);
    assert.match(stdout, /This runs the\s+file's code: use it on code you trust\./);
  });

  it('without the flag, the warning where reading stopped says that --evaluate would run the module; exit 3', async () => {
    const file = write('loop.model.ts', loopModel);
    const { code, stdout, stderr } = await cli([file]);
    assert.equal(code, 3);
    assert.match(stdout, /Total params: 40\n/);
    assert.deepEqual(stderr.trim().split('\n').length, 1, stderr);
    assert.match(stderr, new RegExp(`:5:3: warning: CNN Lab cannot work out .* \`cnnlab summary ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} --evaluate\` would run the module to follow it \\(only for code you trust\\)\\.\n$`));
  });

  it('with the flag, the module is run: the whole summary, exit 0, and no hint', async () => {
    const file = write('loop.model.ts', loopModel);
    const { code, stdout, stderr } = await cli([file, '--evaluate']);
    assert.equal(code, 0, stderr);
    assert.equal(stderr, '');
    // 4·8 + 8, then twice 8·8 + 8.
    assert.match(stdout, /Total params: 184\n/);
    const json = await cli([file, '--evaluate', '--json']);
    assert.equal(json.code, 0);
    assert.equal((JSON.parse(json.stdout) as { totalParams: number }).totalParams, 184);
  });

  it('a module that throws: exit 1, the error on its line', async () => {
    const file = write('throws.model.ts', "import * as tf from '@tensorflow/tfjs';\nconst widths: number[] = [];\nfor (const units of widths) void units;\nexport default () => {\n  throw new Error('no widths');\n};\n");
    const { code, stderr } = await cli([file, '--evaluate']);
    assert.equal(code, 1);
    assert.match(stderr, /throws\.model\.ts:5:9: error: Running the model module failed: Error: no widths\n$/);
  });

  it('files the reader follows, and JSON models, are read as without the flag', async () => {
    const file = write('plain.model.json', '{ "inputShape": [4], "layers": [{ "type": "Dense", "units": 2 }] }\n');
    const { code, stdout } = await cli([file, '--evaluate']);
    assert.equal(code, 0);
    assert.match(stdout, /Total params: 10\n/);
  });
});

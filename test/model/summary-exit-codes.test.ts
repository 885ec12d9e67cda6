// `cnnlab summary` exit codes tell errors from warnings (issue 10, item 7): a `.model.ts` whose first
// layer the static reader cannot follow once exited 1 with a false "The model has no layers" error.
// Now: 1 only for errors, 3 for a summary left incomplete by code the reader cannot follow (with
// only the honest warning), 0 for a whole, valid model.
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSummary } from '../../src/cli/summary';

function runCli(args: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = runSummary(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
  return { code, stdout, stderr };
}

describe('cnnlab summary exit codes: warnings are not errors', () => {
  const directory = mkdtempSync(join(tmpdir(), 'cnnlab-exit-'));
  const write = (name: string, text: string): string => {
    const file = join(directory, name);
    writeFileSync(file, text);
    return file;
  };

  it('first layer from a parameter: exit 3, only the unresolved warning on stderr, no "no layers" error', () => {
    const file = write('param.model.ts', "import * as tf from '@tensorflow/tfjs';\nexport default function build(units: number) {\n  const model = tf.sequential();\n  model.add(tf.layers.dense({ inputShape: [784], units }));\n  return model;\n}\n");
    const result = runCli([file]);
    assert.equal(result.code, 3);
    assert.equal(result.stdout, '');
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0], /:4:\d+: warning: CNN Lab cannot work out the value of the parameter `units`/);
    assert.doesNotMatch(result.stderr, /no layers|error:/);
    const json = runCli([file, '--json']);
    assert.equal(json.code, 3);
    assert.equal(json.stderr, '');
    assert.deepEqual((JSON.parse(json.stdout) as { diagnostics: { severity: string }[] }).diagnostics.map((diagnostic) => diagnostic.severity), ['warning']);
  });

  it('a loop after readable layers: exit 3, the layers before it printed', () => {
    const file = write('loop.model.ts', "import * as tf from '@tensorflow/tfjs';\nconst model = tf.sequential();\nmodel.add(tf.layers.dense({ inputShape: [4], units: 8 }));\nfor (let i = 0; i < 2; i++) model.add(tf.layers.dense({ units: 8 }));\nexport default model;\n");
    const result = runCli([file]);
    assert.equal(result.code, 3);
    assert.match(result.stdout, /Total params: 40\n/);
    assert.match(result.stderr, /:4:1: warning: /);
  });

  it('a whole model with only a warning that is not about reading exits 0', () => {
    // A softmax classifier whose Dense sees a 4-D input: Keras accepts it, CNN Lab warns.
    const file = write('warn.model.json', '{\n  "inputShape": [4, 4, 1],\n  "layers": [\n    { "type": "Dense", "units": 3, "activation": "softmax" }\n  ]\n}\n');
    const result = runCli([file]);
    assert.equal(result.code, 0);
    assert.match(result.stderr, /warning: Dense layer "dense" is applied to the last axis/);
  });

  it('errors still exit 1', () => {
    const file = write('error.model.ts', "import * as tf from '@tensorflow/tfjs';\nexport default tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 0 })] });\n");
    assert.equal(runCli([file]).code, 1);
  });
});

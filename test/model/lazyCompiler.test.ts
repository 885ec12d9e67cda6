// Activation cost: reading JSON models must not load the TypeScript compiler; only a `.model.ts`
// file may. Checked in a fresh Node process, whose module cache starts empty.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const repoRoot = join(__dirname, '..', '..');

/** Analyses one file in a child process; returns whether the compiler ended up in the module cache, and the layer count. */
function analyseInFreshProcess(fileName: string, text: string): { compilerLoaded: boolean; layers: number } {
  const script = `
    const { analyzeModel } = require('./src/model/index.ts');
    const analysis = analyzeModel(${JSON.stringify(text)}, ${JSON.stringify(fileName)});
    const compilerLoaded = Object.keys(require.cache).some((path) => /node_modules[\\\\/]typescript[\\\\/]/.test(path));
    process.stdout.write(JSON.stringify({ compilerLoaded, layers: analysis.summary ? analysis.summary.layers.length : -1 }));
  `;
  const output = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: repoRoot, encoding: 'utf8' });
  return JSON.parse(output) as { compilerLoaded: boolean; layers: number };
}

describe('lazy TypeScript compiler', function () {
  this.timeout(30000);

  it('analysing a JSON model does not load typescript', () => {
    const text = JSON.stringify({ inputShape: [28, 28, 1], layers: [{ type: 'Conv2D', filters: 8, kernelSize: 3 }, { type: 'Flatten' }, { type: 'Dense', units: 10 }] });
    assert.deepEqual(analyseInFreshProcess('small.model.json', text), { compilerLoaded: false, layers: 3 });
  });

  it('analysing a .model.ts file loads it on demand', () => {
    const text = "import * as tf from '@tensorflow/tfjs';\nexport default tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2 })] });\n";
    assert.deepEqual(analyseInFreshProcess('small.model.ts', text), { compilerLoaded: true, layers: 1 });
  });
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '../../src/runs/format';
import { temporaryDir } from './helpers';

const root = join(__dirname, '..', '..');

// Conv blocks added in a loop through a helper: the static reader cannot follow this, so the
// trainer must run the module against the shape-only stand-in to learn the model.
const loopBuiltModel = `import * as tf from '@tensorflow/tfjs';

function convBlock(model: tf.Sequential, filters: number): void {
  model.add(tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
}

export default function buildModel(): tf.Sequential {
  const model = tf.sequential({ name: 'loop-built-tiny' });
  model.add(tf.layers.inputLayer({ inputShape: [12, 12, 1] }));
  for (const filters of [4, 8]) convBlock(model, filters);
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 4, activation: 'softmax' }));
  return model;
}

export const training = { dataset: 'shapes', epochs: 1, batchSize: 16, backend: 'cpu' };
`;

describe('training a .model.ts built by code', () => {
  before(function () {
    this.timeout(60_000);
    // The evaluator's worker is a built bundle (dist/evaluateWorker.js), so train through the built CLI.
    const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, encoding: 'utf8' });
    assert.equal(build.status, 0, build.stderr);
  });

  it('runs the module to learn its layers, then trains the model it builds', function () {
    this.timeout(120_000);
    const dir = temporaryDir();
    writeFileSync(join(dir, 'loop.model.ts'), loopBuiltModel);
    const result = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'train', 'loop.model.ts', '--train-examples', '64', '--test-examples', '16'], { cwd: dir, encoding: 'utf8', timeout: 110_000 });
    assert.equal(result.status, 0, result.stderr + result.stdout);
    const runsDir = join(dir, '.cnnlab', 'runs');
    const [runId] = readdirSync(runsDir);
    const record = JSON.parse(readFileSync(join(runsDir, runId, 'run.json'), 'utf8')) as RunRecord;
    assert.equal(record.status, 'completed');
    assert.deepEqual(
      record.summary.layers.map((layer) => [layer.className, layer.outputShape, layer.params]),
      [
        ['Conv2D', [null, 12, 12, 4], 40],
        ['MaxPooling2D', [null, 6, 6, 4], 0],
        ['Conv2D', [null, 6, 6, 8], 296],
        ['MaxPooling2D', [null, 3, 3, 8], 0],
        ['Flatten', [null, 72], 0],
        ['Dense', [null, 4], 292],
      ],
    );
    assert.equal(record.summary.totalParams, 628);
  });
});

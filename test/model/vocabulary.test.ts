// One vocabulary, everywhere: the manifest, the validator, the schema and the trainer accept
// exactly the names src/model/vocabulary.ts lists, so a name accepted in one place works in all.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildModelSchema } from '../../src/model';
import { readTraining } from '../../src/model/training';
import { BACKEND_CHOICES, BUILT_IN_DATASETS, LOSS_NAMES, OPTIMIZER_NAMES } from '../../src/model/vocabulary';
import { resolveTraining } from '../../src/trainer/trainingConfig';

const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, { enum?: string[] }> } };
};

function trainingErrors(training: Record<string, unknown>): string[] {
  return readTraining(training).problems.filter((problem) => problem.severity === 'error').map((problem) => problem.message);
}

describe('vocabulary: one list of names for every part', function () {
  it('the cnnLab.backend setting offers exactly the backend choices', function () {
    assert.deepEqual(manifest.contributes.configuration.properties['cnnLab.backend'].enum, [...BACKEND_CHOICES]);
  });

  it('the validator accepts every built-in dataset, its aliases and folders, and refuses other names', function () {
    for (const dataset of [...BUILT_IN_DATASETS.map((entry) => entry.name), 'cifar-10', 'folder:data/pets']) {
      assert.deepEqual(trainingErrors({ dataset }), [], dataset);
    }
    const [refusal] = trainingErrors({ dataset: 'imagenet' });
    assert.match(refusal, /"shapes", "mnist", "fashion-mnist", "cifar10" or "folder:PATH"\. Received: dataset="imagenet"/);
  });

  it('validator and trainer agree on every optimizer and loss, in tfjs and Keras spellings', function () {
    for (const optimizer of OPTIMIZER_NAMES) {
      for (const written of [optimizer, optimizer.toUpperCase()]) {
        assert.deepEqual(trainingErrors({ optimizer: written }), [], written);
        assert.equal(resolveTraining({ optimizer: written } as never, 10).optimizer, optimizer);
      }
    }
    for (const loss of LOSS_NAMES) {
      const snake = loss.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
      for (const written of [loss, snake]) {
        assert.deepEqual(trainingErrors({ loss: written }), [], written);
        assert.equal(readTraining({ loss: written }).training?.loss, loss);
        assert.equal(resolveTraining({ loss: written } as never, 10).loss, loss);
      }
    }
    // Keras's alias: accepted by both, read as the full name.
    assert.equal(readTraining({ loss: 'mse' }).training?.loss, 'meanSquaredError');
    assert.equal(resolveTraining({ loss: 'mse' } as never, 10).loss, 'meanSquaredError');
    assert.equal(trainingErrors({ optimizer: 'lion' }).length, 1);
    assert.throws(() => resolveTraining({ optimizer: 'lion' } as never, 10), /Unknown optimizer 'lion'\. Use sgd, adam, rmsprop or adagrad\./);
  });

  it('the schema proposes every dataset, optimizer, loss and backend', function () {
    const text = JSON.stringify(buildModelSchema());
    for (const name of [...BUILT_IN_DATASETS.map((entry) => entry.name), ...OPTIMIZER_NAMES, ...LOSS_NAMES, ...BACKEND_CHOICES]) {
      assert.ok(text.includes(`"label":"\\"${name}\\""`), `the schema proposes ${name}`);
    }
  });
});

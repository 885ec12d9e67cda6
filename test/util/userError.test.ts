// Every failure the user can act on is a UserError: the trainer, the CLI and the extension show its
// message and hint the same way, whichever part threw it.
import assert from 'node:assert/strict';
import { UsageError } from '../../src/cli/train';
import { BackendUnavailableError } from '../../src/trainer/backends';
import { DatasetError } from '../../src/trainer/datasets';
import { hintFor, TrainingError } from '../../src/trainer/errors';
import { TrainingConfigError } from '../../src/trainer/trainingConfig';
import { hintOf, UserError } from '../../src/util/userError';

describe('UserError: one user-facing error type', function () {
  const cases: [string, UserError, string | undefined][] = [
    ['dataset', new DatasetError('No images in data/.', 'Put one folder of images per class in data/.'), 'Put one folder of images per class in data/.'],
    ['backend', new BackendUnavailableError('webgpu', [{ name: 'webgpu', reason: 'no adapter' }], 'Install a Vulkan driver.'), 'Install a Vulkan driver.'],
    ['training block', new TrainingConfigError('learningRate must be above 0. Received: 0.'), 'Fix the training block of the model file.'],
    ['training', new TrainingError('Run x is still running.', 'Stop it first, then resume it.'), 'Stop it first, then resume it.'],
    ['command line', new UsageError('Unknown option --fast.'), undefined],
  ];

  for (const [what, error, hint] of cases) {
    it(`a ${what} error is a UserError whose hint reaches the user`, function () {
      assert.ok(error instanceof UserError);
      assert.equal(hintOf(error), hint);
      assert.equal(hintFor(error), hint);
    });
  }

  it('keeps the cause of a failure it explains', function () {
    const cause = new Error('EACCES');
    assert.equal(new UserError('Cannot read run.json.', 'Check its permissions.', { cause }).cause, cause);
  });

  it('gives no hint for an error that is not the user’s to fix, except running out of memory', function () {
    assert.equal(hintOf(new TypeError('x is undefined')), undefined);
    assert.match(hintFor(new Error('Array buffer allocation failed')) ?? '', /lower the batch size/);
  });
});

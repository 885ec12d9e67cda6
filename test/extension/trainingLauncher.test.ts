// The TrainingLauncher is the one place that checks trust and merges the host's settings into
// what the trainer is asked for; these are its rules, on the fake vscode module.
import { runsUi } from './runsFake';
import { strict as assert } from 'node:assert';
import type * as vscode from 'vscode';
import { trainingAllowed, trainingRequest, untrustedMessage } from '../../src/extension/trainingLauncher';
import { Uri } from './fakeVscode';

const fake = require('vscode') as { workspace: { isTrusted: boolean } };
const folder = { uri: Uri.file('/w'), name: 'w', index: 0 } as unknown as vscode.WorkspaceFolder;

describe('TrainingLauncher', function () {
  beforeEach(() => runsUi.reset());
  afterEach(() => (fake.workspace.isTrusted = false));

  it('refuses in an untrusted workspace, once, saying why and how to trust it', function () {
    fake.workspace.isTrusted = false;
    assert.equal(trainingAllowed(), false);
    assert.deepEqual(runsUi.warnings, [untrustedMessage]);
    fake.workspace.isTrusted = true;
    assert.equal(trainingAllowed(), true);
    assert.equal(runsUi.warnings.length, 1);
  });

  it('asks the trainer for the user’s choices, the backend setting winning unless it is auto', function () {
    const request = { modelFile: '/w/m.model.json', folder, overrides: { epochs: 3, backend: 'cpu' as const } };
    assert.deepEqual(trainingRequest(request, { backend: 'wasm' }), { modelFile: '/w/m.model.json', workspaceFolder: '/w', overrides: { epochs: 3, backend: 'wasm' } });
    assert.deepEqual(trainingRequest(request, { backend: 'auto' }).overrides, { epochs: 3, backend: 'cpu' });
    assert.deepEqual(trainingRequest({ modelFile: '/w/m.model.json', folder }, { backend: 'auto' }), { modelFile: '/w/m.model.json', workspaceFolder: '/w' });
    // A setting edited by hand to a name CNN Lab does not know is not passed on.
    assert.equal(trainingRequest({ modelFile: '/w/m.model.json', folder }, { backend: 'tpu' }).overrides, undefined);
  });

  it('passes the dataset folder setting, a resume and a quick trial’s limits', function () {
    const limits = { trainExamples: 2000, testExamples: 500 };
    assert.deepEqual(trainingRequest({ modelFile: '/w/m.model.json', folder, resumeRunId: 'r1', limits }, { dataDir: '  /data  ' }), {
      modelFile: '/w/m.model.json',
      workspaceFolder: '/w',
      dataDir: '/data',
      resumeRunId: 'r1',
      limits,
    });
    assert.equal(trainingRequest({ modelFile: '/w/m.model.json', folder }, { dataDir: '   ' }).dataDir, undefined);
  });

  it('passes a fine-tune’s start from the model file’s weights', function () {
    assert.deepEqual(trainingRequest({ modelFile: '/w/m.keras', folder, initialWeights: 'model-file' }, {}), { modelFile: '/w/m.keras', workspaceFolder: '/w', initialWeights: 'model-file' });
  });

  it('passes a sweep variant’s experiment, for the trainer to apply and record (issue 12)', function () {
    const experiment = { id: 'e1', name: 'm sweep (grid, 2 variants)', variant: 1, variants: 2, values: { learningRate: 0.004 }, metric: { name: 'val_acc', goal: 'max' as const } };
    assert.deepEqual(trainingRequest({ modelFile: '/w/m.model.json', folder, experiment }, {}), { modelFile: '/w/m.model.json', workspaceFolder: '/w', experiment });
  });
});

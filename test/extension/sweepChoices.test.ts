// Issue 12, item 1 from the palette: CNN Lab: Sweep… offers the training keys and the layers'
// numeric options with their current values, reads the comma-separated values typed for a key and
// checks them against the model with the model core before anything trains.
import { strict as assert } from 'node:assert';
import { parseValueList, sweepFromChoices, sweepKeyChoices, valuesProblem } from '../../src/extension/sweepChoices';
import { analyzeModel } from '../../src/model';
import type { ModelIR } from '../../src/model/types';

const MODEL = JSON.stringify({
  name: 'cnn',
  inputShape: [20, 20, 1],
  layers: [
    { type: 'Conv2D', filters: 8, kernelSize: 3, activation: 'relu' },
    { type: 'MaxPooling2D', poolSize: 2 },
    { type: 'Dropout', name: 'drop', rate: 0.25 },
    { type: 'Flatten' },
    { type: 'Dense', units: 4, activation: 'softmax' },
  ],
  training: { dataset: 'shapes', epochs: 2, optimizer: { name: 'adam', learningRate: 0.004 } },
});

function model(): ModelIR {
  const { ir } = analyzeModel(MODEL, 'cnn.model.json');
  assert.ok(ir);
  return ir;
}

describe('CNN Lab: Sweep… choices (issue 12.1)', () => {
  it('offers the training keys, then each layer’s numeric options by layer name, with the model’s values', () => {
    const choices = sweepKeyChoices(model());
    assert.deepEqual(
      choices.map((choice) => [choice.key, choice.current]),
      [['learningRate', 0.004], ['batchSize', undefined], ['optimizer', 'adam'], ['epochs', 2], ['conv2d.filters', 8], ['conv2d.kernelSize', 3], ['max_pooling2d.poolSize', 2], ['drop.rate', 0.25], ['dense.units', 4]],
    );
  });

  it('reads comma-separated numbers, text and booleans', () => {
    assert.deepEqual(parseValueList(' 0.001, 4e-3 ,, .5'), [0.001, 0.004, 0.5]);
    assert.deepEqual(parseValueList('adam, "sgd"'), ['adam', 'sgd']);
    assert.deepEqual(parseValueList('true,false'), [true, false]);
  });

  it('refuses values the model core refuses, naming the value', () => {
    const ir = model();
    assert.equal(valuesProblem(ir, 'learningRate', '0.001, 0.01'), undefined);
    assert.equal(valuesProblem(ir, 'conv2d.filters', '8, 16'), undefined);
    assert.match(valuesProblem(ir, 'batchSize', '16, -2') ?? '', /Invalid value for sweep parameter 'batchSize'.*Received: .*-2/);
    assert.match(valuesProblem(ir, 'conv2d.kernelSize', '3, 30') ?? '', /^conv2d\.kernelSize=30: /);
    assert.match(valuesProblem(ir, 'epochs', ' , ') ?? '', /Type at least one value for epochs/);
  });

  it('makes the sweep: grid, or random with trials and the chosen metric', () => {
    const grid = sweepFromChoices({ learningRate: [0.001, 0.004], 'conv2d.filters': [8, 16] }, 'grid', { name: 'val_loss', goal: 'min' });
    assert.deepEqual(grid, { method: 'grid', parameters: { learningRate: [0.001, 0.004], 'conv2d.filters': [8, 16] }, metric: { name: 'val_loss', goal: 'min' } });
    assert.equal(sweepFromChoices({ learningRate: [0.001, 0.004, 0.01] }, 'random', { name: 'val_acc', goal: 'max' }, 2).trials, 2);
    assert.throws(() => sweepFromChoices({ learningRate: [0.001] }, 'random', { name: 'val_acc', goal: 'max' }, 0), /trials/);
  });
});

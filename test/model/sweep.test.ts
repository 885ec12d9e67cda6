import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeModel } from '../../src/model';
import { applyVariant, checkVariant, expandSweep, readSweep, variantLabel, type SweepSpec } from '../../src/model/sweep';
import type { ModelIR } from '../../src/model/types';

const sample = JSON.parse(readFileSync(join(__dirname, '..', '..', 'samples', 'shapes-cnn.model.json'), 'utf8')) as Record<string, unknown>;

/** The shapes sample with a sweep block, laid out one key per line. */
function shapesWithSweep(sweep: unknown): string {
  return JSON.stringify({ ...sample, sweep }, null, 2);
}

function shapesIr(): ModelIR {
  const analysis = analyzeModel(JSON.stringify(sample), 'shapes-cnn.model.json');
  assert.ok(analysis.ir);
  return analysis.ir;
}

const lineOf = (text: string, fragment: string): number => text.split('\n').findIndex((line) => line.includes(fragment));

describe('sweep block', () => {
  it('reads Keras spellings and fills in the defaults', () => {
    const { sweep, problems } = readSweep({ parameters: { learning_rate: [0.001, 0.01], batch_size: [16, 32], optimizer: ['Adam', 'sgd'], 'conv2d.kernel_size': [3, 5] }, metric: 'val_accuracy' });
    assert.deepEqual(problems, []);
    assert.deepEqual(sweep, {
      method: 'grid',
      parameters: { learningRate: [0.001, 0.01], batchSize: [16, 32], optimizer: ['adam', 'sgd'], 'conv2d.kernelSize': [3, 5] },
      metric: { name: 'val_acc', goal: 'max' },
    });
    assert.deepEqual(readSweep({ parameters: { epochs: [1, 2] }, metric: 'val_loss' }).sweep?.metric, { name: 'val_loss', goal: 'min' });
    assert.deepEqual(readSweep({ parameters: { epochs: [1, 2] }, metric: 'loss', goal: 'max' }).sweep?.metric, { name: 'loss', goal: 'max' });
  });

  it('reports each bad key and value in Keras wording, with the key to blame', () => {
    const messages = (value: unknown): string[] => readSweep(value).problems.map((problem) => `${problem.severity} ${problem.writtenKey ?? ''}/${problem.parameter ?? ''}: ${problem.message}`);
    assert.deepEqual(messages([1]), ['error /: `sweep` must be an object such as {"method": "grid", "parameters": {"learningRate": [0.001, 0.01]}}. Received: sweep=[1].']);
    assert.deepEqual(messages({ method: 'bayes', parameters: { epochs: [1] } }), ['error method/: Invalid value for sweep `method`: expected one of "grid", "random". Received: method="bayes".']);
    assert.deepEqual(messages({ method: 'random', parameters: { epochs: [1, 2] } }), ['error method/: A random search needs `trials`, how many variants to draw, e.g. "trials": 8. Received: no trials.']);
    assert.deepEqual(messages({ parameters: { learning_rat: [0.1] } }), [
      'error parameters/learning_rat: Unknown sweep parameter \'learning_rat\': expected a training key (dataset, epochs, batchSize, optimizer, learningRate, loss, fromLogits, metrics, validationSplit, shuffle, seed, grayscale, earlyStopping, reduceLROnPlateau, checkpoint, augmentation, backend) or a layer option as "<layer name>.<option>", e.g. "conv2d.filters". Did you mean \'learningRate\'? Received: learning_rat.',
    ]);
    assert.deepEqual(messages({ parameters: { learningRate: [0.01, -1] } }), ["error parameters/learningRate: Invalid value for sweep parameter 'learningRate': expected a positive number. Received: learningRate=-1."]);
    assert.deepEqual(messages({ parameters: { 'dense.units': [] } }), [
      "error parameters/dense.units: Invalid values for sweep parameter 'dense.units': expected a non-empty list of numbers, strings or booleans, e.g. [0.001, 0.01]. Received: dense.units=[].",
    ]);
    assert.deepEqual(messages({ parameters: { epochs: [1] }, metric: 'f1' }), ['error metric/: Invalid value for sweep `metric`: expected one of "val_acc", "val_accuracy", "val_loss", "acc", "accuracy", "loss". Received: metric="f1".']);
    assert.deepEqual(messages({ parameters: { epochs: [1, 1] }, tirals: 2 }), [
      "warning tirals/: Unknown sweep option 'tirals'; it is ignored. Sweep options: method, parameters, trials, metric, goal, seed. Did you mean 'trials'?",
      "warning parameters/epochs: Sweep parameter 'epochs' lists a value more than once; each value is tried once. Received: epochs=[1,1].",
    ]);
    assert.match(messages({ parameters: { 'a.b': Array.from({ length: 40 }, (_, index) => index), 'c.d': Array.from({ length: 40 }, (_, index) => index) } })[0], /The grid has 1600 combinations, more than the 1000 a sweep may queue/);
  });

  it('expands a grid with the last parameter changing fastest', () => {
    const spec: SweepSpec = { method: 'grid', parameters: { learningRate: [0.001, 0.004], 'conv2d.filters': [8, 16] }, metric: { name: 'val_acc', goal: 'max' } };
    assert.deepEqual(
      expandSweep(spec).map((variant) => [variant.index, variantLabel(variant.values)]),
      [
        [0, 'lr=0.001 conv2d.filters=8'],
        [1, 'lr=0.001 conv2d.filters=16'],
        [2, 'lr=0.004 conv2d.filters=8'],
        [3, 'lr=0.004 conv2d.filters=16'],
      ],
    );
  });

  it('draws random variants from the seed: the same every time, never the same one twice', () => {
    const spec: SweepSpec = { method: 'random', trials: 5, seed: 7, parameters: { learningRate: [0.0005, 0.001, 0.002, 0.004], batchSize: [8, 16, 32], 'dropout.rate': [0.1, 0.3, 0.5] }, metric: { name: 'val_acc', goal: 'max' } };
    const first = expandSweep(spec);
    assert.deepEqual(expandSweep(spec), first);
    // The draw is part of the file's meaning: seed 7 names these five variants on every machine.
    assert.deepEqual(first.map((variant) => variantLabel(variant.values)), [
      'lr=0.0005 batchSize=8 dropout.rate=0.1',
      'lr=0.0005 batchSize=8 dropout.rate=0.5',
      'lr=0.004 batchSize=32 dropout.rate=0.5',
      'lr=0.002 batchSize=32 dropout.rate=0.3',
      'lr=0.002 batchSize=8 dropout.rate=0.1',
    ]);
    assert.equal(first.length, 5);
    assert.equal(new Set(first.map((variant) => JSON.stringify(variant.values))).size, 5);
    assert.deepEqual(first.map((variant) => variant.index), [0, 1, 2, 3, 4]);
    assert.notDeepEqual(expandSweep({ ...spec, seed: 8 }), first);
    // Fewer combinations than trials: each combination once.
    const small = expandSweep({ ...spec, trials: 10, parameters: { learningRate: [0.001, 0.01], batchSize: [8, 16] } });
    assert.equal(small.length, 4);
    assert.equal(new Set(small.map((variant) => JSON.stringify(variant.values))).size, 4);
  });

  it('applies a variant to a copy of the model: layer options by layer name, training keys normalized', () => {
    const ir = shapesIr();
    const { ir: applied, training, problems } = applyVariant(ir, { 'conv2d.filters': 4, 'dense.units': 8, learningRate: 0.01, optimizer: 'SGD' });
    assert.deepEqual(problems, []);
    assert.equal(applied.layers[0].config.filters, 4);
    assert.equal(applied.layers.find((layer) => layer.name === 'dense')?.config.units, 8);
    assert.deepEqual(training, { learningRate: 0.01, optimizer: 'sgd' });
    assert.equal(applied.training?.learningRate, 0.01);
    assert.equal(applied.training?.dataset, 'shapes');
    assert.equal(ir.layers[0].config.filters, 8, 'the model read from the file is left as it was');
  });

  it('sets a field of an object-valued training key (augmentation, earlyStopping, optimizer), keeping the fields the file gives', () => {
    const { training, problems } = applyVariant(shapesIr(), { 'augmentation.rotationRange': 15, 'augmentation.horizontal_flip': true, 'earlyStopping.patience': 4, 'optimizer.momentum': 0.9, optimizer: 'SGD' });
    assert.deepEqual(problems, []);
    assert.deepEqual(training.augmentation, { rotationRange: 15, horizontalFlip: true });
    assert.deepEqual(training.earlyStopping, { monitor: 'val_loss', patience: 4, restoreBestWeights: true }, 'the sample\'s monitor and restoreBestWeights kept');
    assert.deepEqual(training.optimizer, { name: 'sgd', momentum: 0.9 }, 'an optimizer given by name becomes an object with that name');
    const refused = applyVariant(shapesIr(), { 'augmentation.zoomRang': 0.2, 'earlyStopping.patience': 1.5 });
    assert.deepEqual(refused.problems, [
      "Unknown field 'zoomRang' of training `augmentation` in sweep parameter 'augmentation.zoomRang': expected one of horizontalFlip, rotationRange, widthShiftRange, heightShiftRange, zoomRange. Did you mean 'augmentation.zoomRange'? Received: zoomRang.",
      'Invalid value for training `earlyStopping.patience`: expected a whole number. Received: earlyStopping.patience=1.5.',
    ]);
    const block = readSweep({ parameters: { 'augmentation.zoom_range': [0, 0.2] } });
    assert.deepEqual(block.sweep?.parameters, { 'augmentation.zoomRange': [0, 0.2] });
  });

  it('names the model\'s layers (or the layer\'s options) when a parameter addresses none', () => {
    const { problems } = applyVariant(shapesIr(), { 'conv2.filters': 4, 'dense.filtres': 3 });
    assert.equal(problems.length, 2);
    assert.equal(
      problems[0],
      "Unknown layer 'conv2' in sweep parameter 'conv2.filters': expected one of the model's layer names: conv2d, max_pooling2d, conv2d_1, max_pooling2d_1, flatten, dense, dense_1. Did you mean 'conv2d.filters'? Received: conv2.",
    );
    assert.match(problems[1], /^Unknown option 'filtres' for layer 'dense' \(Dense\) in sweep parameter 'dense\.filtres': expected one of .*units.*\. Received: filtres\.$/);
  });

  it('checks a variant with the model core: a kernel that no longer fits is a problem; the summary has the variant\'s params', () => {
    const ir = shapesIr();
    const fits = checkVariant(ir, { 'conv2d.filters': 4 });
    assert.deepEqual(fits.problems, []);
    assert.equal(fits.summary.layers[0].params, 4 * (3 * 3 * 1 + 1));
    const tooLarge = checkVariant(ir, { 'conv2d_1.kernelSize': 12 });
    assert.equal(tooLarge.problems.length, 1);
    assert.match(tooLarge.problems[0], /conv2d_1.*kernel|Computed output size would be/i);
  });

  it('is read from a .model.json file, with diagnostics on the lines of the sweep block', () => {
    const good = analyzeModel(shapesWithSweep({ method: 'grid', parameters: { learning_rate: [0.001, 0.004], 'conv2d.filters': [8, 16] } }), 'shapes.model.json');
    assert.deepEqual(good.diagnostics, []);
    assert.deepEqual(good.ir?.sweep?.parameters, { learningRate: [0.001, 0.004], 'conv2d.filters': [8, 16] });

    const text = shapesWithSweep({ method: 'grid', parameters: { 'conv2.filters': [8, 16], learningRate: [0] }, goal: 'up', colour: 1 });
    const bad = analyzeModel(text, 'shapes.model.json');
    const found = bad.diagnostics.map((diagnostic) => [diagnostic.severity, diagnostic.range.start.line, diagnostic.message.split(':')[0]]);
    assert.deepEqual(found, [
      ['warning', lineOf(text, '"colour"'), "Unknown sweep option 'colour'; it is ignored. Sweep options"],
      ['error', lineOf(text, '"learningRate": ['), "Invalid value for sweep parameter 'learningRate'"],
      ['error', lineOf(text, '"goal"'), 'Invalid value for sweep `goal`'],
      ['error', lineOf(text, '"conv2.filters"'), "Unknown layer 'conv2' in sweep parameter 'conv2.filters'"],
    ]);
    assert.equal(bad.ir?.sweep, undefined);

    // A value the layer refuses whatever the other values is marked on the value itself.
    const refusedText = JSON.stringify({ ...sample, sweep: { parameters: { 'conv2d.filters': [8, -4], 'conv2d_1.kernelSize': [3, 12] } } }, null, 2);
    const refused = analyzeModel(refusedText, 'shapes.model.json');
    assert.deepEqual(
      refused.diagnostics.map((diagnostic) => [diagnostic.range.start.line, diagnostic.range.start.character, diagnostic.message]),
      [[lineOf(refusedText, '-4'), refusedText.split('\n')[lineOf(refusedText, '-4')].indexOf('-4'), 'Sweep parameter \'conv2d.filters\': Invalid value for `filters` of Conv2D "conv2d": expected a positive integer. Received: filters=-4.']],
      'a kernel size that fits only some variants is left to the check when the sweep starts',
    );
  });
});

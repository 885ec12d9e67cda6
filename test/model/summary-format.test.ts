// The summary text against Keras's own output printed in seed 003, the JSON Schema against the
// catalog, and the `summary` CLI's exit codes and JSON.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSummary } from '../../src/cli/summary';
import { analyzeModel, buildModelSchema, formatSummary } from '../../src/model/index';

const root = join(__dirname, '..', '..');

/** Copied from seed 003 (Keras 2.11's `model.summary()` of the Fashion-MNIST CNN). */
const KERAS_SEED_003 = `Model: "sequential"
_________________________________________________________________
 Layer (type)                Output Shape              Param #   
=================================================================
 conv2d (Conv2D)             (None, 28, 28, 64)        320       
                                                                 
 max_pooling2d (MaxPooling2D  (None, 14, 14, 64)       0         
 )                                                               
                                                                 
 dropout (Dropout)           (None, 14, 14, 64)        0         
                                                                 
 conv2d_1 (Conv2D)           (None, 14, 14, 32)        8224      
                                                                 
 max_pooling2d_1 (MaxPooling  (None, 7, 7, 32)         0         
 2D)                                                             
                                                                 
 dropout_1 (Dropout)         (None, 7, 7, 32)          0         
                                                                 
 flatten (Flatten)           (None, 1568)              0         
                                                                 
 dense (Dense)               (None, 256)               401664    
                                                                 
 dropout_2 (Dropout)         (None, 256)               0         
                                                                 
 dense_1 (Dense)             (None, 10)                2570      
                                                                 
=================================================================
Total params: 412,778
Trainable params: 412,778
Non-trainable params: 0
_________________________________________________________________
`;

function runCli(args: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = runSummary(args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
  return { code, stdout, stderr };
}

describe('summary text', () => {
  it('is byte for byte what Keras printed for seed 003', () => {
    const text = readFileSync(join(root, 'samples', 'keras', 'seed003-fashion-mnist-cnn.keras.json'), 'utf8');
    const analysis = analyzeModel(text, 'seed003.keras.json');
    assert.ok(analysis.summary);
    assert.equal(formatSummary(analysis.summary), KERAS_SEED_003);
  });

  it('adds Connected to for functional models', () => {
    const text = readFileSync(join(root, 'samples', 'residual-block-functional.model.ts'), 'utf8');
    const summary = analyzeModel(text, 'residual-block-functional.model.ts').summary;
    assert.ok(summary);
    const lines = formatSummary(summary).split('\n');
    assert.equal(lines[2], ` Layer (type)                Output Shape                 Param #   Connected to                  `);
    assert.equal(lines[4], ` input_1 (InputLayer)        [(None, 32, 32, 3)]          0         []                            `);
    assert.ok(lines.includes(` add (Add)                   (None, 32, 32, 32)           0         ['conv2d[0][0]',              `));
    assert.ok(lines.includes(`Non-trainable params: 64`));
  });
});

describe('JSON Schema', () => {
  it('schemas/model.schema.json is generated from LAYER_CATALOG', () => {
    const shipped: unknown = JSON.parse(readFileSync(join(root, 'schemas', 'model.schema.json'), 'utf8'));
    assert.deepEqual(shipped, buildModelSchema(), 'regenerate it with: npx tsx test/model/write-schema.ts');
  });
});

describe('cnnlab summary', () => {
  const directory = mkdtempSync(join(tmpdir(), 'cnnlab-summary-'));

  it('prints the summary and exits 0 for a valid model', () => {
    const result = runCli([join(root, 'samples', 'seed002-mnist-conv-pool.model.json')]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Model: "seed002-mnist-conv-pool"\n/);
    assert.match(result.stdout, /Total params: 163,055\n/);
    assert.equal(result.stderr, '');
  });

  it('--json gives layers with 1-based lines, totals, FLOPs and diagnostics', () => {
    const result = runCli(['--json', join(root, 'samples', 'seed002-mnist-conv-dense.model.json')]);
    assert.equal(result.code, 0);
    const json = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(json), ['layers', 'totalParams', 'trainableParams', 'nonTrainableParams', 'flops', 'diagnostics']);
    assert.deepEqual((json.layers as unknown[])[0], { name: 'conv2d', className: 'Conv2D', outputShape: [null, 26, 26, 64], params: 640, trainableParams: 640, line: 5 });
    assert.equal(json.totalParams, 433290);
    assert.equal(json.flops, 26 * 26 * 64 * (2 * 9 + 1) + 10 * (2 * 43264 + 1));
    assert.deepEqual(json.diagnostics, []);
  });

  it('exits 1 with file:line:col diagnostics for an invalid model', () => {
    const file = join(directory, 'bad.model.json');
    writeFileSync(file, '{\n  "inputShape": [4, 4, 1],\n  "layers": [\n    { "type": "Conv2D", "filters": 2, "kernelSize": 5 }\n  ]\n}\n');
    const result = runCli([file]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:4:53: error: Computed output size would be zero`));
    const json = runCli([file, '--json']);
    assert.equal(json.code, 1);
    assert.equal((JSON.parse(json.stdout) as { diagnostics: { line: number; column: number }[] }).diagnostics[0].line, 4);
  });

  it('exits 2 when the file cannot be read or no file is given', () => {
    assert.equal(runCli([join(directory, 'missing.model.json')]).code, 2);
    assert.equal(runCli([]).code, 2);
  });
});

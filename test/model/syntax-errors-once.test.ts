// A syntax error appears once (issue 10, item 9: "parse errors up to three times"). The parsers
// recover and report echoes of one mistake, and the checks of the tree they recovered add errors
// the user did not make; VS Code's JSON and TypeScript services report the syntax error in the
// editor too. So the core reports the first syntax error alone, the editor leaves it to VS Code's
// service (editorDiagnostics), and the CLI, which has no such service, prints it.
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSummary } from '../../src/cli/summary';
import { analyzeModel } from '../../src/model/index';
import { editorDiagnostics } from '../../src/extension/presentation';

const layers = [
  '{ "type": "Conv2D", "filters": 8, "kernelSize": 3 }',
  '{ "type": "MaxPooling2D" }',
  '{ "type": "Flatten" }',
  '{ "type": "Dense", "units": 10, "activation": "softmax" }',
];
const valid = `{\n  "inputShape": [28, 28, 1],\n  "layers": [\n    ${layers.join(',\n    ')}\n  ]\n}\n`;

describe('a syntax error is reported once, and nothing on top of it', () => {
  it('the valid model has no diagnostics (the baseline the broken ones are cut from)', () => {
    assert.deepEqual(analyzeModel(valid, 'm.model.json').diagnostics, []);
  });

  it('a missing comma between layers: one parse error, and the layers before it keep their lenses', () => {
    const text = valid.replace('"MaxPooling2D" },', '"MaxPooling2D" }');
    const analysis = analyzeModel(text, 'm.model.json');
    assert.deepEqual(analysis.diagnostics.map((diagnostic) => [diagnostic.code, diagnostic.syntax, diagnostic.range.start.line + 1]), [['parse-error', 'json', 6]]);
    assert.deepEqual(analysis.summary?.diagnostics, analysis.diagnostics);
    assert.deepEqual(analysis.summary?.layers.slice(0, 2).map((layer) => layer.className), ['Conv2D', 'MaxPooling2D']);
  });

  it('a file cut off inside a layer: one parse error, no "missing required option" for the layer cut short', () => {
    const text = valid.slice(0, valid.indexOf('"units"'));
    const analysis = analyzeModel(text, 'm.model.json');
    assert.equal(analysis.diagnostics.length, 1, JSON.stringify(analysis.diagnostics));
    assert.equal(analysis.diagnostics[0].code, 'parse-error');
    // The unfinished Dense has no `units` yet: that is not an error the user made.
    assert.ok(!analyzeModel(text, 'm.model.json').diagnostics.some((diagnostic) => /missing the required option/.test(diagnostic.message)));
  });

  it('Keras to_json() output with a syntax error: one parse error', () => {
    const keras = '{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "InputLayer", "config": {"batch_input_shape": [null, 4], "name": "input_1"}}, {"class_name": "Dense", "config": {"units": 2 "name": "dense"}}]}, "keras_version": "2.11.0"}';
    const analysis = analyzeModel(keras, 'model.json');
    assert.equal(analysis.format, 'keras');
    assert.deepEqual(analysis.diagnostics.map((diagnostic) => [diagnostic.code, diagnostic.syntax]), [['parse-error', 'json']]);
  });

  it('a TypeScript syntax error: one, however many the parser echoes', () => {
    const text = "import * as tf from '@tensorflow/tfjs';\nexport default tf.sequential({ layers: [\n  tf.layers.dense({ inputShape: [4], units: 2 ),\n] });\n";
    const analysis = analyzeModel(text, 'm.model.ts');
    assert.deepEqual(analysis.diagnostics.map((diagnostic) => [diagnostic.code, diagnostic.syntax, diagnostic.range.start.line + 1]), [['parse-error', 'typescript', 3]]);
  });

  it('in the editor the syntax error is left to VS Code\'s JSON service; other problems stay', () => {
    const broken = analyzeModel(valid.replace('"MaxPooling2D" },', '"MaxPooling2D" }'), 'm.model.json');
    assert.deepEqual(editorDiagnostics(broken, 'json'), []);
    assert.deepEqual(editorDiagnostics(broken, 'jsonc'), []);
    assert.equal(editorDiagnostics(broken, 'plaintext').length, 1);
    const typo = analyzeModel(valid.replace('"softmax"', '"softmaxx"'), 'm.model.json');
    assert.deepEqual(editorDiagnostics(typo, 'json').map((diagnostic) => diagnostic.code), ['bad-option-value']);
    // Nesting too deep to read is CNN Lab's own limit, which VS Code does not report.
    const deep = analyzeModel(`{"layers": ${'['.repeat(300)}${']'.repeat(300)}}`, 'deep.model.json');
    assert.equal(editorDiagnostics(deep, 'json').length, 1);
    const ts = analyzeModel("import * as tf from '@tensorflow/tfjs';\nexport default tf.sequential({ layers: [ }\n", 'm.model.ts');
    assert.deepEqual(editorDiagnostics(ts, 'typescript'), []);
  });

  it('the CLI prints the one syntax error and exits 1', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cnnlab-syntax-')), 'broken.model.json');
    writeFileSync(file, valid.replace('"MaxPooling2D" },', '"MaxPooling2D" }'));
    let stderr = '';
    const code = runSummary([file], { stdout: () => undefined, stderr: (text) => (stderr += text) });
    assert.equal(code, 1);
    assert.equal(stderr.trim().split('\n').length, 1, stderr);
    assert.match(stderr, /broken\.model\.json:6:\d+: error: Invalid JSON: comma expected/);
  });
});

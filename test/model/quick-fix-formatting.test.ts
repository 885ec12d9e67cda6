// The add-inputShape quick fix writes the new property the way the file lays out its properties:
// on its own line with their indentation in a multi-line file, inline in a one-line file.
import { strict as assert } from 'node:assert';
import { analyzeModel } from '../../src/model/index';
import type { ModelDiagnostic } from '../../src/model/types';

function applyFirstFix(text: string, diagnostic: ModelDiagnostic): string {
  const fix = diagnostic.fixes?.[0];
  assert.ok(fix, 'a quick fix');
  const lines = text.split('\n');
  const offset = (line: number, character: number): number => lines.slice(0, line).reduce((sum, current) => sum + current.length + 1, 0) + character;
  let result = text;
  for (const edit of [...fix.edits].reverse()) {
    result = result.slice(0, offset(edit.range.start.line, edit.range.start.character)) + edit.newText + result.slice(offset(edit.range.end.line, edit.range.end.character));
  }
  return result;
}

function fixed(text: string, fileName: string): string {
  const analysis = analyzeModel(text, fileName);
  const missing = analysis.diagnostics.filter((diagnostic) => diagnostic.code === 'missing-input-shape');
  assert.equal(missing.length, 1, JSON.stringify(analysis.diagnostics.map((diagnostic) => diagnostic.message)));
  const result = applyFirstFix(text, missing[0]);
  assert.deepEqual(
    analyzeModel(result, fileName).diagnostics.filter((diagnostic) => diagnostic.severity === 'error'),
    [],
    `the fixed file has no errors:\n${result}`,
  );
  return result;
}

describe('add-inputShape quick fix keeps the file formatting', () => {
  it('JSON with 2-space properties: inputShape on its own line, indented like "layers"', () => {
    const text = '{\n  "layers": [\n    { "type": "Conv2D", "filters": 8, "kernelSize": 3 }\n  ],\n  "training": { "dataset": "mnist" }\n}\n';
    assert.equal(fixed(text, 'a.model.json'), '{\n  "inputShape": [28, 28, 1],\n  "layers": [\n    { "type": "Conv2D", "filters": 8, "kernelSize": 3 }\n  ],\n  "training": { "dataset": "mnist" }\n}\n');
  });

  it('JSON indented with tabs and CRLF line ends keeps tabs and CRLF', () => {
    const text = '{\r\n\t"layers": [\r\n\t\t{ "type": "Conv2D", "filters": 8, "kernelSize": 3 }\r\n\t],\r\n\t"training": { "dataset": "mnist" }\r\n}\r\n';
    const result = fixed(text, 'tabs.model.json');
    assert.ok(result.startsWith('{\r\n\t"inputShape": [28, 28, 1],\r\n\t"layers"'), JSON.stringify(result));
  });

  it('one-line JSON stays one line', () => {
    const text = '{"layers": [{"type": "Conv2D", "filters": 8, "kernelSize": 3}], "training": {"dataset": "mnist"}}';
    const result = fixed(text, 'one.model.json');
    assert.equal(result, '{ "inputShape": [28, 28, 1],"layers": [{"type": "Conv2D", "filters": 8, "kernelSize": 3}], "training": {"dataset": "mnist"}}');
    assert.ok(!result.includes('\n'));
  });

  it('TypeScript multi-line first-layer options: inputShape on its own line, indented like filters', () => {
    const text =
      "import * as tf from '@tensorflow/tfjs';\nconst model = tf.sequential();\nmodel.add(\n  tf.layers.conv2d({\n    filters: 8,\n    kernelSize: 3,\n  }),\n);\nexport const training = { dataset: 'mnist' };\nexport default model;\n";
    assert.ok(fixed(text, 'm.model.ts').includes('tf.layers.conv2d({\n    inputShape: [28, 28, 1],\n    filters: 8,\n'));
  });

  it('TypeScript tf.sequential layers list with a multi-line first config', () => {
    const text =
      "import * as tf from '@tensorflow/tfjs';\nexport default tf.sequential({\n  layers: [\n    tf.layers.conv2d({\n      filters: 8,\n      kernelSize: 3,\n    }),\n  ],\n});\nexport const training = { dataset: 'mnist' };\n";
    assert.ok(fixed(text, 's.model.ts').includes('tf.layers.conv2d({\n      inputShape: [28, 28, 1],\n      filters: 8,\n'));
  });

  it('an empty multi-line first-layer config gets the brace line indent plus the file indent unit', () => {
    const text = "import * as tf from '@tensorflow/tfjs';\nconst model = tf.sequential();\nmodel.add(tf.layers.flatten({\n}));\nmodel.add(tf.layers.dense({ units: 10 }));\nexport const training = { dataset: 'mnist' };\nexport default model;\n";
    assert.ok(fixed(text, 'e.model.ts').includes('model.add(tf.layers.flatten({\n  inputShape: [28, 28, 1],\n}));'));
  });

  it('TypeScript one-line first-layer options stay on one line', () => {
    const text = "import * as tf from '@tensorflow/tfjs';\nconst model = tf.sequential();\nmodel.add(tf.layers.conv2d({ filters: 8, kernelSize: 3 }));\nexport const training = { dataset: 'mnist' };\nexport default model;\n";
    assert.ok(fixed(text, 'o.model.ts').includes('model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3 }));\n'));
  });
});

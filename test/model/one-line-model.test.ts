// A Keras `to_json()` file is one line: its lenses would pile up on line 1. The lenses collapse to
// a count, and the format fix spreads the file out so every layer gets its own line and lens.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { analyzeModel } from '../../src/model/index';
import { lensItems, layersOnOneLineTitle } from '../../src/extension/presentation';
import { formatModelFix, prettyPrintJson } from '../../src/model/prettyJson';

const kerasFile = 'seed003-fashion-mnist-cnn.keras.json';
const kerasText = readFileSync(`samples/keras/${kerasFile}`, 'utf8');

function applyEdit(text: string, edit: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }): string {
  const lines = text.split('\n');
  const offset = (line: number, character: number): number => lines.slice(0, line).reduce((sum, current) => sum + current.length + 1, 0) + character;
  return text.slice(0, offset(edit.range.start.line, edit.range.start.character)) + edit.newText + text.slice(offset(edit.range.end.line, edit.range.end.character));
}

describe('one-line model files', () => {
  it('a one-line Keras file shows the model lens and one count lens instead of a lens per layer on line 1', () => {
    const analysis = analyzeModel(kerasText, kerasFile);
    const layerCount = analysis.summary?.layers.length ?? 0;
    assert.ok(layerCount >= 5, `layers: ${layerCount}`);
    const items = lensItems(analysis);
    assert.equal(items.length, 2);
    assert.match(items[0].title, /^Total [\d,]+ params/);
    assert.equal(items[1].title, layersOnOneLineTitle(layerCount));
    assert.equal(items[1].layersOnLine, layerCount, 'the editor tells this lens from a layer\'s by it');
    assert.match(items[1].title, /^\d+ layers on this line — format the file to see each$/);
  });

  it('the format fix replaces the whole file in one edit and keeps the model: same summary, keys in order, numbers as written', () => {
    const analysis = analyzeModel(kerasText, kerasFile);
    const fix = formatModelFix(analysis, kerasText);
    assert.ok(fix);
    assert.match(fix.title, /^Format this Keras model to see a lens above each of its \d+ layers$/);
    assert.ok(fix.title.endsWith(` ${analysis.summary?.layers.length} layers`), `counts the layers that get a lens (not the hidden InputLayer): ${fix.title}`);
    assert.deepEqual(fix.edit.range.start, { line: 0, character: 0 });
    const formatted = applyEdit(kerasText, fix.edit);
    assert.equal(formatted, prettyPrintJson(kerasText));
    assert.equal(JSON.stringify(JSON.parse(formatted)), JSON.stringify(JSON.parse(kerasText)), 'same values, keys in the same order');
    assert.ok(formatted.split('\n')[1].startsWith('  "'), 'two-space indent');
    const after = analyzeModel(formatted, kerasFile);
    assert.deepEqual(after.summary?.layers.map((layer) => [layer.name, layer.outputShape, layer.params]), analysis.summary?.layers.map((layer) => [layer.name, layer.outputShape, layer.params]));
    assert.deepEqual(after.diagnostics.map((diagnostic) => [diagnostic.code, diagnostic.message]), analysis.diagnostics.map((diagnostic) => [diagnostic.code, diagnostic.message]));
    const layerLenses = lensItems(after).slice(1);
    assert.equal(layerLenses.length, after.summary?.layers.length);
    assert.equal(new Set(layerLenses.map((item) => item.range.start.line)).size, layerLenses.length, 'one lens per line');
    assert.equal(formatModelFix(after, formatted), undefined, 'nothing more to format');
  });

  it('lists of plain values stay on one line and numbers keep their written form', () => {
    assert.equal(prettyPrintJson('{"b": [null, 28, 1.50], "a": {"x": 1e-3}, "l": [{"k": []}, {}]}'), '{\n  "b": [null, 28, 1.50],\n  "a": {\n    "x": 1e-3\n  },\n  "l": [\n    {\n      "k": []\n    },\n    {}\n  ]\n}\n');
  });

  it('is not offered for text that is not strict JSON (comments would be lost) or for models already spread out', () => {
    assert.equal(prettyPrintJson('{"a": 1 /* note */}'), undefined);
    assert.equal(prettyPrintJson('{"a": '), undefined);
    const spread = '{\n  "inputShape": [28, 28, 1],\n  "layers": [\n    { "type": "Flatten" },\n    { "type": "Dense", "units": 10 }\n  ]\n}\n';
    const analysis = analyzeModel(spread, 's.model.json');
    assert.equal(formatModelFix(analysis, spread), undefined);
    assert.equal(lensItems(analysis).length, 3);
  });

  it('a one-line CNN Lab JSON model gets the offer too, and a TypeScript model never does', () => {
    const oneLine = '{"inputShape": [28, 28, 1], "layers": [{"type": "Flatten"}, {"type": "Dense", "units": 10}]}';
    const fix = formatModelFix(analyzeModel(oneLine, 'o.model.json'), oneLine);
    assert.equal(fix?.title, 'Format this model to see a lens above each of its 2 layers');
    const ts = "import * as tf from '@tensorflow/tfjs';\nexport default tf.sequential({ layers: [tf.layers.flatten({ inputShape: [4] }), tf.layers.dense({ units: 2 })] });\n";
    assert.equal(formatModelFix(analyzeModel(ts, 't.model.ts'), ts), undefined);
  });
});

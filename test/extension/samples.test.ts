import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { analyzeModel } from '../../src/model/index';
import { lensItems } from '../../src/extension/presentation';

const repository = path.resolve(__dirname, '../..');
const referenceFile = path.resolve(repository, 'test/fixtures/seed-summaries.json');

interface ReferenceModel {
  name: string;
  expected: { output_shape: number[]; params: number }[];
  total_params: number;
  trainable_params: number;
  non_trainable_params: number;
}

function lensesOf(fileName: string): { line: number; title: string }[] {
  const text = readFileSync(fileName, 'utf8');
  return lensItems(analyzeModel(text, fileName)).map((item) => ({ line: item.range.start.line, title: item.title }));
}

// An independent formatter for the expectations, so the test does not check the code with itself.
const englishCount = new Intl.NumberFormat('en-US');

describe('code lenses on the sample models', () => {
  it('match seed 002 line by line', () => {
    // Hand-worked: conv 26·26·64·(2·9 + 1) = 822,016; pool 43,264 at most; dense 15·(2·10816 + 1) = 324,495;
    // dense 10·(2·15 + 1) = 310: about 1.2 million FLOPs whichever way the pooling compares are counted.
    assert.deepEqual(lensesOf(path.join(repository, 'samples/seed002-mnist-conv-pool.model.json')), [
      { line: 0, title: 'Total 163,055 params (636.93 KB) · trainable 163,055 · non-trainable 0 · 1.2 MFLOPs' },
      { line: 4, title: '→ (None, 26, 26, 64) · 640 params' },
      { line: 5, title: '→ (None, 13, 13, 64) · 0 params' },
      { line: 6, title: '→ (None, 10816) · 0 params' },
      { line: 7, title: '→ (None, 15) · 162,255 params' },
      { line: 8, title: '→ (None, 10) · 160 params' },
    ]);
  });

  const references: ReferenceModel[] = existsSync(referenceFile) ? (JSON.parse(readFileSync(referenceFile, 'utf8')) as ReferenceModel[]) : [];

  it('finds the Keras reference numbers next to the repository', () => {
    assert.ok(references.length >= 10, `expected the seed reference summaries at ${referenceFile}`);
  });

  for (const reference of references) {
    it(`agree with Keras for ${reference.name}`, () => {
      const lenses = lensesOf(path.join(repository, 'samples', `${reference.name}.model.json`));
      assert.match(
        lenses[0].title,
        new RegExp(
          `^Total ${englishCount.format(reference.total_params)} params \\([\\d.]+ [KMG]?B\\) · ` +
            `trainable ${englishCount.format(reference.trainable_params)} · non-trainable ${englishCount.format(reference.non_trainable_params)} · ` +
            `[\\d.]+ [kMG]?FLOPs$`,
        ),
      );
      assert.deepEqual(
        lenses.slice(1).map((lens) => lens.title),
        reference.expected.map(
          (layer) => `→ (None, ${layer.output_shape.join(', ')}) · ${englishCount.format(layer.params)} ${layer.params === 1 ? 'param' : 'params'}`,
        ),
      );
      const lines = lenses.slice(1).map((lens) => lens.line);
      assert.deepEqual(lines, [...new Set(lines)].sort((a, b) => a - b), 'one lens per layer line, in order');
    });
  }
});

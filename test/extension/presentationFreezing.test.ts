// What the editor shows for frozen layers (issue 13 item 2): a layer lens ends `· frozen`, the model
// lens counts the frozen layers next to the trainable / non-trainable split (as Keras's summary
// footer splits them), and the hover says what freezing does, for a BatchNormalization too.
import { strict as assert } from 'node:assert';
import { analyzeModel } from '../../src/model/index';
import { layerAt, layerHoverMarkdown, lensItems } from '../../src/extension/presentation';
import type { ModelAnalysis } from '../../src/model/types';

const partlyFrozen = JSON.stringify(
  {
    name: 'partly-frozen',
    inputShape: [28, 28, 1],
    layers: [
      { type: 'Conv2D', filters: 64, kernelSize: 3, trainable: false },
      { type: 'BatchNormalization', trainable: false },
      { type: 'MaxPooling2D', poolSize: 2, trainable: false },
      { type: 'BatchNormalization' },
      { type: 'Flatten' },
      { type: 'Dense', units: 10, activation: 'softmax' },
    ],
  },
  null,
  2,
);

const titles = (analysis: ModelAnalysis): string[] => lensItems(analysis).map((item) => item.title);

describe('presentation: frozen layers', () => {
  const analysis = analyzeModel(partlyFrozen, 'partly-frozen.model.json');

  it('ends a frozen layer\'s lens with "frozen", but not that of a layer without weights', () => {
    assert.deepEqual(titles(analysis).slice(1), [
      '→ (None, 26, 26, 64) · 640 params · frozen',
      '→ (None, 26, 26, 64) · 256 params · frozen',
      '→ (None, 13, 13, 64) · 0 params',
      '→ (None, 13, 13, 64) · 256 params',
      '→ (None, 10816) · 0 params',
      '→ (None, 10) · 108,170 params',
    ]);
  });

  it('counts the frozen layers on the model lens, after the trainable / non-trainable split', () => {
    // Trainable: the live BatchNormalization's gamma and beta (128) and the Dense layer (108,170).
    // Non-trainable: the frozen conv (640) and BatchNormalization (256), the live one's moving statistics (128).
    assert.match(titles(analysis)[0], /^Total 109,322 params \([\d.]+ KB\) · trainable 108,298 · non-trainable 1,024 · 2 layers frozen · [\d.]+ [kMG]?FLOPs$/);
  });

  it('says nothing of freezing when no layer is frozen, BatchNormalization\'s moving statistics notwithstanding', () => {
    const none = analyzeModel(partlyFrozen.replaceAll('"trainable": false', '"trainable": true'), 'partly-frozen.model.json');
    assert.ok(titles(none).every((title) => !title.includes('frozen')), titles(none).join('\n'));
    assert.match(titles(none)[0], / · non-trainable 256 · [\d.]+ [kMG]?FLOPs$/);
  });

  it('explains in the hover what freezing does, for a BatchNormalization too', () => {
    const hover = (line: number): string => {
      const layer = layerAt(analysis, { line, character: 8 });
      assert.ok(layer, `a layer on line ${line + 1}`);
      return layerHoverMarkdown(analysis, layer);
    };
    const lines = partlyFrozen.split('\n');
    const lineOf = (needle: string, from = 0): number => lines.findIndex((text, index) => index >= from && text.includes(needle));
    const conv = hover(lineOf('"Conv2D"'));
    assert.match(conv, /- Params: 640 \(trainable 0, non-trainable 640\)\n- Frozen \(`trainable: false`\): training leaves its weights as they are, so all its params are non-trainable\n- FLOPs/);
    const frozenNorm = hover(lineOf('"BatchNormalization"'));
    assert.match(frozenNorm, /- Frozen \(`trainable: false`\): .*; it normalizes with its moving mean and variance, as in inference, and does not update them/);
    const liveNorm = hover(lineOf('"BatchNormalization"', lineOf('"MaxPooling2D"')));
    assert.match(liveNorm, /- Params: 256 \(trainable 128, non-trainable 128\)/);
    assert.doesNotMatch(liveNorm, /Frozen/);
    assert.doesNotMatch(hover(lineOf('"MaxPooling2D"')), /Frozen/);
  });

  it('marks a .model.ts layer frozen after construction, on the line that makes it', () => {
    const source = [
      "import * as tf from '@tensorflow/tfjs';",
      'const base = tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 64, kernelSize: 3 });',
      'base.trainable = false;',
      'export default tf.sequential({ layers: [base, tf.layers.flatten(), tf.layers.dense({ units: 10 })] });',
      '',
    ].join('\n');
    const items = lensItems(analyzeModel(source, 'm.model.ts'));
    assert.deepEqual(
      items.slice(1).map((item) => [item.range.start.line, item.title]),
      [
        [1, '→ (None, 26, 26, 64) · 640 params · frozen'],
        [3, '→ (None, 43264) · 0 params'],
        [3, '→ (None, 10) · 432,650 params'],
      ],
    );
    assert.match(items[0].title, / · trainable 432,650 · non-trainable 640 · 1 layer frozen · /);
  });
});

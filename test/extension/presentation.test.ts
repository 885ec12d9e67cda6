import { strict as assert } from 'node:assert';
import { KeyedDebouncer, containsPosition, fixesFor, formatBytes, formatFlops, layerAt, layerHoverMarkdown, layerLensTitle, lensItems, modelLensTitle, summaryDocumentText, type Timers } from '../../src/extension/presentation';
import { formatFromFileName, mayBeModelDocument, maxSniffedJsonLength, modelFormatOf } from '../../src/model/documents';
import { formatSummary } from '../../src/model/index';
import type { LayerSpec, LayerSummary, ModelAnalysis, ModelDiagnostic, SourceRange } from '../../src/model/types';

function range(startLine: number, startCharacter: number, endLine: number, endCharacter: number): SourceRange {
  return { start: { line: startLine, character: startCharacter }, end: { line: endLine, character: endCharacter } };
}

// Seed 002's third model (conv → pool → flatten → dense 15 → dense 10), written by hand the way
// the JSON front end reports it: model declared on line 1, one layer per line from line 3.
const conv: LayerSummary = {
  name: 'conv2d',
  className: 'Conv2D',
  outputShape: [null, 26, 26, 64],
  params: 640,
  trainableParams: 640,
  nonTrainableParams: 0,
  flops: 778_752,
  activationSize: 43_264,
  inbound: [],
  range: range(3, 4, 3, 70),
  explanation: ['(28 + 2·0 − 3) / 1 + 1 = 26', '64 · 3 · 3 · 1 + 64 = 640'],
};
const pool: LayerSummary = {
  name: 'max_pooling2d',
  className: 'MaxPooling2D',
  outputShape: [null, 13, 13, 64],
  params: 0,
  trainableParams: 0,
  nonTrainableParams: 0,
  flops: 43_264,
  activationSize: 10_816,
  inbound: ['conv2d'],
  range: range(4, 4, 4, 50),
  explanation: ['⌊(26 − 2) / 2⌋ + 1 = 13'],
};
const flatten: LayerSummary = {
  name: 'flatten',
  className: 'Flatten',
  outputShape: [null, 10816],
  params: 0,
  trainableParams: 0,
  nonTrainableParams: 0,
  flops: 0,
  activationSize: 10_816,
  inbound: ['max_pooling2d'],
  range: range(5, 4, 5, 25),
  explanation: ['13 · 13 · 64 = 10816'],
};
const hidden: LayerSummary = {
  name: 'dense',
  className: 'Dense',
  outputShape: [null, 15],
  params: 162_255,
  trainableParams: 162_255,
  nonTrainableParams: 0,
  flops: 324_480,
  activationSize: 15,
  inbound: ['flatten'],
  range: range(6, 4, 6, 60),
  explanation: ['10816 · 15 + 15 = 162255'],
};
const output: LayerSummary = {
  name: 'dense_1',
  className: 'Dense',
  outputShape: [null, 10],
  params: 160,
  trainableParams: 160,
  nonTrainableParams: 0,
  flops: 300,
  activationSize: 10,
  inbound: ['dense'],
  range: range(7, 4, 7, 62),
  explanation: ['15 · 10 + 10 = 160'],
};
const layers = [conv, pool, flatten, hidden, output];

function specOf(layer: LayerSummary): LayerSpec {
  return { name: layer.name, className: layer.className, config: {}, inbound: layer.inbound, range: layer.range };
}

const seed002: ModelAnalysis = {
  format: 'json',
  ir: {
    name: 'mnist_conv_pool',
    format: 'json',
    topology: 'sequential',
    layers: layers.map(specOf),
    inputs: ['conv2d'],
    outputs: ['dense_1'],
    range: range(1, 2, 8, 3),
  },
  summary: {
    name: 'mnist_conv_pool',
    topology: 'sequential',
    layers,
    totalParams: 163_055,
    trainableParams: 163_055,
    nonTrainableParams: 0,
    flops: 1_146_796,
    weightBytes: 652_220,
    diagnostics: [],
  },
  diagnostics: [],
};

const shrinkingConv: ModelDiagnostic = {
  severity: 'error',
  code: 'non-positive-dimension',
  message: 'Computed output size would be negative: (2 + 2·0 − 3) / 1 + 1 = 0. Received: input_shape=(None, 2, 2, 64).',
  range: range(5, 20, 5, 26),
  layer: 'conv2d_2',
  fixes: [{ title: "Use padding 'same'", edits: [{ range: range(5, 40, 5, 47), newText: "'same'" }] }],
};

describe('presentation: numbers', () => {
  it('prints weight memory the way Keras summary does', () => {
    assert.equal(formatBytes(652_220), '636.93 KB');
    assert.equal(formatBytes(7_995_875 * 4), '30.50 MB');
    assert.equal(formatBytes(0), '0.00 B');
    assert.equal(formatBytes(1023), '1023.00 B');
    assert.equal(formatBytes(1024), '1.00 KB');
    assert.equal(formatBytes(5 * 1024 ** 3), '5.00 GB');
  });

  it('rounds exact ties to even, as Python does', () => {
    // 1,152 B = 1.125 KB exactly: Python's '{:.2f}' gives 1.12, JavaScript's toFixed 1.13.
    assert.equal(formatBytes(1152), '1.12 KB');
    // 1,160 B = 1.1328125 KB: no tie, ordinary rounding.
    assert.equal(formatBytes(1160), '1.13 KB');
    // 1,168 B = 1.140625 KB rounds down; 1,176 B = 1.1484375 KB rounds up.
    assert.equal(formatBytes(1168), '1.14 KB');
    assert.equal(formatBytes(1176), '1.15 KB');
  });

  it('prints FLOPs with an SI prefix and one decimal', () => {
    assert.equal(formatFlops(0), '0 FLOPs');
    assert.equal(formatFlops(640), '640 FLOPs');
    assert.equal(formatFlops(1_000), '1.0 kFLOPs');
    assert.equal(formatFlops(43_264), '43.3 kFLOPs');
    assert.equal(formatFlops(2_100_000), '2.1 MFLOPs');
    assert.equal(formatFlops(15_480_000_000), '15.5 GFLOPs');
  });

  it('moves to the next prefix when rounding reaches a thousand', () => {
    assert.equal(formatFlops(999_960), '1.0 MFLOPs');
    assert.equal(formatFlops(999_940), '999.9 kFLOPs');
  });
});

describe('presentation: code lenses', () => {
  it('titles a layer with its Keras output shape and parameter count', () => {
    assert.equal(layerLensTitle(conv), '→ (None, 26, 26, 64) · 640 params');
    assert.equal(layerLensTitle(flatten), '→ (None, 10816) · 0 params');
    assert.equal(layerLensTitle({ ...hidden, outputShape: [null, 256], params: 7_930_112 }), '→ (None, 256) · 7,930,112 params');
  });

  it('says "param" for exactly one parameter', () => {
    assert.equal(layerLensTitle({ ...output, outputShape: [null, 1], params: 1 }), '→ (None, 1) · 1 param');
  });

  it('titles the model with totals, memory and FLOPs', () => {
    assert.equal(
      modelLensTitle(seed002),
      'Total 163,055 params (636.93 KB) · trainable 163,055 · non-trainable 0 · 1.1 MFLOPs',
    );
  });

  it('counts non-trainable parameters separately', () => {
    const summary = { ...seed002.summary!, totalParams: 182_446, trainableParams: 180_014, nonTrainableParams: 2_432, weightBytes: 729_784, flops: 361_000 };
    assert.equal(
      modelLensTitle({ ...seed002, summary }),
      'Total 182,446 params (712.68 KB) · trainable 180,014 · non-trainable 2,432 · 361.0 kFLOPs',
    );
  });

  it('counts errors on the model instead of totals that would be wrong', () => {
    assert.equal(modelLensTitle({ ...seed002, diagnostics: [shrinkingConv] }), '✖ 1 error · show summary');
    assert.equal(modelLensTitle({ ...seed002, diagnostics: [shrinkingConv, shrinkingConv] }), '✖ 2 errors · show summary');
  });

  it('keeps the totals when there are only warnings', () => {
    const warning: ModelDiagnostic = { ...shrinkingConv, severity: 'warning', code: 'unresolved-expression', fixes: undefined };
    assert.match(modelLensTitle({ ...seed002, diagnostics: [warning] }) ?? '', /^Total 163,055 params/);
  });

  it('puts the model lens first, on the declaration, then one per layer on its own line', () => {
    const items = lensItems(seed002);
    assert.equal(items.length, 6);
    assert.deepEqual(items[0].range, range(1, 2, 8, 3));
    assert.deepEqual(
      items.slice(1).map((item) => [item.range.start.line, item.title]),
      [
        [3, '→ (None, 26, 26, 64) · 640 params'],
        [4, '→ (None, 13, 13, 64) · 0 params'],
        [5, '→ (None, 10816) · 0 params'],
        [6, '→ (None, 15) · 162,255 params'],
        [7, '→ (None, 10) · 160 params'],
      ],
    );
  });

  it('shows only the layers the summary reached, and the error count, after an error', () => {
    const broken: ModelAnalysis = { ...seed002, summary: { ...seed002.summary!, layers: [conv, pool] }, diagnostics: [shrinkingConv] };
    assert.deepEqual(
      lensItems(broken).map((item) => item.title),
      ['✖ 1 error · show summary', '→ (None, 26, 26, 64) · 640 params', '→ (None, 13, 13, 64) · 0 params'],
    );
  });

  it('shows nothing for a file that could not be read, save the error count at the top', () => {
    const unreadable: ModelAnalysis = {
      diagnostics: [{ severity: 'error', code: 'parse-error', message: 'Unexpected end of JSON input', range: range(9, 0, 9, 0) }],
    };
    assert.deepEqual(lensItems(unreadable), [{ range: range(0, 0, 0, 0), title: '✖ 1 error · show summary' }]);
    assert.deepEqual(lensItems({ diagnostics: [] }), []);
  });

  it('falls back to the first layer when the model declaration has no range', () => {
    const withoutRange: ModelAnalysis = { ...seed002, ir: { ...seed002.ir!, range: undefined } };
    assert.deepEqual(lensItems(withoutRange)[0].range, conv.range);
  });
});

describe('presentation: hover', () => {
  it('finds the layer under the cursor, including on its options', () => {
    assert.equal(layerAt(seed002, { line: 3, character: 4 })?.name, 'conv2d');
    assert.equal(layerAt(seed002, { line: 6, character: 30 })?.name, 'dense');
    assert.equal(layerAt(seed002, { line: 2, character: 0 }), undefined);
    assert.equal(layerAt(seed002, { line: 3, character: 71 }), undefined);
  });

  it('prefers the innermost layer when declarations nest', () => {
    const outer: LayerSpec = { name: 'outer', className: 'Dense', config: {}, inbound: [], range: range(10, 0, 14, 1) };
    const inner: LayerSpec = { name: 'inner', className: 'Conv2D', config: {}, inbound: [], range: range(11, 8, 11, 40) };
    const nested: ModelAnalysis = { ...seed002, ir: { ...seed002.ir!, layers: [outer, inner] } };
    assert.equal(layerAt(nested, { line: 11, character: 10 })?.name, 'inner');
    assert.equal(layerAt(nested, { line: 12, character: 10 })?.name, 'outer');
  });

  it('treats range ends as inclusive, so the cursor after the last character still hovers', () => {
    assert.ok(containsPosition(range(3, 4, 3, 70), { line: 3, character: 70 }));
    assert.ok(!containsPosition(range(3, 4, 3, 70), { line: 4, character: 0 }));
    assert.ok(containsPosition(range(1, 5, 3, 2), { line: 2, character: 99 }));
  });

  it('explains the conv layer of seed 002 in the user\'s numbers', () => {
    assert.equal(
      layerHoverMarkdown(seed002, specOf(conv)),
      [
        '**conv2d** (Conv2D)',
        '',
        '- Output shape: `(None, 26, 26, 64)`',
        '- Params: 640 (trainable 640, non-trainable 0)',
        '- FLOPs: 778,752 (778.8 kFLOPs) per example',
        '- Output values: 43,264 per example (169.00 KB as float32)',
        '',
        '```text',
        '(28 + 2·0 − 3) / 1 + 1 = 26',
        '64 · 3 · 3 · 1 + 64 = 640',
        '```',
      ].join('\n'),
    );
  });

  it('escapes markdown in user-given names', () => {
    const named: LayerSummary = { ...conv, name: 'Conv_1*' };
    const analysis: ModelAnalysis = { ...seed002, summary: { ...seed002.summary!, layers: [named] } };
    assert.match(layerHoverMarkdown(analysis, specOf(named)), /^\*\*Conv\\_1\\\*\*\* \(Conv2D\)/);
  });

  it('uses a longer fence when an explanation line holds backticks', () => {
    const odd: LayerSummary = { ...conv, explanation: ['a ``` b'] };
    const analysis: ModelAnalysis = { ...seed002, summary: { ...seed002.summary!, layers: [odd] } };
    assert.ok(layerHoverMarkdown(analysis, specOf(odd)).endsWith('````text\na ``` b\n````'));
  });

  it('says why a layer after an error has no shape', () => {
    const later: LayerSpec = { name: 'conv2d_2', className: 'Conv2D', config: {}, inbound: ['conv2d_1'], range: range(9, 4, 9, 60) };
    assert.equal(
      layerHoverMarkdown(seed002, later),
      '**conv2d\\_2** (Conv2D)\n\nShape not computed: an error in this layer or an earlier one stops the summary here.',
    );
  });
});

describe('presentation: quick fixes', () => {
  const analysis: ModelAnalysis = { ...seed002, diagnostics: [shrinkingConv] };
  const shown = { range: range(5, 20, 5, 26), code: 'non-positive-dimension', message: shrinkingConv.message };

  it('offers the fixes of the diagnostic the editor hands back', () => {
    assert.deepEqual(fixesFor(analysis, [shown]), [{ fix: shrinkingConv.fixes![0], shownIndex: 0, preferred: true }]);
  });

  it('reports which handed-back diagnostic each fix belongs to', () => {
    const other = { range: range(0, 0, 0, 1), code: 'unknown-layer', message: 'Unknown layer: Conv3X' };
    assert.deepEqual(
      fixesFor(analysis, [other, shown]).map((offered) => offered.shownIndex),
      [1],
    );
  });

  it('does not mark any of several alternatives as preferred', () => {
    const twoFixes: ModelDiagnostic = {
      ...shrinkingConv,
      fixes: [shrinkingConv.fixes![0], { title: 'Use kernelSize 2', edits: [{ range: range(5, 20, 5, 21), newText: '2' }] }],
    };
    const offered = fixesFor({ ...analysis, diagnostics: [twoFixes] }, [shown]);
    assert.deepEqual(
      offered.map((item) => [item.fix.title, item.preferred]),
      [
        ["Use padding 'same'", false],
        ['Use kernelSize 2', false],
      ],
    );
  });

  it('offers nothing for a diagnostic from an older version of the text', () => {
    assert.deepEqual(fixesFor(analysis, [{ ...shown, range: range(6, 20, 6, 26) }]), []);
    assert.deepEqual(fixesFor(analysis, [{ ...shown, message: 'something else' }]), []);
    assert.deepEqual(fixesFor(analysis, [{ ...shown, code: 'wrong-rank' }]), []);
  });
});

describe('presentation: which documents are models', () => {
  it('knows our own files by name', () => {
    assert.equal(formatFromFileName('/w/samples/seed002.model.json'), 'json');
    assert.equal(formatFromFileName('/w/samples/seed003.model.ts'), 'typescript');
    assert.equal(formatFromFileName('/w/package.json'), undefined);
    assert.equal(formatFromFileName('/w/src/model.ts'), undefined);
    assert.equal(formatFromFileName('C:\\Models\\Seed002.Model.JSON'), 'json');
  });

  it('looks at model files and JSON only, never at other languages', () => {
    assert.ok(mayBeModelDocument('/w/a.model.json', 'json'));
    assert.ok(mayBeModelDocument('/w/a.model.ts', 'typescript'));
    assert.ok(mayBeModelDocument('/w/keras_model.json', 'json'));
    assert.ok(!mayBeModelDocument('/w/tsconfig.json', 'jsonc'));
    assert.ok(!mayBeModelDocument('/w/train.py', 'python'));
    assert.ok(!mayBeModelDocument('/w/src/index.ts', 'typescript'));
  });
});

describe('presentation: model formats by name and content', () => {
  const kerasText = JSON.stringify({
    class_name: 'Sequential',
    config: { name: 'sequential', layers: [{ class_name: 'Dense', config: { name: 'dense', units: 10, batch_input_shape: [null, 4] } }] },
    keras_version: '2.12.0',
    backend: 'tensorflow',
  });

  it('finds Keras to_json() output in a JSON file of any name', () => {
    assert.equal(modelFormatOf('/w/exported.json', 'json', kerasText), 'keras');
  });

  it('keeps a broken *.model.json a JSON model, so its parse error shows', () => {
    assert.equal(modelFormatOf('/w/broken.model.json', 'json', '{ "layers": [ '), 'json');
    assert.equal(modelFormatOf('/w/cnn.model.ts', 'typescript', 'export default 1'), 'typescript');
  });

  it('ignores ordinary JSON, other languages, and JSON too big to be hand-written', () => {
    assert.equal(modelFormatOf('/w/package.json', 'json', '{ "name": "cnn-lab", "config": {} }'), undefined);
    assert.equal(modelFormatOf('/w/settings.json', 'jsonc', kerasText), undefined);
    assert.equal(modelFormatOf('/w/exported.json', 'json', kerasText + ' '.repeat(maxSniffedJsonLength)), undefined);
  });
});

describe('presentation: summary document', () => {
  it('is the Keras summary followed by the problems with their positions', () => {
    const analysis: ModelAnalysis = { ...seed002, diagnostics: [shrinkingConv] };
    assert.equal(
      summaryDocumentText(analysis, 'seed002.model.json'),
      `${formatSummary(seed002.summary!).trimEnd()}\n\nProblems:\n  seed002.model.json:6:21 error: ${shrinkingConv.message}\n`,
    );
  });

  it('is just the summary for a sound model', () => {
    assert.equal(summaryDocumentText(seed002, 'seed002.model.json'), `${formatSummary(seed002.summary!).trimEnd()}\n`);
  });

  it('says why there is no table when the file could not be read', () => {
    const unreadable: ModelAnalysis = {
      diagnostics: [{ severity: 'error', code: 'parse-error', message: 'Expected a comma.', range: range(2, 4, 2, 5) }],
    };
    assert.equal(
      summaryDocumentText(unreadable, 'x.model.json'),
      'No summary for x.model.json: it could not be read as a model.\n\nProblems:\n  x.model.json:3:5 error: Expected a comma.\n',
    );
  });
});

describe('presentation: debounce', () => {
  class FakeClock implements Timers {
    now = 0;
    private nextHandle = 1;
    private readonly timers = new Map<number, { at: number; callback: () => void }>();

    setTimeout(callback: () => void, delayMs: number): unknown {
      const handle = this.nextHandle++;
      this.timers.set(handle, { at: this.now + delayMs, callback });
      return handle;
    }

    clearTimeout(handle: unknown): void {
      this.timers.delete(handle as number);
    }

    advance(ms: number): void {
      this.now += ms;
      for (const [handle, timer] of [...this.timers]) {
        if (timer.at <= this.now) {
          this.timers.delete(handle);
          timer.callback();
        }
      }
    }
  }

  it('runs only the last task once the key has been quiet for the delay', () => {
    const clock = new FakeClock();
    const debouncer = new KeyedDebouncer<string>(clock);
    const ran: string[] = [];
    debouncer.schedule('a', 250, () => ran.push('first'));
    clock.advance(200);
    debouncer.schedule('a', 250, () => ran.push('second'));
    clock.advance(200);
    assert.deepEqual(ran, []);
    assert.ok(debouncer.isPending('a'));
    clock.advance(50);
    assert.deepEqual(ran, ['second']);
    assert.ok(!debouncer.isPending('a'));
  });

  it('keeps keys independent', () => {
    const clock = new FakeClock();
    const debouncer = new KeyedDebouncer<string>(clock);
    const ran: string[] = [];
    debouncer.schedule('a', 100, () => ran.push('a'));
    debouncer.schedule('b', 300, () => ran.push('b'));
    clock.advance(100);
    assert.deepEqual(ran, ['a']);
    clock.advance(200);
    assert.deepEqual(ran, ['a', 'b']);
  });

  it('cancels one key, or all on dispose', () => {
    const clock = new FakeClock();
    const debouncer = new KeyedDebouncer<string>(clock);
    const ran: string[] = [];
    debouncer.schedule('a', 100, () => ran.push('a'));
    debouncer.schedule('b', 100, () => ran.push('b'));
    debouncer.schedule('c', 100, () => ran.push('c'));
    debouncer.cancel('a');
    debouncer.dispose();
    clock.advance(1000);
    assert.deepEqual(ran, []);
  });

  it('treats a negative delay as immediate on the next tick', () => {
    const clock = new FakeClock();
    const debouncer = new KeyedDebouncer<string>(clock);
    const ran: string[] = [];
    debouncer.schedule('a', -5, () => ran.push('a'));
    clock.advance(0);
    assert.deepEqual(ran, ['a']);
  });
});

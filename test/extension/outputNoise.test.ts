import { strict as assert } from 'node:assert';
import { isNoiseLine, NoiseFilter, trainerOutputNoise } from '../../src/extension/outputNoise';

// Exactly what tfjs-backend-cpu 4.x prints through console.warn on first use in Node.
const tfjsBanner =
  '\n============================\n' +
  'Hi, looks like you are running TensorFlow.js in Node.js. To speed things up dramatically, install our node ' +
  'backend, visit https://github.com/tensorflow/tfjs-node for more details. ' +
  '\n============================\n';
const dawnWarnings =
  'Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 1000000 to 16 to fit dynamic offset allocation limit.\n' +
  'Warning: maxDynamicStorageBuffersPerPipelineLayout artificially reduced from 1000000 to 16 to fit dynamic offset allocation limit.\n';

function filtered(chunks: readonly string[]): { lines: string[]; filter: NoiseFilter } {
  const lines: string[] = [];
  const filter = new NoiseFilter((line) => lines.push(line));
  for (const chunk of chunks) filter.write(chunk);
  filter.end();
  return { lines, filter };
}

/** Every way of cutting the text in two, as pipes may deliver it. */
function splits(text: string): string[][] {
  return Array.from({ length: text.length + 1 }, (_, i) => [text.slice(0, i), text.slice(i)]);
}

describe('trainer output noise filter (CNN Lab output channel)', () => {
  it('lists each known message once, with a name', () => {
    const names = trainerOutputNoise.map((pattern) => pattern.name);
    assert.equal(new Set(names).size, names.length);
    assert.ok(names.some((name) => /tfjs/.test(name)) && names.some((name) => /Dawn/.test(name)));
  });

  it('drops the tfjs Node.js banner with its ==== rules, however the pipe cuts it', () => {
    for (const chunks of splits(tfjsBanner)) assert.deepEqual(filtered(chunks).lines, [], JSON.stringify(chunks));
    assert.equal(filtered([tfjsBanner]).filter.dropped, 3);
  });

  it("drops Dawn's 'artificially reduced' limit warnings", () => {
    assert.deepEqual(filtered([dawnWarnings]).lines, []);
    assert.ok(isNoiseLine('maxDynamicStorageBuffersPerPipelineLayout artificially reduced from 8 to 4 to fit dynamic offset allocation limit.'));
  });

  it('keeps real warnings and errors, in order, around the noise', () => {
    const real = [
      'Warning: the loss is NaN at batch 3',
      'Error: Out of memory (tried to allocate 1.2 GB)',
      '(node:1234) ExperimentalWarning: WASI is an experimental feature',
      'Warning: adapter "llvmpipe" is a software renderer',
    ];
    const text = `${real[0]}\n${tfjsBanner}${real[1]}\n${dawnWarnings}${real[2]}\r\n${real[3]}`;
    for (const chunks of splits(text).filter((_, i) => i % 7 === 0)) assert.deepEqual(filtered(chunks).lines, real, JSON.stringify(chunks));
  });

  it('keeps ==== rules that frame something else (a model.summary() printed by a TypeScript model)', () => {
    const summary = [
      'Model: "sequential_1"',
      '_________________________________________________________________',
      'Layer (type)                 Output shape              Param #',
      '=================================================================',
      'dense_Dense1 (Dense)         [null,10]                 7850',
      '=================================================================',
      'Total params: 7850',
    ];
    assert.deepEqual(filtered([`${summary.join('\n')}\n`]).lines, summary);
    // A rule as the very last line is passed on when the stream ends.
    assert.deepEqual(filtered(['done\n====\n']).lines, ['done', '====']);
  });

  it('does not take a line that merely mentions the banner for the banner', () => {
    assert.equal(isNoiseLine('Note: Hi, looks like you are running TensorFlow.js in Node.js. To speed things up dramatically, install our node backend'), false);
    assert.equal(isNoiseLine('maxTextureDimension2D artificially reduced'), false);
  });
});

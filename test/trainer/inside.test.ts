// Inside the network on a real trained run: Grad-CAM where the answer is known (a shape drawn in
// one corner of a `shapes` image), feature maps and filters against the model summary, the
// `maxMaps` limit, test examples by number, and `cnnlab inside` writing its PNG files.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { runInside } from '../../src/cli/inside';
import type { RunRecord } from '../../src/runs/format';
import { loadDataset } from '../../src/trainer/datasets';
import { drawShape, shapeClassNames } from '../../src/trainer/datasets/shapes';
import { lookInside, toInsideView, type InsideResult } from '../../src/trainer/inside';
import { isInsideView } from '../../src/channels/inside';
import { seededRandom } from '../../src/util/random';
import { UserError } from '../../src/util/userError';
import { job, temporaryDir, writeModel } from './helpers';
import { runTraining } from '../../src/trainer/train';
import { runSeed } from '../../src/trainer/trainingConfig';

const SIZE = 24;

/**
 * Two convolutions and a dense head, trained on 1500 seeded shapes for 6 epochs (about 0.9 test
 * accuracy): enough for its evidence to sit on the shape, and a few seconds on a CPU.
 */
const camModel = {
  name: 'cam-cnn',
  inputShape: [SIZE, SIZE, 1],
  layers: [
    { type: 'Conv2D', filters: 8, kernelSize: 3, activation: 'relu', padding: 'same' },
    { type: 'MaxPooling2D', poolSize: 2 },
    { type: 'Conv2D', filters: 16, kernelSize: 3, activation: 'relu', padding: 'same' },
    { type: 'MaxPooling2D', poolSize: 2 },
    { type: 'Flatten' },
    { type: 'Dense', units: 4, activation: 'softmax' },
  ],
  training: { dataset: 'shapes', epochs: 6, batchSize: 32, backend: 'cpu', seed: 7, learningRate: 0.01 },
};

const CORNERS = { 'top-left': [0.28, 0.28], 'top-right': [0.72, 0.28], 'bottom-left': [0.28, 0.72], 'bottom-right': [0.72, 0.72] } as const;
type Corner = keyof typeof CORNERS;

/** A shapes image (as the generator draws them) with shape `kind` centred in `corner`, saved as a PNG. */
async function cornerImage(dir: string, kind: number, corner: Corner): Promise<string> {
  const [x, y] = CORNERS[corner];
  const pixels = new Uint8Array(SIZE * SIZE);
  drawShape({ kind, radius: SIZE * 0.28, centreX: x * SIZE, centreY: y * SIZE, angle: 0.3, background: 20, foreground: 230, colour: [1] }, seededRandom(kind + 1), SIZE, SIZE, 1, pixels);
  const path = join(dir, `${shapeClassNames[kind]}-${corner}.png`);
  await sharp(Buffer.from(pixels), { raw: { width: SIZE, height: SIZE, channels: 1 } }).png().toFile(path);
  return path;
}

/** The quadrant with the largest mean heat. */
function hottestQuadrant(heat: Uint8Array, size: number): Corner {
  const sums: Record<Corner, number> = { 'top-left': 0, 'top-right': 0, 'bottom-left': 0, 'bottom-right': 0 };
  const half = size / 2;
  for (let row = 0; row < size; row++) {
    for (let column = 0; column < size; column++) {
      sums[`${row < half ? 'top' : 'bottom'}-${column < half ? 'left' : 'right'}`] += heat[row * size + column];
    }
  }
  return (Object.keys(sums) as Corner[]).reduce((best, corner) => (sums[corner] > sums[best] ? corner : best));
}

describe('Inside the network (src/trainer/inside.ts) on a trained shapes run', function () {
  this.timeout(600_000);
  let dir: string;
  let runDir: string;
  let record: RunRecord;

  before(async () => {
    dir = temporaryDir('cnnlab-inside-');
    const trained = await runTraining(job(dir, writeModel(dir, camModel), { trainExamples: 1500, testExamples: 100 }), () => undefined);
    assert.equal(trained?.status, 'completed');
    record = trained;
    runDir = join(dir, '.cnnlab', 'runs', record.id);
  });

  for (const kind of [0, 3]) {
    for (const corner of Object.keys(CORNERS) as Corner[]) {
      it(`Grad-CAM of a ${shapeClassNames[kind]} in the ${corner} corner is hottest in that quadrant`, async () => {
        const result = await lookInside(runDir, { kind: 'file', path: await cornerImage(dir, kind, corner) }, { baseDir: dir });
        const [map] = result.gradcam;
        assert.equal(map.classIndex, result.predictedClass);
        assert.equal(map.score, 'logit', 'a softmax Dense head: the logit is recomputed before softmax');
        assert.equal(map.layer, result.featureMaps.at(-1)?.layer, 'the last convolution');
        assert.equal(map.heat.length, SIZE * SIZE);
        assert.equal(Math.max(...map.heat), 255, 'scaled to 0…1 (0…255)');
        assert.equal(hottestQuadrant(map.heat, SIZE), corner);
        // The cross is the class this model knows best: it names it wherever it stands.
        if (kind === 3) assert.equal(result.top[0].class, 'cross');
      });
    }
  }

  it('gives feature maps and filters as the model summary has them, at most maxMaps per layer', async () => {
    const path = await cornerImage(dir, 1, 'top-left');
    const convolutions = record.summary.layers.filter((layer) => layer.className === 'Conv2D');
    const all = await lookInside(runDir, { kind: 'file', path }, { baseDir: dir });
    assert.deepEqual(all.featureMaps.map((maps) => [maps.layer, maps.className, maps.outputShape]), convolutions.map((layer) => [layer.name, 'Conv2D', layer.outputShape]));
    assert.deepEqual(all.featureMaps.map((maps) => [maps.height, maps.width, maps.total, maps.count]), [[24, 24, 8, 8], [12, 12, 16, 16]]);
    for (const maps of all.featureMaps) assert.equal(maps.pixels.length, maps.count * maps.height * maps.width);
    assert.deepEqual({ ...all.filters, pixels: all.filters?.pixels.length }, { layer: convolutions[0].name, colour: false, inputChannels: 1, count: 8, total: 8, height: 3, width: 3, channels: 1, pixels: 8 * 9 });
    // Each filter is stretched to the full range on its own.
    const filters = all.filters?.pixels ?? new Uint8Array();
    for (let filter = 0; filter < 8; filter++) {
      const values = Array.from(filters.subarray(filter * 9, filter * 9 + 9));
      assert.deepEqual([Math.min(...values), Math.max(...values)], [0, 255]);
    }
    const few = await lookInside(runDir, { kind: 'file', path }, { baseDir: dir, maxMaps: 5 });
    assert.deepEqual(few.featureMaps.map((maps) => [maps.count, maps.total, maps.pixels.length]), [[5, 8, 5 * 24 * 24], [5, 16, 5 * 12 * 12]]);
    assert.deepEqual([few.filters?.count, few.filters?.total, few.filters?.pixels.length], [5, 8, 5 * 9]);
    // The first maps are the same whatever the limit.
    assert.deepEqual(few.featureMaps[1].pixels, all.featureMaps[1].pixels.subarray(0, 5 * 12 * 12));
    assert.ok(isInsideView(toInsideView(few)), 'what the child sends passes the channel check');
  });

  it('maps the predicted class and the class asked for, top predictions with class names', async () => {
    const result = await lookInside(runDir, { kind: 'file', path: await cornerImage(dir, 3, 'bottom-right') }, { baseDir: dir, className: 'circle' });
    assert.deepEqual(result.classNames, [...shapeClassNames]);
    assert.deepEqual(result.gradcam.map((map) => map.className), [shapeClassNames[result.predictedClass], 'circle']);
    assert.equal(result.top.length, 4);
    assert.ok(Math.abs(result.top.reduce((sum, entry) => sum + entry.probability, 0) - 1) < 1e-4);
    await assert.rejects(lookInside(runDir, { kind: 'test', index: 0 }, { baseDir: dir, className: 'hexagon' }), (error: unknown) => error instanceof UserError && /Unknown class 'hexagon': expected one of circle, square, triangle, cross/.test(error.message));
  });

  it('reads test examples of the run dataset by number, as the run was tested on them, and refuses one past the end', async () => {
    const result: InsideResult = await lookInside(runDir, { kind: 'test', index: 2 }, { baseDir: dir, maxMaps: 1 });
    assert.equal(result.image.label, 'test example 2 of shapes');
    assert.deepEqual([result.image.height, result.image.width, result.image.channels, result.image.pixels.length], [24, 24, 1, 576]);
    assert.deepEqual(record.exampleLimits, { train: 1500, test: 100 }, 'run.json records the example counts it trained with');
    const tested = await loadDataset({ name: 'shapes', inputShape: [24, 24, 1], baseDir: dir, trainExamples: 1500, testExamples: 100, seed: runSeed(record.training), progress: () => undefined });
    assert.deepEqual(Array.from(result.image.pixels), Array.from(tested.test.images.subarray(2 * 576, 3 * 576)), 'the generated test set the run was evaluated on');
    await assert.rejects(lookInside(runDir, { kind: 'test', index: 100 }, { baseDir: dir }), (error: unknown) => error instanceof UserError && /has 100 examples \(0–99\)\. Received: test example 100/.test(error.message));
  });

  it('cnnlab inside writes filters.png, one PNG per convolution and gradcam-<class>.png', async () => {
    const out = join(dir, 'inside-out');
    let stdout = '';
    const code = await runInside([record.id, 'test:3', '--out', out, '--class', 'square', '--max-maps', '4', '--runs-dir', join(dir, '.cnnlab', 'runs')], { stdout: (text) => (stdout += text), stderr: () => undefined }, dir);
    assert.equal(code, 0);
    const sizeOf = async (name: string): Promise<[number, number]> => {
      const metadata = await sharp(join(out, name)).metadata();
      return [metadata.width ?? 0, metadata.height ?? 0];
    };
    // 4 filters of 3×3, each pixel 16× (48 / 3), in a 2×2 grid with 2-pixel gaps.
    assert.deepEqual(await sizeOf('filters.png'), [2 * 48 + 2, 2 * 48 + 2]);
    // 4 maps of 24×24 2× larger, 4 of 12×12 4× larger: 48-pixel cells again.
    assert.deepEqual(await sizeOf(`${record.summary.layers[0].name}.png`), [98, 98]);
    assert.deepEqual(await sizeOf(`${record.summary.layers[2].name}.png`), [98, 98]);
    // The image (24×24) overlaid with the map, 11× (at least 256 pixels).
    assert.deepEqual(await sizeOf('gradcam-square.png'), [264, 264]);
    const gradcams = stdout.match(/gradcam-[a-z]+\.png/g) ?? [];
    assert.ok(gradcams.length >= 1 && gradcams.every((name) => existsSync(join(out, name))), stdout);
    assert.match(stdout, /Top predictions:/);
    assert.match(stdout, /4 of 16 maps drawn/);
  });
});

// The pictures of "Inside the network" as raw pixels: the CLI's PNG files and the panel's canvases draw these.
import assert from 'node:assert/strict';
import { composeGrid, drawGrid, drawnGridSize, gridColumns, heatOverlay, jetColour, toRgba, upscale, upscaleFactor } from '../../src/util/insideImages';

describe('Inside images', () => {
  it('lays cells out in a near-square grid with a grey gap', () => {
    assert.deepEqual([1, 2, 4, 5, 8, 16, 32, 7, 11].map(gridColumns), [1, 2, 2, 5, 4, 4, 8, 3, 4]);
    // Three 1×2 grey cells, 2 columns: 2 rows of 1 pixel, a 1-pixel gap each way.
    const grid = composeGrid({ count: 3, height: 1, width: 2, channels: 1, pixels: Uint8Array.from([1, 2, 3, 4, 5, 6]) }, 2);
    assert.deepEqual([grid.width, grid.height], [5, 3]);
    assert.deepEqual(Array.from(grid.pixels), [1, 2, 96, 3, 4, 96, 96, 96, 96, 96, 5, 6, 96, 96, 96]);
  });

  it('colours heat from blue to red over the image in grey', () => {
    assert.deepEqual(jetColour(0), [0, 0, 128]);
    assert.deepEqual(jetColour(0.5), [128, 255, 128]);
    assert.deepEqual(jetColour(1), [128, 0, 0]);
    const colour = { height: 1, width: 1, channels: 3 as const, pixels: Uint8Array.from([255, 255, 255]) };
    assert.deepEqual(Array.from(heatOverlay(colour, Uint8Array.from([255])).pixels), [192, 128, 128]);
    const rgba = toRgba({ height: 1, width: 2, channels: 1, pixels: Uint8Array.from([7, 9]) });
    assert.deepEqual(Array.from(rgba), [7, 7, 7, 255, 9, 9, 9, 255]);
  });

  it('draws a grid with cells upscaled and 2 pixels apart, of the size said beforehand', () => {
    const grid = { count: 3, height: 1, width: 1, channels: 1 as const, pixels: Uint8Array.from([10, 20, 30]) };
    const drawn = drawGrid(grid, 2, 2);
    assert.deepEqual([drawn.width, drawn.height], [6, 6]);
    assert.deepEqual(drawnGridSize(grid, 2, 2), { width: 6, height: 6 });
    assert.deepEqual(drawnGridSize(grid, 2), { width: 10, height: 2 });
    assert.deepEqual(Array.from(drawn.pixels.subarray(0, 12)), [10, 10, 96, 96, 20, 20, 10, 10, 96, 96, 20, 20]);
    const image = upscale({ height: 1, width: 2, channels: 3, pixels: Uint8Array.from([1, 2, 3, 4, 5, 6]) }, 2);
    assert.deepEqual([image.width, image.height, Array.from(image.pixels.subarray(0, 12))], [4, 2, [1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6]]);
  });

  it('upscales by whole factors to a visible size', () => {
    assert.equal(upscaleFactor({ height: 3, width: 3 }, 48), 16);
    assert.equal(upscaleFactor({ height: 24, width: 20 }, 256), 11);
    assert.equal(upscaleFactor({ height: 500, width: 500 }, 256), 1);
  });
});

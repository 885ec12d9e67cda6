// Pictures of "Inside the network", as raw pixels: grids of feature maps or filters, and a
// Grad-CAM heat map over its image. One drawing for `cnnlab inside` (written as PNG by sharp) and
// for the panel's Inside tab (put on a canvas), so both show the same thing.

/** Raw pixels, row by row, `channels` bytes each. */
export interface RawImage {
  height: number;
  width: number;
  channels: 1 | 3;
  pixels: Uint8Array;
}

/** `count` images of one size, one after another in `pixels`. */
export interface RawGrid extends RawImage {
  count: number;
}

/** Grey between cells: the maps are scaled 0…255 on their own, so neither black nor white can be mistaken for one. */
const GAP_LEVEL = 96;

/**
 * Columns for `count` cells: a near-square grid, widened up to twice as wide when that leaves no
 * cell empty (an empty cell would look like a flat map).
 */
export function gridColumns(count: number): number {
  const square = Math.max(1, Math.ceil(Math.sqrt(count)));
  for (let columns = square; columns <= 2 * square; columns++) if (count % columns === 0) return columns;
  return square;
}

/** The cells of `grid` laid out `columns` wide with `gap` pixels between them, as one image. */
export function composeGrid(grid: RawGrid, columns = gridColumns(grid.count), gap = 1): RawImage {
  const { count, height, width, channels, pixels } = grid;
  const rows = Math.max(1, Math.ceil(count / columns));
  const outWidth = columns * width + (columns - 1) * gap;
  const outHeight = rows * height + (rows - 1) * gap;
  const out = new Uint8Array(outWidth * outHeight * channels).fill(GAP_LEVEL);
  const cellBytes = height * width * channels;
  for (let cell = 0; cell < count; cell++) {
    const left = (cell % columns) * (width + gap);
    const top = Math.floor(cell / columns) * (height + gap);
    for (let row = 0; row < height; row++) {
      const from = cell * cellBytes + row * width * channels;
      out.set(pixels.subarray(from, from + width * channels), ((top + row) * outWidth + left) * channels);
    }
  }
  return { height: outHeight, width: outWidth, channels, pixels: out };
}

/** Each cell made `factor` times larger, every pixel a `factor`×`factor` square (nearest neighbour: sharp pixels). */
export function upscaleGrid<G extends RawGrid>(grid: G, factor: number): G {
  if (factor === 1) return grid;
  const { count, height, width, channels, pixels } = grid;
  const outHeight = height * factor;
  const outWidth = width * factor;
  const out = new Uint8Array(count * outHeight * outWidth * channels);
  for (let cell = 0; cell < count; cell++) {
    for (let row = 0; row < outHeight; row++) {
      const from = (cell * height + Math.floor(row / factor)) * width;
      const to = (cell * outHeight + row) * outWidth;
      for (let column = 0; column < outWidth; column++) {
        const source = (from + Math.floor(column / factor)) * channels;
        out.set(pixels.subarray(source, source + channels), (to + column) * channels);
      }
    }
  }
  return { ...grid, height: outHeight, width: outWidth, pixels: out };
}

/** Pixels between two cells of a drawn grid, whatever the cells' scale. */
const DRAWN_GAP = 2;

/** A grid as shown (the panel's canvas, the CLI's PNG): each cell upscaled by `factor`, cells 2 pixels apart. */
export function drawGrid(grid: RawGrid, factor: number, columns = gridColumns(grid.count)): RawImage {
  return composeGrid(upscaleGrid(grid, factor), columns, DRAWN_GAP);
}

/** The size of `drawGrid`'s image, known before its pixels are. */
export function drawnGridSize(grid: { count: number; height: number; width: number }, factor: number, columns = gridColumns(grid.count)): { height: number; width: number } {
  const rows = Math.max(1, Math.ceil(grid.count / columns));
  return { height: rows * (grid.height * factor + DRAWN_GAP) - DRAWN_GAP, width: columns * (grid.width * factor + DRAWN_GAP) - DRAWN_GAP };
}

/** An image upscaled by `factor` (sharp pixels). */
export function upscale(image: RawImage, factor: number): RawImage {
  const { count: _count, ...scaled } = upscaleGrid({ ...image, count: 1 }, factor);
  return scaled;
}

/** A jet-like colour map: 0 dark blue, 0.35 cyan, 0.5 green, 0.65 yellow, 1 dark red. */
export function jetColour(value: number): [number, number, number] {
  const v = Math.min(1, Math.max(0, value));
  const channel = (centre: number): number => Math.round(255 * Math.min(1, Math.max(0, 1.5 - Math.abs(4 * v - centre))));
  return [channel(3), channel(2), channel(1)];
}

/** Grey level of a pixel (ITU-R BT.601 luma for colour). */
function greyAt(image: RawImage, index: number): number {
  if (image.channels === 1) return image.pixels[index];
  const at = index * 3;
  return 0.299 * image.pixels[at] + 0.587 * image.pixels[at + 1] + 0.114 * image.pixels[at + 2];
}

/** The heat (0…255 per pixel, the image's size) in jet colours blended over the image in grey: an RGB image. */
export function heatOverlay(image: RawImage, heat: Uint8Array, opacity = 0.5): RawImage {
  const size = image.height * image.width;
  const out = new Uint8Array(size * 3);
  for (let index = 0; index < size; index++) {
    const grey = greyAt(image, index);
    const colour = jetColour(heat[index] / 255);
    for (let channel = 0; channel < 3; channel++) out[index * 3 + channel] = Math.round((1 - opacity) * grey + opacity * colour[channel]);
  }
  return { height: image.height, width: image.width, channels: 3, pixels: out };
}

/** RGBA bytes for a canvas ImageData. */
export function toRgba(image: RawImage): Uint8ClampedArray<ArrayBuffer> {
  const size = image.height * image.width;
  const out = new Uint8ClampedArray(size * 4);
  for (let index = 0; index < size; index++) {
    for (let channel = 0; channel < 3; channel++) out[index * 4 + channel] = image.pixels[index * image.channels + (image.channels === 3 ? channel : 0)];
    out[index * 4 + 3] = 255;
  }
  return out;
}

/** A whole factor that makes the image's longer side at least `target` pixels (nearest-neighbour upscaling keeps pixels sharp). */
export function upscaleFactor(image: { height: number; width: number }, target: number): number {
  return Math.max(1, Math.ceil(target / Math.max(image.height, image.width)));
}

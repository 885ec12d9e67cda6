// `shapes`: a synthetic dataset generated in process from a seed, so the first training needs no
// download. Filled shapes of random size, place, angle and brightness on a noisy background; the
// classes differ by outline only, so a small CNN must learn edges and corners to tell them apart.
import { classNamesOf } from '../../model/vocabulary';
import { seededRandom } from '../../util/random';
import type { Dataset, ImageSplit } from './types';

/** Label order: the generator draws kind `label` as the class of that name. */
export const shapeClassNames = classNamesOf('shapes');

type Point = [number, number];

function polygon(sides: number, radius: number, angle: number): Point[] {
  return Array.from({ length: sides }, (_, index) => {
    const theta = angle + (index * 2 * Math.PI) / sides;
    return [radius * Math.cos(theta), radius * Math.sin(theta)];
  });
}

function insidePolygon(x: number, y: number, points: Point[]): boolean {
  let inside = false;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const [xi, yi] = points[i];
    const [xj, yj] = points[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Whether the point (relative to the shape's centre) lies inside shape `kind`. */
function insideShape(kind: number, x: number, y: number, radius: number, angle: number, outline: Point[]): boolean {
  if (kind === 0) return x * x + y * y <= radius * radius;
  if (kind === 3) {
    // A plus sign: two bars of a third of the size, rotated.
    const u = Math.abs(x * Math.cos(angle) + y * Math.sin(angle));
    const v = Math.abs(-x * Math.sin(angle) + y * Math.cos(angle));
    const half = radius * 0.33;
    return (u <= radius && v <= half) || (v <= radius && u <= half);
  }
  return insidePolygon(x, y, outline);
}

/** One shape's place and looks: what the generator draws at random, or a test's chosen ones. */
export interface ShapeDrawing {
  /** The class (label) drawn: an index into shapeClassNames. */
  kind: number;
  radius: number;
  centreX: number;
  centreY: number;
  angle: number;
  /** Grey levels 0…255 before noise. */
  background: number;
  foreground: number;
  /** Per channel, the share of `foreground` (0.6…1). */
  colour: number[];
}

function drawExample(random: () => number, kind: number, height: number, width: number, channels: number, into: Uint8Array, offset: number): void {
  const size = Math.min(height, width);
  const radius = size * (0.28 + random() * 0.14);
  const margin = radius * 0.9;
  const centreX = margin + random() * (width - 2 * margin);
  const centreY = margin + random() * (height - 2 * margin);
  const angle = random() * 2 * Math.PI;
  const background = random() * 40;
  const foreground = 200 + random() * 55;
  const colour = Array.from({ length: channels }, () => 0.6 + random() * 0.4);
  drawShape({ kind, radius, centreX, centreY, angle, background, foreground, colour }, random, height, width, channels, into, offset);
}

/** Draws one shape (anti-aliased, with pixel noise from `random`) into `into` at `offset`, as the generator does. */
export function drawShape(shape: ShapeDrawing, random: () => number, height: number, width: number, channels: number, into: Uint8Array, offset = 0): void {
  const { kind, radius, centreX, centreY, angle, background, foreground, colour } = shape;
  const outline = kind === 1 ? polygon(4, radius * 1.15, angle) : kind === 2 ? polygon(3, radius * 1.2, angle) : [];
  const samples = [0.25, 0.75];
  for (let row = 0; row < height; row++) {
    for (let column = 0; column < width; column++) {
      // 2×2 supersampling gives anti-aliased edges, as in a photographed shape.
      let covered = 0;
      for (const dy of samples) for (const dx of samples) if (insideShape(kind, column + dx - centreX, row + dy - centreY, radius, angle, outline)) covered++;
      const coverage = covered / 4;
      for (let channel = 0; channel < channels; channel++) {
        const noise = (random() - 0.5) * 30;
        const value = background + coverage * (foreground * colour[channel] - background) + noise;
        into[offset + (row * width + column) * channels + channel] = Math.max(0, Math.min(255, Math.round(value)));
      }
    }
  }
}

function generateSplit(random: () => number, count: number, height: number, width: number, channels: number): ImageSplit {
  const exampleBytes = height * width * channels;
  const images = new Uint8Array(count * exampleBytes);
  const labels = new Int32Array(count);
  for (let index = 0; index < count; index++) {
    const kind = index % shapeClassNames.length;
    labels[index] = kind;
    drawExample(random, kind, height, width, channels, images, index * exampleBytes);
  }
  return { images, labels, count };
}

export interface ShapesOptions {
  height: number;
  width: number;
  channels: number;
  trainExamples?: number;
  testExamples?: number;
  seed?: number;
}

export function generateShapes(options: ShapesOptions): Dataset {
  const { height, width, channels } = options;
  const random = seededRandom(options.seed ?? 1234);
  return {
    name: 'shapes',
    classNames: [...shapeClassNames],
    height,
    width,
    channels,
    train: generateSplit(random, options.trainExamples ?? 4000, height, width, channels),
    test: generateSplit(random, options.testExamples ?? 1000, height, width, channels),
  };
}

// `cnnlab inside RUN IMAGE --out DIR [--class NAME] [--max-maps N] [--runs-dir DIR]`: what a run's
// model does with one image, as PNG files: the first convolution's filters, each convolution's
// feature maps, and Grad-CAM maps over the image (src/trainer/inside.ts computes them).
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { InsideImageSource, InsideResult } from '../trainer/inside';
import { RUN_FILE, runDirFor, runsDirFor } from '../runs/store';
import { drawGrid, gridColumns, heatOverlay, upscale, upscaleFactor, type RawImage } from '../util/insideImages';
import { UserError } from '../util/userError';
import type { CliStreams } from './summary';
import { withUsage } from './usage';

export const insideUsage = `Usage: cnnlab inside RUN IMAGE --out DIR [options]

Looks inside a run's trained model (model/best, else model/last) for one image and writes PNG files:
  filters.png           the first convolution's filters (colour when it reads RGB, else one grey
                        image per filter and input channel; each filter scaled to black…white)
  <layer>.png           each convolution's feature maps for the image (each map scaled on its own)
  gradcam-<class>.png   Grad-CAM: where the image raised the class's score, in jet colours
                        (blue low, red high) over the image in grey; for the predicted class and --class
RUN: a run id (in ./.cnnlab/runs) or a run folder.
IMAGE: an image file (resized and made grey or RGB as the model takes it), or test:N for example N
(from 0) of the test split of the run's dataset, generated or loaded as training did.

Options:
  --out DIR        the folder to write the PNG files in (made when missing)
  --class NAME     also map this class (a class name, or its number)
  --max-maps N     feature maps and filters drawn per layer at most (default 32)
  --runs-dir DIR   where run ids are looked up (default ./.cnnlab/runs)
`;

export interface InsideInvocation {
  runDir: string;
  image: InsideImageSource;
  out: string;
  className?: string;
  maxMaps?: number;
}

export class InsideUsageError extends UserError {}

/** `test:N` or an image path. */
export function parseImageArgument(value: string, cwd: string): InsideImageSource {
  const test = /^test:(.*)$/.exec(value);
  if (!test) return { kind: 'file', path: resolve(cwd, value) };
  const index = Number(test[1]);
  if (test[1] === '' || !Number.isInteger(index) || index < 0) throw new InsideUsageError(`IMAGE test:N needs a whole number N from 0. Received: ${value}.`);
  return { kind: 'test', index };
}

function optionValue(args: string[], index: number, option: string): string {
  const value = args[index];
  if (value === undefined || value === '') throw new InsideUsageError(`${option} needs a value.`);
  return value;
}

export function parseInsideArguments(args: string[], cwd: string): InsideInvocation {
  const positional: string[] = [];
  let out: string | undefined;
  let className: string | undefined;
  let maxMaps: number | undefined;
  let runsDir = runsDirFor(cwd);
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    switch (arg) {
      case '--out':
        out = resolve(cwd, optionValue(args, ++index, arg));
        break;
      case '--class':
        className = optionValue(args, ++index, arg);
        break;
      case '--max-maps': {
        const value = optionValue(args, ++index, arg);
        maxMaps = Number(value);
        if (!Number.isInteger(maxMaps) || maxMaps < 1) throw new InsideUsageError(`--max-maps needs a whole number above 0. Received: ${value}.`);
        break;
      }
      case '--runs-dir':
        runsDir = resolve(cwd, optionValue(args, ++index, arg));
        break;
      default:
        if (arg.startsWith('--')) throw new InsideUsageError(`Unknown option ${arg}.`);
        positional.push(arg);
    }
  }
  if (positional.length !== 2) throw new InsideUsageError(`Expected a run and an image. Received: ${positional.length === 0 ? 'nothing' : positional.join(' ')}.`);
  if (!out) throw new InsideUsageError('--out DIR is needed: the folder to write the PNG files in.');
  const [run, image] = positional;
  const asPath = resolve(cwd, run);
  let runDir: string;
  try {
    runDir = existsSync(join(asPath, RUN_FILE)) ? asPath : runDirFor(runsDir, run);
  } catch (error) {
    throw new InsideUsageError((error as Error).message);
  }
  return { runDir: resolve(cwd, runDir), image: parseImageArgument(image, cwd), out, ...(className !== undefined ? { className } : {}), ...(maxMaps !== undefined ? { maxMaps } : {}) };
}

export async function runInside(args: string[], streams: CliStreams, cwd = process.cwd()): Promise<number> {
  const command = { name: 'inside', usage: insideUsage, usageError: InsideUsageError, parse: (argv: string[]) => parseInsideArguments(argv, cwd) };
  return withUsage(command, args, streams, (invocation) => lookInsideAndWrite(invocation, streams, cwd));
}

async function lookInsideAndWrite(invocation: InsideInvocation, streams: CliStreams, cwd: string): Promise<number> {
  if (!existsSync(join(invocation.runDir, RUN_FILE))) {
    throw new UserError(`${invocation.runDir} is not a run: it has no ${RUN_FILE}.`, 'Give a run id from .cnnlab/runs (`ls .cnnlab/runs`) or a run folder, or --runs-dir.');
  }
  // tfjs is loaded only for this command: summary and doctor stay quick.
  const { selectBackend } = require('../trainer/backends') as typeof import('../trainer/backends');
  const { installFastCpuKernels } = require('../trainer/cpuKernels') as typeof import('../trainer/cpuKernels');
  const { lookInside } = require('../trainer/inside') as typeof import('../trainer/inside');
  await selectBackend('cpu');
  installFastCpuKernels();
  const result = await lookInside(invocation.runDir, invocation.image, { className: invocation.className, maxMaps: invocation.maxMaps, baseDir: cwd });
  const written = await writeInsidePngs(result, invocation.out);
  streams.stdout(describe(result, written));
  return 0;
}

/** Each map, filter and image cell this many pixels at least on its longer side: a 3×3 kernel or a 7×7 map is visible. */
const CELL_PIXELS = 48;
const GRADCAM_PIXELS = 256;

/** A file name from a layer or class name: letters, digits, `.`, `_` and `-` kept. */
export function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_') || '_';
}

async function writePng(image: RawImage, path: string): Promise<string> {
  const { default: sharp } = await import('sharp');
  await sharp(Buffer.from(image.pixels.buffer, image.pixels.byteOffset, image.pixels.byteLength), { raw: { width: image.width, height: image.height, channels: image.channels } })
    .png()
    .toFile(path);
  return path;
}

/** Writes filters.png, one <layer>.png per convolution and gradcam-<class>.png per map into `out`; the paths written. */
export async function writeInsidePngs(result: InsideResult, out: string): Promise<string[]> {
  mkdirSync(out, { recursive: true });
  const written: string[] = [];
  const filters = result.filters;
  if (filters && filters.count > 0) {
    // Grey images of a kernel reading several channels: one row per filter, its input channels side by side.
    const columns = filters.colour || filters.inputChannels === 1 ? gridColumns(filters.count) : filters.inputChannels;
    written.push(await writePng(drawGrid(filters, upscaleFactor(filters, CELL_PIXELS), columns), join(out, 'filters.png')));
  }
  for (const maps of result.featureMaps) {
    written.push(await writePng(drawGrid(maps, upscaleFactor(maps, CELL_PIXELS)), join(out, `${fileSafe(maps.layer)}.png`)));
  }
  for (const map of result.gradcam) {
    const overlay = heatOverlay(result.image, map.heat);
    written.push(await writePng(upscale(overlay, upscaleFactor(overlay, GRADCAM_PIXELS)), join(out, `gradcam-${fileSafe(map.className)}.png`)));
  }
  return written;
}

function describe(result: InsideResult, written: string[]): string {
  const lines = [`${result.source}, ${result.image.label}${result.image.resizedFrom ? ` (resized from ${result.image.resizedFrom[1]}×${result.image.resizedFrom[0]})` : ''}`, ''];
  lines.push('Top predictions:');
  for (const entry of result.top) lines.push(`  ${entry.class.padEnd(Math.max(...result.top.map((top) => top.class.length)))}  ${(entry.probability * 100).toFixed(2).padStart(6)} %`);
  lines.push('');
  if (result.filters) lines.push(`Filters of ${result.filters.layer}: ${result.filters.count} of ${result.filters.total} drawn`);
  for (const maps of result.featureMaps) lines.push(`${maps.layer} (${maps.className}) output (${maps.outputShape.map((dim) => dim ?? 'None').join(', ')}): ${maps.count} of ${maps.total} maps drawn`);
  for (const map of result.gradcam) lines.push(`Grad-CAM of '${map.className}' on ${map.layer} (gradient of the ${map.score === 'logit' ? 'logit, before softmax' : 'probability: no logit to be had'})`);
  for (const note of result.notes) lines.push(`Note: ${note}`);
  lines.push('', 'Written:', ...written.map((path) => `  ${path}`), '');
  return lines.join('\n');
}

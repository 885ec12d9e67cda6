// The host ↔ Inside child channel (dist/inside.js, src/trainer/insideMain.ts): one request, one
// answer, then the child exits. Also the shape of what the run panel's Inside tab draws
// (`InsideView`, passed on to the page unchanged). Pixels travel as base64 strings: IPC and
// webview messages are JSON, where a byte array would cost a dozen characters per byte.
// Checked where it enters: the child checks the request, the host and the page check the answer.

import { guardOf, invalidMessage, type ChannelChecks } from './guard';

/** Which image to look at with the run's model. */
export type InsideImage =
  /** Example `index` (from 0) of the run's test split. */
  | { kind: 'test'; index: number }
  /** An image file (absolute path): one the user chose, a misclassified example of the run. */
  | { kind: 'file'; path: string };

/** `count` images of height×width×channels bytes, base64, one after another. */
export interface InsideGrid {
  count: number;
  /** How many the layer has in all; `count` of them came (at most the request's `maxMaps`). */
  total: number;
  height: number;
  width: number;
  channels: 1 | 3;
  pixels: string;
}

export interface InsideView {
  source: string;
  image: { label: string; height: number; width: number; channels: 1 | 3; pixels: string; resizedFrom?: [number, number] };
  classNames: string[];
  predictedClass: number;
  top: { class: string; probability: number }[];
  filters?: InsideGrid & { layer: string; colour: boolean; inputChannels: number };
  featureMaps: (InsideGrid & { layer: string; className: string; outputShape: (number | null)[] })[];
  /** `heat`: base64 bytes, 0…255 for 0…1, height×width (the model's input). */
  gradcam: { classIndex: number; className: string; score: 'logit' | 'probability'; layer: string; heat: string; height: number; width: number }[];
  notes: string[];
}

export interface InsideRequest {
  type: 'inside';
  runDir: string;
  image: InsideImage;
  /** A class to map besides the predicted one (a name, or a number for a run without names). */
  className?: string;
  maxMaps?: number;
  /** Where run.json's relative model file is taken from (the workspace), and the datasets' folders. */
  baseDir?: string;
  dataDir?: string;
  cacheDir?: string;
}

export type InsideAnswer =
  /** child → host: what the Inside tab draws. */
  | { type: 'result'; view: InsideView }
  /** child → host: the request could not be answered; `hint` says what to do. */
  | { type: 'error'; message: string; hint?: string };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0;
const isPositive = (value: unknown): boolean => isCount(value) && value > 0;
const isBase64 = (value: unknown): boolean => typeof value === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(value);
const isStringArray = (value: unknown): boolean => Array.isArray(value) && value.every((item) => typeof item === 'string');

export function isInsideImage(value: unknown): value is InsideImage {
  if (!isObject(value)) return false;
  if (value.kind === 'test') return isCount(value.index);
  return value.kind === 'file' && typeof value.path === 'string' && value.path !== '';
}

/** Whether the base64 `pixels` hold exactly `count` images of the grid's size. */
function isGrid(value: unknown): boolean {
  if (!isObject(value)) return false;
  const { count, total, height, width, channels, pixels } = value;
  if (![count, total].every(isCount) || ![height, width].every(isPositive) || (channels !== 1 && channels !== 3) || !isBase64(pixels)) return false;
  return base64Length(pixels as string) === (count as number) * (height as number) * (width as number) * (channels as number) && (count as number) <= (total as number);
}

/** Bytes that a base64 string decodes to. */
export function base64Length(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return (text.length / 4) * 3 - padding;
}

const isOutputShape = (value: unknown): boolean => Array.isArray(value) && value.every((dim) => dim === null || isPositive(dim));

function isClassMap(value: unknown): boolean {
  if (!isObject(value)) return false;
  const { classIndex, className, score, layer, heat, height, width } = value;
  return isCount(classIndex) && typeof className === 'string' && (score === 'logit' || score === 'probability') && typeof layer === 'string' && isPositive(height) && isPositive(width) && isBase64(heat) && base64Length(heat as string) === (height as number) * (width as number);
}

/** The whole result, pixels included: the page decodes and draws what passes. */
export function isInsideView(value: unknown): value is InsideView {
  if (!isObject(value)) return false;
  const { source, image, classNames, predictedClass, top, filters, featureMaps, gradcam, notes } = value;
  if (typeof source !== 'string' || !isStringArray(classNames) || !isCount(predictedClass) || !isStringArray(notes)) return false;
  if (!isObject(image) || typeof image.label !== 'string' || !isGrid({ ...image, count: 1, total: 1 })) return false;
  if (!Array.isArray(top) || !top.every((entry) => isObject(entry) && typeof entry.class === 'string' && typeof entry.probability === 'number')) return false;
  if (filters !== undefined && !(isGrid(filters) && typeof (filters as Record<string, unknown>).layer === 'string' && typeof (filters as Record<string, unknown>).colour === 'boolean' && isPositive((filters as Record<string, unknown>).inputChannels))) return false;
  if (!Array.isArray(featureMaps) || !featureMaps.every((maps) => isGrid(maps) && typeof maps.layer === 'string' && typeof maps.className === 'string' && isOutputShape(maps.outputShape))) return false;
  return Array.isArray(gradcam) && gradcam.every(isClassMap);
}

const optionalPositive = { optional: isPositive };

const requestChecks: ChannelChecks<InsideRequest> = {
  inside: {
    runDir: 'string',
    image: isInsideImage,
    className: { optional: 'string' },
    maxMaps: optionalPositive,
    baseDir: { optional: 'string' },
    dataDir: { optional: 'string' },
    cacheDir: { optional: 'string' },
  },
};

const answerChecks: ChannelChecks<InsideAnswer> = {
  result: { view: isInsideView },
  error: { message: 'string', hint: { optional: 'string' } },
};

/** The child's check of what the host sends. */
export const isInsideRequest = guardOf(requestChecks);
export const whyNotInsideRequest = (value: unknown): string | undefined => invalidMessage(requestChecks, value);
/** The host's check of what the child answers. */
export const isInsideAnswer = guardOf(answerChecks);
export const whyNotInsideAnswer = (value: unknown): string | undefined => invalidMessage(answerChecks, value);

// What the editor shows for a model, as plain strings and data: lens titles, hover markdown,
// number formatting, and the debounce the editor uses. No `vscode` import, so all of it is
// unit-tested with plain mocha; the rest of src/extension/ stays thin glue.

import { formatSummary } from '../model/index';
import { escapeMarkdown } from '../model/markdownText';
import { formatShape, withThousands } from '../model/shape';
import type {
  LayerSpec,
  LayerSummary,
  ModelAnalysis,
  ModelDiagnostic,
  QuickFix,
  SourcePosition,
  SourceRange,
} from '../model/types';

// ---------------------------------------------------------------------------------------------
// Numbers

// Bytes and FLOPs are formatted in ./units, which the training panel bundles too: one style everywhere.
import { formatBytes, formatFlops } from '../model/units';

export { formatBytes, formatFlops };

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${withThousands(count)} ${count === 1 ? singular : pluralForm}`;
}

// ---------------------------------------------------------------------------------------------
// Freezing

/**
 * Whether a layer of the model is frozen (`trainable: false`, written among its options, set with
 * `layer.trainable = false` after construction, or by freezing the whole model): training leaves its
 * weights as they are, and its params count as non-trainable. Only a layer with weights is
 * frozen in any sense that matters; one without (pooling, flatten) is not called frozen.
 */
export function isFrozen(analysis: ModelAnalysis, layer: LayerSummary): boolean {
  if (layer.params === 0) return false;
  return analysis.ir?.layers.some((spec) => spec.name === layer.name && spec.config.trainable === false) ?? false;
}

function frozenCount(analysis: ModelAnalysis): number {
  return (analysis.summary?.layers ?? []).filter((layer) => isFrozen(analysis, layer)).length;
}

// ---------------------------------------------------------------------------------------------
// CodeLens titles

/** `→ (None, 26, 26, 64) · 640 params`, and `· frozen` for a frozen layer. */
export function layerLensTitle(layer: LayerSummary, frozen = false): string {
  return `→ ${formatShape(layer.outputShape)} · ${plural(layer.params, 'param')}${frozen ? ' · frozen' : ''}`;
}

/**
 * `Total 163,055 params (636.93 KB) · trainable 163,055 · non-trainable 0 · 2.1 MFLOPs`, with
 * `· 3 layers frozen` after the split when any layer is, or the error count.
 */
export function modelLensTitle(analysis: ModelAnalysis): string | undefined {
  const errors = analysis.diagnostics.filter((diagnostic) => diagnostic.severity === 'error').length;
  if (errors > 0) return `✖ ${plural(errors, 'error')} · show summary`;
  const summary = analysis.summary;
  if (!summary) return undefined;
  const frozen = frozenCount(analysis);
  return (
    `Total ${plural(summary.totalParams, 'param')} (${formatBytes(summary.weightBytes)})` +
    ` · trainable ${withThousands(summary.trainableParams)}` +
    ` · non-trainable ${withThousands(summary.nonTrainableParams)}` +
    (frozen > 0 ? ` · ${plural(frozen, 'layer')} frozen` : '') +
    ` · ${formatFlops(summary.flops)}`
  );
}

export interface LensItem {
  range: SourceRange;
  title: string;
  /** Set on the one lens standing for the layers piled on a line: how many there are. */
  layersOnLine?: number;
}

const fileStart: SourceRange = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** Layers sharing a line from this many on get one lens between them instead of a pile of lenses off-screen. */
const pileUpFrom = 3;

/** `11 layers on this line — format the file to see each` */
export function layersOnOneLineTitle(count: number): string {
  return `${plural(count, 'layer')} on this line — format the file to see each`;
}

/** The same lens on a line that formatting cannot spread out (a `.model.ts`, JSON with comments): the summary lists each layer. */
export function layersOnOneLineSummaryTitle(count: number): string {
  return `${plural(count, 'layer')} on this line — open the summary to see each`;
}

/**
 * One lens on the model declaration (first), then one above every layer whose shape is known. Layers
 * written on one line (a Keras `to_json()` file is one line) pile their lenses up on it, mostly
 * off-screen: when the whole model is on one line, or a line holds three or more layers, that line
 * gets one lens that counts them and points at formatting the file (the hover still tells each).
 */
export function lensItems(analysis: ModelAnalysis): LensItem[] {
  const items: LensItem[] = [];
  const modelTitle = modelLensTitle(analysis);
  if (modelTitle !== undefined) {
    const modelRange = analysis.ir?.range ?? analysis.ir?.layers[0]?.range ?? fileStart;
    items.push({ range: modelRange, title: modelTitle });
  }
  const layers = (analysis.summary?.layers ?? []).filter((layer): layer is LayerSummary & { range: SourceRange } => layer.range !== undefined);
  const perLine = new Map<number, number>();
  for (const layer of layers) perLine.set(layer.range.start.line, (perLine.get(layer.range.start.line) ?? 0) + 1);
  const wholeModelOnOneLine = layers.length >= 2 && perLine.size === 1;
  const piled = (line: number): boolean => wholeModelOnOneLine || (perLine.get(line) ?? 0) >= pileUpFrom;
  const counted = new Set<number>();
  for (const layer of layers) {
    const line = layer.range.start.line;
    if (!piled(line)) items.push({ range: layer.range, title: layerLensTitle(layer, isFrozen(analysis, layer)) });
    else if (!counted.has(line)) {
      counted.add(line);
      const count = perLine.get(line) ?? 0;
      items.push({ range: layer.range, title: layersOnOneLineTitle(count), layersOnLine: count });
    }
  }
  return items;
}

// ---------------------------------------------------------------------------------------------
// Hover

export function containsPosition(range: SourceRange, position: SourcePosition): boolean {
  return comparePositions(range.start, position) <= 0 && comparePositions(position, range.end) <= 0;
}

function comparePositions(a: SourcePosition, b: SourcePosition): number {
  return a.line === b.line ? a.character - b.character : a.line - b.line;
}

function rangeSize(range: SourceRange): [number, number] {
  return [range.end.line - range.start.line, range.end.character - range.start.character];
}

function smallerRange(a: SourceRange, b: SourceRange): boolean {
  const [aLines, aCharacters] = rangeSize(a);
  const [bLines, bCharacters] = rangeSize(b);
  return aLines === bLines ? aCharacters < bCharacters : aLines < bLines;
}

/** The innermost layer declaration under the cursor (a nested `.apply` call wins over its caller). */
export function layerAt(analysis: ModelAnalysis, position: SourcePosition): LayerSpec | undefined {
  let best: LayerSpec | undefined;
  for (const layer of analysis.ir?.layers ?? []) {
    if (!layer.range || !containsPosition(layer.range, position)) continue;
    if (!best?.range || smallerRange(layer.range, best.range)) best = layer;
  }
  return best;
}

/** A fence longer than any backtick run in the text, so user numbers can never close it early. */
function codeBlock(lines: string[]): string {
  const longestRun = Math.max(0, ...lines.map((line) => Math.max(0, ...(line.match(/`+/g) ?? []).map((run) => run.length))));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  return [`${fence}text`, ...lines, fence].join('\n');
}

/** What freezing does to this layer, in the hover. */
function frozenFact(summary: LayerSummary): string {
  const fact = '- Frozen (`trainable: false`): training leaves its weights as they are, so all its params are non-trainable';
  if (summary.className === 'BatchNormalization') return `${fact}; it normalizes with its moving mean and variance, as in inference, and does not update them (as Keras runs a frozen BatchNormalization)`;
  if (summary.nested) return `${fact}, every layer inside it included`;
  return fact;
}

/** Markdown for a layer: name and class, shape, params (and whether it is frozen), FLOPs, and the arithmetic in the user's numbers. */
export function layerHoverMarkdown(analysis: ModelAnalysis, layer: LayerSpec): string {
  const heading = `**${escapeMarkdown(layer.name)}** (${escapeMarkdown(layer.className)})`;
  const summary = analysis.summary?.layers.find((candidate) => candidate.name === layer.name);
  if (!summary) {
    return `${heading}\n\nShape not computed: an error in this layer or an earlier one stops the summary here.`;
  }
  const facts = [
    `- Output shape: \`${formatShape(summary.outputShape)}\``,
    `- Params: ${withThousands(summary.params)} (trainable ${withThousands(summary.trainableParams)}, non-trainable ${withThousands(summary.nonTrainableParams)})`,
    ...(isFrozen(analysis, summary) ? [frozenFact(summary)] : []),
    `- FLOPs: ${withThousands(summary.flops)} (${formatFlops(summary.flops)}) per example`,
    `- Output values: ${withThousands(summary.activationSize)} per example (${formatBytes(summary.activationSize * 4)} as float32)`,
  ];
  const parts = [heading, facts.join('\n')];
  if (summary.explanation.length > 0) parts.push(codeBlock(summary.explanation));
  return parts.join('\n\n');
}

// ---------------------------------------------------------------------------------------------
// Diagnostics and quick fixes

/** What identifies a diagnostic once it has travelled through the editor and back. */
export interface DiagnosticIdentity {
  range: SourceRange;
  code: string | number | undefined;
  message: string;
}

function sameRange(a: SourceRange, b: SourceRange): boolean {
  return comparePositions(a.start, b.start) === 0 && comparePositions(a.end, b.end) === 0;
}

export interface OfferedFix {
  fix: QuickFix;
  /** Index, in the list handed in, of the diagnostic this fix resolves. */
  shownIndex: number;
  /** The diagnostic has this one fix only, so the editor may apply it with the "auto fix" keybinding. */
  preferred: boolean;
}

/** The quick fixes for the diagnostics the editor hands back (it passes copies, not our objects). */
export function fixesFor(analysis: ModelAnalysis, shown: DiagnosticIdentity[]): OfferedFix[] {
  const offered: OfferedFix[] = [];
  shown.forEach((candidate, shownIndex) => {
    const source = analysis.diagnostics.find(
      (diagnostic) =>
        candidate.code === diagnostic.code && candidate.message === diagnostic.message && sameRange(candidate.range, diagnostic.range),
    );
    const fixes = source?.fixes ?? [];
    for (const fix of fixes) offered.push({ fix, shownIndex, preferred: fixes.length === 1 });
  });
  return offered;
}

export const diagnosticSource = 'CNN Lab';

/**
 * The diagnostics the editor should publish for a document: all of them, less the syntax errors
 * VS Code's own language service already reports for that document's language (JSON syntax in
 * `json`/`jsonc` documents, TypeScript syntax in `typescript` ones), so each appears once. The
 * CLI, which has no such service, prints them all. Quick fixes are unaffected: syntax errors have none.
 */
export function editorDiagnostics(analysis: ModelAnalysis, languageId: string): ModelDiagnostic[] {
  const reportedByEditor = (diagnostic: ModelDiagnostic): boolean =>
    (diagnostic.syntax === 'json' && (languageId === 'json' || languageId === 'jsonc')) || (diagnostic.syntax === 'typescript' && languageId === 'typescript');
  return analysis.diagnostics.filter((diagnostic) => !reportedByEditor(diagnostic));
}

// ---------------------------------------------------------------------------------------------
// Summary document

/** The text of the read-only summary view: Keras's `model.summary()`, then any problems. */
export function summaryDocumentText(analysis: ModelAnalysis, fileName: string): string {
  const problems = analysis.diagnostics.map(
    (diagnostic) => `  ${fileName}:${diagnostic.range.start.line + 1}:${diagnostic.range.start.character + 1} ${diagnostic.severity}: ${diagnostic.message}`,
  );
  const sections: string[] = [];
  if (analysis.summary) sections.push(formatSummary(analysis.summary).trimEnd());
  else sections.push(`No summary for ${fileName}: it could not be read as a model.`);
  if (problems.length > 0) sections.push(['Problems:', ...problems].join('\n'));
  return `${sections.join('\n\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// Debounce

/** The two timer functions the debouncer needs, injectable so tests run on a fake clock. */
export interface Timers {
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Runs the last task scheduled for a key once that key has been quiet for the delay. */
export class KeyedDebouncer<Key> {
  private readonly pending = new Map<Key, unknown>();

  constructor(private readonly timers: Timers = realTimers) {}

  schedule(key: Key, delayMs: number, task: () => void): void {
    this.cancel(key);
    const handle = this.timers.setTimeout(() => {
      this.pending.delete(key);
      task();
    }, Math.max(0, delayMs));
    this.pending.set(key, handle);
  }

  cancel(key: Key): void {
    const handle = this.pending.get(key);
    if (handle === undefined) return;
    this.timers.clearTimeout(handle);
    this.pending.delete(key);
  }

  isPending(key: Key): boolean {
    return this.pending.has(key);
  }

  dispose(): void {
    for (const key of [...this.pending.keys()]) this.cancel(key);
  }
}

// "Apply the best values to the model file": a sweep variant's values written into a
// `*.model.json` file with jsonc-parser, which edits the text in place (formatting, comments and
// key order stay): training keys into the `training` block, `<layer>.<option>` into that layer's
// object. Pure (no vscode): the panel turns the result into one undoable WorkspaceEdit.

import { applyEdits, modify, parseTree, type Node } from 'jsonc-parser';
import { analyzeModel } from '../model';
import { camelCase } from '../model/names';
import { LineMap } from '../model/source';
import { applyVariant, resolveParameter, variantLabel, type SweepValue } from '../model/sweep';
import type { ModelIR } from '../model/types';
import { withTrainingChanges } from './trainingBlock';

/** One replacement of the file's text: the smallest span that covers every change. */
export interface TextReplacement {
  offset: number;
  length: number;
  newText: string;
}

export type ApplyValuesResult =
  /** `replacement` is undefined when the file already holds every value. */
  | { replacement?: TextReplacement }
  /** Why the values cannot be written into this file (what to do instead is in the message). */
  | { problem: string };

const FORMAT_NAMES = { typescript: 'a TypeScript model (*.model.ts)', keras: "Keras's model.to_json() output" } as const;

/** The edit that writes `values` into the model file's text, or why it cannot. */
export function applyValuesToModelText(text: string, fileName: string, values: Readonly<Record<string, SweepValue>>): ApplyValuesResult {
  const { ir } = analyzeModel(text, fileName);
  if (!ir) return { problem: `Cannot apply the values to ${fileName}: the file is not a model CNN Lab reads any more. Fix it, or set ${variantLabel({ ...values })} by hand.` };
  if (ir.format !== 'json') {
    return { problem: `Applying sweep values is supported on *.model.json files only; ${fileName} is ${FORMAT_NAMES[ir.format]}. Set ${variantLabel({ ...values })} in it by hand.` };
  }
  const layerOptions: { layer: string; option: string; value: SweepValue }[] = [];
  for (const [parameter, value] of Object.entries(values)) {
    const target = resolveParameter(ir, parameter);
    if (typeof target === 'string') return { problem: `Cannot apply the values to ${fileName}: ${target}` };
    if (target.kind === 'layer') layerOptions.push({ layer: target.layer, option: target.option, value });
  }
  // Training keys as the trainer takes them: a swept field (`augmentation.zoomRange`) within its object, the object's other fields kept.
  const { training, problems } = applyVariant(ir, { ...values });
  if (problems.length > 0) return { problem: `Cannot apply the values to ${fileName}: ${problems.join(' ')}` };
  let current = text;
  // Layer positions come from the file as it was: editing an option moves no layer.
  const positions = layerPositions(text, ir);
  for (const { layer, option, value } of layerOptions) {
    const position = positions.get(layer);
    if (position === undefined) return { problem: `Cannot apply the values to ${fileName}: layer '${layer}' is not written in its \`layers\` list (a nested or generated layer). Set ${layer}.${option}=${String(value)} by hand.` };
    current = applyEdits(current, modify(current, ['layers', position, writtenKey(current, position, option)], value, { formattingOptions: formatting(current) }));
  }
  if (Object.keys(training).length > 0) current = withTrainingChanges(current, training);
  return current === text ? {} : { replacement: smallestReplacement(text, current) };
}

/** Each layer written in the file's `layers` list by its name in the model (given or generated), with its index in that list. */
function layerPositions(text: string, ir: ModelIR): Map<string, number> {
  const layersNode = parseTree(text)?.children?.find((property) => property.children?.[0]?.value === 'layers')?.children?.[1];
  const lines = new LineMap(text);
  const startOf = (node: Node): string => JSON.stringify(lines.position(node.offset));
  const indexByStart = new Map((layersNode?.children ?? []).map((node, index) => [startOf(node), index]));
  const positions = new Map<string, number>();
  for (const layer of ir.layers) {
    const index = layer.range ? indexByStart.get(JSON.stringify(layer.range.start)) : undefined;
    if (index !== undefined && !positions.has(layer.name)) positions.set(layer.name, index);
  }
  return positions;
}

/** The key the layer object already uses for the option (a Keras spelling such as `kernel_size` is edited where it is), else the option. */
function writtenKey(text: string, position: number, option: string): string {
  const layersNode = parseTree(text)?.children?.find((property) => property.children?.[0]?.value === 'layers')?.children?.[1];
  const keys = (layersNode?.children?.[position]?.children ?? []).map((property) => String(property.children?.[0]?.value));
  return keys.find((key) => key === option) ?? keys.find((key) => camelCase(key) === option) ?? option;
}

function formatting(text: string): { insertSpaces: boolean; tabSize: number; eol: string } {
  return { insertSpaces: true, tabSize: 2, eol: text.includes('\r\n') ? '\r\n' : '\n' };
}

/** The one span where `before` and `after` differ, so that the edit touches only what changed. */
export function smallestReplacement(before: string, after: string): TextReplacement {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start += 1;
  let end = 0;
  while (end < before.length - start && end < after.length - start && before[before.length - 1 - end] === after[after.length - 1 - end]) end += 1;
  return { offset: start, length: before.length - start - end, newText: after.slice(start, after.length - end) };
}

// Keras's `model.summary()` text (the Keras 2 layout the seed tutorials print: 65 columns for
// Sequential models, 98 with "Connected to" for functional ones, long cells wrapped the way
// Keras wraps them), and the JSON the CLI prints.

import { formatShape, withThousands } from './shape';
import type { LayerSummary, ModelDiagnostic, ModelSummary } from './types';

/** Keras's `print_row`: each cell cut to its column, the rest carried to continuation lines. */
function printRow(fields: string[], positions: number[]): string[] {
  const remaining = [...fields];
  const lines: string[] = [];
  while (remaining.some((field) => field.length > 0)) {
    let line = '';
    for (let column = 0; column < remaining.length; column += 1) {
      const start = column > 0 ? positions[column - 1] : 0;
      const end = positions[column];
      const space = column !== positions.length - 1 ? 2 : 0;
      let cutoff = end - start - space;
      let fitted = remaining[column].slice(0, cutoff);
      // Keras breaks lines after the end of a tuple or list element when one fits.
      const breaks = ['),', '},', '],', "',"]
        .map((marker) => (fitted.includes(marker) ? fitted.indexOf(marker) + marker.length : -1))
        .filter((index) => index >= 0);
      if (breaks.length > 0) {
        cutoff = Math.min(...breaks);
        fitted = fitted.slice(0, cutoff);
      }
      if (column === 0) line += ' ';
      line += fitted + ' '.repeat(space);
      remaining[column] = remaining[column].slice(cutoff);
      line += ' '.repeat(Math.max(0, positions[column] - line.length));
    }
    lines.push(line);
  }
  return lines;
}

function connectedTo(layer: LayerSummary): string {
  if (layer.inbound.length === 0) return '[]';
  return `[${layer.inbound.map((name) => `'${name}[0][0]'`).join(', ')}]`;
}

/** `Model: "name"`, the layer table and the parameter totals, as Keras prints them. */
export function formatSummary(summary: ModelSummary): string {
  const functional = summary.topology === 'functional';
  const lineLength = functional ? 98 : 65;
  const positions = (functional ? [0.3, 0.6, 0.7, 1] : [0.45, 0.85, 1]).map((fraction) => Math.floor(lineLength * fraction));
  const header = functional ? ['Layer (type)', 'Output Shape', 'Param #', 'Connected to'] : ['Layer (type)', 'Output Shape', 'Param #'];
  const lines = [`Model: "${summary.name}"`, '_'.repeat(lineLength), ...printRow(header, positions), '='.repeat(lineLength)];
  for (const layer of summary.layers) {
    const shape = functional && layer.className === 'InputLayer' ? `[${formatShape(layer.outputShape)}]` : formatShape(layer.outputShape);
    const fields = [`${layer.name} (${layer.className})`, shape, String(layer.params)];
    if (functional) fields.push(connectedTo(layer));
    lines.push(...printRow(fields, positions), ' '.repeat(lineLength));
  }
  lines.push(
    '='.repeat(lineLength),
    `Total params: ${withThousands(summary.totalParams)}`,
    `Trainable params: ${withThousands(summary.trainableParams)}`,
    `Non-trainable params: ${withThousands(summary.nonTrainableParams)}`,
    '_'.repeat(lineLength),
  );
  return `${lines.join('\n')}\n`;
}

export interface LayerJson {
  name: string;
  className: string;
  outputShape: (number | null)[];
  params: number;
  trainableParams: number;
  /** 1-based line of the layer declaration, null when the source position is unknown. */
  line: number | null;
  /** A model used as a layer: its own rows. */
  nested?: LayerJson[];
}

export interface DiagnosticJson {
  severity: ModelDiagnostic['severity'];
  code: ModelDiagnostic['code'];
  message: string;
  /** 1-based line and column of the start of the range. */
  line: number;
  column: number;
  layer?: string;
}

export interface SummaryJson {
  layers: LayerJson[];
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
  flops: number;
  diagnostics: DiagnosticJson[];
}

export function diagnosticToJson(diagnostic: ModelDiagnostic): DiagnosticJson {
  const json: DiagnosticJson = {
    severity: diagnostic.severity,
    code: diagnostic.code,
    message: diagnostic.message,
    line: diagnostic.range.start.line + 1,
    column: diagnostic.range.start.character + 1,
  };
  if (diagnostic.layer !== undefined) json.layer = diagnostic.layer;
  return json;
}

function layerToJson(layer: LayerSummary): LayerJson {
  const json: LayerJson = {
    name: layer.name,
    className: layer.className,
    outputShape: layer.outputShape,
    params: layer.params,
    trainableParams: layer.trainableParams,
    line: layer.range ? layer.range.start.line + 1 : null,
  };
  if (layer.nested) json.nested = layer.nested.map(layerToJson);
  return json;
}

/** The CLI's `--json` shape. */
export function summaryToJson(summary: ModelSummary, diagnostics: ModelDiagnostic[] = summary.diagnostics): SummaryJson {
  return {
    layers: summary.layers.map(layerToJson),
    totalParams: summary.totalParams,
    trainableParams: summary.trainableParams,
    nonTrainableParams: summary.nonTrainableParams,
    flops: summary.flops,
    diagnostics: diagnostics.map(diagnosticToJson),
  };
}

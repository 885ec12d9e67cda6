// The pages of a Keras saved model (.keras / .h5) and of a prediction, built whole by the host as
// the doctor's page is (doctorHtml.ts): every text HTML-escaped (layer names, paths and messages
// come from the file), no resource loaded, a CSP that allows only this page's own style and
// script by nonce. The model page's one script posts which action a button asks for; an image is
// embedded as a data: URL (img-src data:), never loaded from disk by the page.
import { formatShape, withThousands } from '../model';
import { formatBytes } from '../model/units';
import type { LayerSummary, ModelAnalysis } from '../model/types';

/** What the model page's buttons post. */
export const KERAS_PAGE_ACTIONS = ['predict', 'train', 'fineTune'] as const;
export type KerasPageAction = (typeof KERAS_PAGE_ACTIONS)[number];

export function isKerasPageAction(message: unknown): message is { type: KerasPageAction } {
  const type = (message as { type?: unknown } | null)?.type;
  return typeof type === 'string' && (KERAS_PAGE_ACTIONS as readonly string[]).includes(type);
}

export interface KerasModelPage {
  fileName: string;
  /** `Keras 3 native (.keras)` or `legacy HDF5 (.h5)`. */
  kindLabel: string;
  kerasVersion?: string;
  backend?: string;
  analysis?: ModelAnalysis;
  /** Why the file could not be read (a UserError's message and hint). */
  error?: { message: string; hint?: string };
}

export interface PredictionPage {
  /** What predicted: `mnist_cnn.keras`, `run cnn #3 (model/best)`. */
  source: string;
  classNamed: boolean;
  images: { name: string; dataUrl?: string; note?: string; top: { class: string; probability: number }[] }[];
  error?: { message: string; hint?: string };
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

const style = `
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 20px 20px; line-height: 1.45; }
  header { display: flex; align-items: baseline; flex-wrap: wrap; gap: 12px; }
  h1 { font-size: 1.4em; margin: 16px 0 4px; }
  .meta, .note { color: var(--vscode-descriptionForeground); }
  .actions { display: flex; gap: 8px; margin: 12px 0; }
  button { background: var(--vscode-button-background); color: var(--vscode-button-foreground); border: none; padding: 4px 12px; cursor: pointer; }
  button.secondary { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); }
  table { border-collapse: collapse; font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size); }
  th, td { text-align: left; padding: 2px 14px 2px 0; vertical-align: top; white-space: nowrap; }
  th { border-bottom: 1px solid var(--vscode-panel-border); }
  td.number, th.number { text-align: right; }
  tr.nested td:first-child { padding-left: 2em; }
  tr.frozen td { color: var(--vscode-descriptionForeground); }
  .totals { margin-top: 10px; font-family: var(--vscode-editor-font-family); }
  .error { color: var(--vscode-errorForeground); white-space: pre-wrap; }
  .hint { white-space: pre-wrap; }
  section.image { display: flex; gap: 20px; align-items: flex-start; margin: 16px 0; }
  section.image img { image-rendering: pixelated; width: 128px; height: auto; border: 1px solid var(--vscode-panel-border); }
  progress { width: 160px; }
`;

function page(title: string, nonce: string, body: string, script = ''): string {
  const csp = `default-src 'none'; img-src data:; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <style nonce="${nonce}">${style}</style>
  <title>${escapeHtml(title)}</title>
</head>
<body>
${body}
${script ? `<script nonce="${nonce}">${script}</script>` : ''}
</body>
</html>`;
}

function errorHtml(error: { message: string; hint?: string }): string {
  return `<p class="error">${escapeHtml(error.message)}</p>${error.hint ? `<p class="hint">${escapeHtml(error.hint)}</p>` : ''}`;
}

function layerRows(layers: LayerSummary[], nested: boolean): string {
  return layers
    .map((layer) => {
      const frozen = layer.params > 0 && layer.trainableParams === 0;
      const classes = [nested ? 'nested' : '', frozen ? 'frozen' : ''].filter(Boolean).join(' ');
      const row = `<tr${classes ? ` class="${classes}"` : ''}><td>${escapeHtml(layer.name)} (${escapeHtml(layer.className)})</td><td>${escapeHtml(formatShape(layer.outputShape))}</td><td class="number">${withThousands(layer.params)}</td><td>${frozen ? 'frozen' : ''}</td></tr>`;
      return row + (layer.nested ? layerRows(layer.nested, true) : '');
    })
    .join('');
}

/** The model page: what the file is, its actions, and its Keras summary (or why there is none). */
export function kerasModelHtml(model: KerasModelPage, nonce: string): string {
  const meta = [model.kindLabel, model.kerasVersion ? `saved by Keras ${model.kerasVersion}` : '', model.backend ? `${model.backend} backend` : ''].filter(Boolean).join(' · ');
  const parts = [`<header data-testid="keras-model"><h1>${escapeHtml(model.fileName)}</h1><span class="meta">${escapeHtml(meta)}</span></header>`];
  parts.push(
    '<div class="actions">' +
      '<button id="predict" title="Run the model with its weights on images you pick">Predict Image…</button>' +
      '<button id="train" class="secondary" title="Train this architecture from new weights, on a dataset you pick">Train…</button>' +
      '<button id="fineTune" class="secondary" title="Train further from this file\'s weights, on a dataset you pick; layers saved as frozen stay frozen">Fine-tune…</button>' +
      '</div>',
  );
  if (model.error) parts.push(errorHtml(model.error));
  const summary = model.analysis?.summary;
  const problems = model.analysis?.diagnostics.filter((diagnostic) => diagnostic.severity !== 'info') ?? [];
  if (problems.length > 0) {
    parts.push(`<ul>${problems.map((diagnostic) => `<li class="${diagnostic.severity === 'error' ? 'error' : ''}">${escapeHtml(`${diagnostic.severity}: ${diagnostic.layer ? `layer '${diagnostic.layer}': ` : ''}${diagnostic.message}`)}</li>`).join('')}</ul>`);
  }
  if (summary && summary.layers.length > 0) {
    parts.push(`<p class="meta">Model: "${escapeHtml(summary.name)}" (${summary.topology === 'functional' ? 'Functional' : 'Sequential'})</p>`);
    parts.push(`<table data-testid="keras-summary"><thead><tr><th>Layer (type)</th><th>Output Shape</th><th class="number">Param #</th><th></th></tr></thead><tbody>${layerRows(summary.layers, false)}</tbody></table>`);
    parts.push(
      `<div class="totals" data-testid="keras-totals">Total params: ${withThousands(summary.totalParams)} (${escapeHtml(formatBytes(summary.weightBytes))})<br>` +
        `Trainable params: ${withThousands(summary.trainableParams)}<br>Non-trainable params: ${withThousands(summary.nonTrainableParams)}</div>`,
    );
  }
  const script = `
    const vscode = acquireVsCodeApi();
    for (const id of ${JSON.stringify(KERAS_PAGE_ACTIONS)}) {
      document.getElementById(id).addEventListener('click', () => vscode.postMessage({ type: id }));
    }`;
  return page(model.fileName, nonce, parts.join('\n'), script);
}

const percent = (probability: number): string => `${(probability * 100).toFixed(2)} %`;

/** A prediction's page: each image beside its top classes. */
export function predictionHtml(prediction: PredictionPage, nonce: string): string {
  const parts = [`<header data-testid="prediction"><h1>Prediction</h1><span class="meta">${escapeHtml(prediction.source)}</span></header>`];
  if (prediction.error) parts.push(errorHtml(prediction.error));
  if (!prediction.error && !prediction.classNamed) parts.push('<p class="note">The model does not name its classes: they are numbered from 0, in the order of its outputs.</p>');
  for (const image of prediction.images) {
    const picture = image.dataUrl ? `<img src="${escapeHtml(image.dataUrl)}" alt="${escapeHtml(image.name)}">` : '';
    const rows = image.top
      .map((entry) => `<tr><td>${escapeHtml(entry.class)}</td><td class="number">${percent(entry.probability)}</td><td><progress max="1" value="${entry.probability}"></progress></td></tr>`)
      .join('');
    parts.push(
      `<section class="image">${picture}<div><h2>${escapeHtml(image.name)}</h2>${image.note ? `<p class="note">${escapeHtml(image.note)}</p>` : ''}` +
        `<table data-testid="prediction-top"><thead><tr><th>Class</th><th class="number">Probability</th><th></th></tr></thead><tbody>${rows}</tbody></table></div></section>`,
    );
  }
  return page('Prediction', nonce, parts.join('\n'));
}

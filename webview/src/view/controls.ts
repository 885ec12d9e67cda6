// The chart controls shared by the run and compare pages: granularity, smoothing, log scale.

import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { Granularity } from '../logic/chartData';
import type { Smoothing } from '../logic/smooth';
import { h } from './dom';

export interface ViewOptions {
  granularity: Granularity;
  smoothingKind: Smoothing['kind'];
  movingAverageWindow: number;
  emaBeta: number;
  logScale: boolean;
}

export const defaultViewOptions: ViewOptions = {
  granularity: 'batch',
  smoothingKind: 'ema',
  movingAverageWindow: 20,
  emaBeta: 0.9,
  logScale: false,
};

export function smoothingOf(options: ViewOptions): Smoothing {
  switch (options.smoothingKind) {
    case 'none':
      return { kind: 'none' };
    case 'moving-average':
      return { kind: 'moving-average', window: options.movingAverageWindow };
    case 'ema':
      return { kind: 'ema', beta: options.emaBeta };
  }
}

function select(testId: string, label: string, choices: [string, string][], value: string, onChange: (value: string) => void): HTMLElement {
  const element = document.createElement('vscode-single-select');
  element.setAttribute('aria-label', label);
  element.dataset.testid = testId;
  for (const [optionValue, text] of choices) {
    const option = document.createElement('vscode-option');
    option.setAttribute('value', optionValue);
    if (optionValue === value) option.setAttribute('selected', '');
    option.textContent = text;
    element.appendChild(option);
  }
  element.addEventListener('change', () => onChange(element.value));
  return h('label', { class: 'control' }, h('span', {}, label), element);
}

/** Builds the controls; `onChange` receives the new options whenever one changes. */
export function buildControls(initial: ViewOptions, onChange: (options: ViewOptions) => void): HTMLElement {
  const options = { ...initial };
  const syncParameter = (): void => {
    const ema = options.smoothingKind === 'ema';
    parameter.hidden = options.smoothingKind === 'none';
    // Without a matching step the field would flag 0.9 as invalid.
    parameterField.step = ema ? 0.01 : 1;
    parameterField.min = ema ? 0 : 1;
    parameterField.max = ema ? 0.999 : 10000;
    parameterField.value = String(ema ? options.emaBeta : options.movingAverageWindow);
    parameterLabel.textContent = ema ? 'EMA β' : 'Window';
    parameterField.setAttribute('aria-label', ema ? 'EMA beta (0 to 0.999)' : 'Moving average window (batches)');
  };
  const emit = (): void => {
    syncParameter();
    onChange({ ...options });
  };

  const parameterField = document.createElement('vscode-textfield');
  parameterField.type = 'number';
  parameterField.dataset.testid = 'smoothing-parameter';
  parameterField.addEventListener('change', () => {
    const value = Number(parameterField.value);
    if (!Number.isFinite(value)) return;
    if (options.smoothingKind === 'ema') options.emaBeta = Math.min(0.999, Math.max(0, value));
    else options.movingAverageWindow = Math.max(1, Math.round(value));
    emit();
  });
  const parameterLabel = h('span', {});
  const parameter = h('label', { class: 'control' }, parameterLabel, parameterField);

  const logScale = document.createElement('vscode-checkbox');
  logScale.setAttribute('aria-label', 'Logarithmic scale for loss');
  logScale.dataset.testid = 'log-scale';
  logScale.checked = options.logScale;
  logScale.textContent = 'Log scale (loss)';
  logScale.addEventListener('change', () => {
    options.logScale = logScale.checked;
    emit();
  });

  const container = h(
    'div',
    { class: 'controls', role: 'group', 'aria-label': 'Chart options' },
    select('granularity', 'Curves', [['batch', 'Per batch'], ['epoch', 'Per epoch']], options.granularity, (value) => {
      options.granularity = value === 'epoch' ? 'epoch' : 'batch';
      emit();
    }),
    select('smoothing', 'Smoothing', [['none', 'None'], ['moving-average', 'Moving average'], ['ema', 'EMA (bias-corrected)']], options.smoothingKind, (value) => {
      options.smoothingKind = value === 'moving-average' || value === 'ema' ? value : 'none';
      emit();
    }),
    parameter,
    logScale,
  );
  // Without notifying: the caller renders with `initial` already.
  syncParameter();
  return container;
}

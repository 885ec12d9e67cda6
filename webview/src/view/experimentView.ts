// The experiment panel: one sweep's variants in a table sortable by any column (the best row
// highlighted), a parallel-coordinates plot of values → metric, the overlaid curves of the ticked
// rows, and "Apply the best values to the model file".
//
// The plot is SVG drawn here: chart.js (the curves' library) has no parallel coordinates, and a
// few axes and polylines do not justify a second charting library in the page's bundle.

import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { ExperimentPageData, ExperimentRowData } from '../../../src/channels/experiment';
import type { SweepAction } from '../../../src/channels/webview';
import { formatDuration, formatSweepValue } from '../../../src/runs/grouping';
import type { LineSeries } from '../logic/chartData';
import { bestVariant, columnsOf, defaultSort, defaultTicked, nextSort, parallelCoordinates, sortRows, type ColumnId, type SortOrder } from '../logic/experiment';
import { LineChart } from './charts';
import { button, fill, formatMetric, h } from './dom';

export interface ExperimentHandlers {
  openRun(runId: string): void;
  applyValues(variant: number): void;
  sweepAction(action: SweepAction): void;
}

const SVG = 'http://www.w3.org/2000/svg';
const PLOT = { width: 720, height: 260, top: 24, bottom: 40, side: 70 };

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

export class ExperimentPage {
  readonly element: HTMLElement;
  private data: ExperimentPageData | undefined;
  private sort: SortOrder | undefined;
  /** Rows whose curves are drawn; undefined until the user ticks one (then the best ones are shown). */
  private ticked: Set<number> | undefined;
  private readonly heading = h('h1', { 'data-testid': 'experiment-title' });
  private readonly meta = h('p', { class: 'meta', 'data-testid': 'experiment-meta', role: 'status' });
  private readonly actions = h('div', { class: 'buttons' });
  private readonly table = h('section', { 'aria-label': 'Variants' });
  private readonly plot = h('figure', { class: 'parallel', 'data-testid': 'experiment-parallel' });
  private readonly curves = new LineChart('experiment-curves', 'Curves of the ticked variants');

  constructor(private readonly handlers: ExperimentHandlers) {
    this.element = h('main', { class: 'experiment-page', 'data-testid': 'experiment-page' },
      h('header', {}, this.heading, this.meta, this.actions),
      this.table,
      h('h2', {}, 'Values → metric'),
      this.plot,
      h('h2', {}, 'Curves'),
      h('p', { class: 'note' }, 'Tick rows in the table to overlay their curves.'),
      this.curves.element,
    );
  }

  refreshTheme(): void {
    this.curves.refreshTheme();
    if (this.data) this.renderCurves(this.data);
  }

  render(data: ExperimentPageData): void {
    this.data = data;
    this.sort ??= defaultSort(data.metric);
    const done = data.rows.filter((row) => row.status === 'completed').length;
    this.heading.textContent = data.name;
    this.meta.textContent = `${data.modelFile} · ${data.method} search · ${done} of ${data.rows.length} done · ${data.state} · ranked by ${data.metric.name} (${data.metric.goal === 'max' ? 'higher' : 'lower'} is better)`;
    this.element.dataset.state = data.state;
    this.renderActions(data);
    this.renderTable(data);
    this.renderPlot(data);
    this.renderCurves(data);
  }

  private renderActions(data: ExperimentPageData): void {
    const best = bestVariant(data);
    const bestRow = data.rows.find((row) => row.variant === best);
    fill(this.actions,
      bestRow ? button('apply-best', 'Apply the Best Values to the Model File', () => this.handlers.applyValues(bestRow.variant), { title: `Write ${bestRow.label} into ${data.modelFile} (one edit; undo with Ctrl+Z)`, primary: true }) : undefined,
      data.state === 'running' || data.state === 'queued' ? button('stop-sweep', 'Stop Sweep', () => this.handlers.sweepAction('stop'), { title: 'Stop every running variant and the queue' }) : undefined,
      data.state === 'stopped' ? button('continue-sweep', 'Continue Sweep', () => this.handlers.sweepAction('continue'), { title: 'Train the variants not trained yet' }) : undefined,
    );
  }

  private renderTable(data: ExperimentPageData): void {
    const order = this.sort ?? defaultSort(data.metric);
    const best = bestVariant(data);
    const ticked = this.tickedVariants(data);
    const header = columnsOf(data).map((column) => {
      const sorted = order.column === column.id;
      const label = h('button', { class: 'sort', 'data-column': column.id, title: `Sort by ${column.label}` }, column.label, sorted ? (order.descending ? ' ▼' : ' ▲') : '');
      label.addEventListener('click', () => this.sortBy(column.id));
      return h('th', { scope: 'col', 'aria-sort': sorted ? (order.descending ? 'descending' : 'ascending') : 'none' }, label);
    });
    const rows = sortRows(data.rows, order).map((row) => this.tableRow(data, row, row.variant === best, ticked.has(row.variant)));
    fill(this.table, h('table', { class: 'grid experiment-table', 'data-testid': 'experiment-table', 'aria-label': 'Variants of the sweep' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Curve'), ...header)),
      h('tbody', {}, ...rows),
    ));
  }

  private tableRow(data: ExperimentPageData, row: ExperimentRowData, best: boolean, ticked: boolean): HTMLElement {
    const tick = h('input', { type: 'checkbox', 'aria-label': `Show the curve of variant ${row.variant + 1}`, checked: ticked, disabled: !row.curve?.length });
    tick.addEventListener('change', () => this.toggle(data, row.variant, tick.checked));
    const runCell = row.runId
      ? h('a', { href: '#', title: `Open ${row.runName ?? row.runId}`, 'data-run': row.runId }, String(row.variant + 1))
      : String(row.variant + 1);
    if (runCell instanceof HTMLElement && row.runId) {
      const runId = row.runId;
      runCell.addEventListener('click', (event) => {
        event.preventDefault();
        this.handlers.openRun(runId);
      });
    }
    const epochs = row.epochsCompleted === undefined ? '—' : `${row.epochsCompleted}${row.epochsPlanned ? ` / ${row.epochsPlanned}` : ''}`;
    return h('tr', { class: best ? 'best' : undefined, 'data-variant': row.variant, 'data-best': best, 'data-status': row.status, title: row.problems?.join('\n') },
      h('td', {}, tick),
      h('td', { class: 'num' }, runCell),
      ...data.keys.map((key) => h('td', { class: typeof row.values[key] === 'number' ? 'num' : undefined }, row.values[key] === undefined ? '—' : formatSweepValue(row.values[key]))),
      h('td', { class: 'num', 'data-metric': row.metric ?? '' }, formatMetric(row.metric), best ? ' ★' : ''),
      h('td', { class: 'num' }, epochs),
      h('td', { class: 'num' }, row.durationMs === undefined ? '—' : formatDuration(row.durationMs)),
      h('td', {}, row.status === 'invalid' && row.problems?.length ? `invalid: ${row.problems[0]}` : row.status),
    );
  }

  private sortBy(column: ColumnId): void {
    if (!this.data) return;
    this.sort = nextSort(this.sort ?? defaultSort(this.data.metric), column, this.data.metric);
    this.renderTable(this.data);
  }

  private tickedVariants(data: ExperimentPageData): Set<number> {
    return this.ticked ?? new Set(defaultTicked(data));
  }

  private toggle(data: ExperimentPageData, variant: number, on: boolean): void {
    const ticked = new Set(this.tickedVariants(data));
    if (on) ticked.add(variant);
    else ticked.delete(variant);
    this.ticked = ticked;
    this.renderCurves(data);
  }

  private renderPlot(data: ExperimentPageData): void {
    const { axes, lines } = parallelCoordinates(data);
    const plotHeight = PLOT.height - PLOT.top - PLOT.bottom;
    const x = (index: number): number => PLOT.side + (axes.length === 1 ? 0 : (index * (PLOT.width - 2 * PLOT.side)) / (axes.length - 1));
    const y = (position: number): number => PLOT.top + (1 - position) * plotHeight;
    const drawing = svg('svg', { viewBox: `0 0 ${PLOT.width} ${PLOT.height}`, role: 'img', 'aria-label': `Parallel coordinates: ${axes.map((axis) => axis.label).join(', ')}; ${lines.length} variants` });
    // Lines first, the best last so that it is drawn on top.
    for (const line of [...lines].sort((a, b) => Number(a.best) - Number(b.best))) {
      const points = line.positions.map((position, index) => `${x(index)},${y(position)}`).join(' ');
      const polyline = svg('polyline', { points, class: line.best ? 'line best' : 'line', 'data-variant': line.variant });
      polyline.appendChild(svg('title', {}, `variant ${line.variant + 1}${line.best ? ' (best)' : ''}`));
      drawing.appendChild(polyline);
    }
    axes.forEach((axis, index) => {
      drawing.appendChild(svg('line', { x1: x(index), x2: x(index), y1: y(0), y2: y(1), class: 'axis' }));
      drawing.appendChild(svg('text', { x: x(index), y: PLOT.height - 12, 'text-anchor': 'middle', class: 'axis-label' }, axis.scale === 'log' ? `${axis.label} (log)` : axis.label));
      for (const tick of axis.ticks) drawing.appendChild(svg('text', { x: x(index) + 5, y: y(tick.position) + 4, class: 'tick' }, tick.label));
    });
    this.plot.dataset.lines = String(lines.length);
    fill(this.plot, lines.length === 0 ? h('p', { class: 'note' }, 'The plot appears once a variant has a result.') : drawing);
  }

  private renderCurves(data: ExperimentPageData): void {
    const ticked = this.tickedVariants(data);
    const lines: LineSeries[] = data.rows
      .filter((row) => ticked.has(row.variant) && row.curve && row.curve.length > 0)
      .map((row) => ({
        label: `${row.variant + 1}: ${row.label}`,
        role: 'validation',
        faint: false,
        runIndex: row.variant,
        points: row.curve ?? [],
        rawCount: row.curve?.length ?? 0,
      }));
    this.curves.update(lines, { logScale: false, xTitle: 'Epoch', yTitle: data.metric.name, colourBy: 'run' });
  }
}

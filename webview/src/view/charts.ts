// One chart.js line chart per metric family. Data arrive already decimated and smoothed, so
// chart.js parses nothing and animates nothing: an update is a swap of datasets and one draw.

import {
  Chart,
  Legend,
  LineController,
  LineElement,
  LinearScale,
  LogarithmicScale,
  PointElement,
  Tooltip,
  type ChartDataset,
} from 'chart.js';
import { drawnPoints, type LineSeries } from '../logic/chartData';
import { h } from './dom';
import { readTheme, withAlpha, type ChartTheme } from './theme';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Legend, Tooltip);

export interface ChartLook {
  logScale: boolean;
  xTitle: string;
  yTitle: string;
  /** Compare mode: colour by run, dash the train line; single run: colour by role. */
  colourBy: 'role' | 'run';
}

export class LineChart {
  readonly element: HTMLElement;
  private readonly chart: Chart<'line', { x: number; y: number }[]>;
  private theme: ChartTheme = readTheme();
  private readonly canvas: HTMLElement;

  constructor(testId: string, private readonly label: string) {
    const canvas = h('canvas', { role: 'img', 'aria-label': label });
    this.canvas = canvas;
    this.element = h('figure', { class: 'chart', 'data-testid': testId, 'data-points': 0, 'data-raw-points': 0, 'data-series': 0 }, h('figcaption', {}, label), h('div', { class: 'chart-box' }, canvas));
    this.chart = new Chart(canvas, {
      type: 'line',
      data: { datasets: [] },
      options: {
        animation: false,
        parsing: false,
        normalized: true,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        plugins: { legend: { position: 'bottom' } },
        scales: { x: { type: 'linear' }, y: { type: 'linear' } },
      },
    });
  }

  refreshTheme(): void {
    this.theme = readTheme();
  }

  update(lines: readonly LineSeries[], look: ChartLook): void {
    const theme = this.theme;
    this.chart.data.datasets = lines.map((line, index): ChartDataset<'line', { x: number; y: number }[]> => {
      const base = look.colourBy === 'run' ? theme.palette[line.runIndex % theme.palette.length] : theme.palette[line.role === 'train' ? 0 : 1];
      const colour = line.faint ? withAlpha(base, 0.25) : base;
      return {
        label: line.label,
        data: line.points,
        borderColor: colour,
        backgroundColor: colour,
        borderWidth: line.faint ? 1 : 2,
        borderDash: look.colourBy === 'run' && line.role === 'train' ? [6, 4] : [],
        pointRadius: line.points.length <= 60 ? 2.5 : 0,
        tension: 0,
        order: line.faint ? lines.length + index : index,
      };
    });
    const axis = { color: theme.foreground, font: { family: theme.font } };
    this.chart.options.color = theme.foreground;
    this.chart.options.scales = {
      x: { type: 'linear', title: { display: true, text: look.xTitle, ...axis }, ticks: axis, grid: { color: theme.grid } },
      y: { type: look.logScale ? 'logarithmic' : 'linear', title: { display: true, text: look.yTitle, ...axis }, ticks: axis, grid: { color: theme.grid } },
    };
    this.chart.update('none');
    this.element.dataset.points = String(drawnPoints(lines));
    this.element.dataset.rawPoints = String(lines.filter((line) => !line.faint).reduce((sum, line) => sum + line.rawCount, 0));
    this.element.dataset.series = String(lines.length);
    // The legend is drawn on the canvas: screen readers (and tests) read its entries here.
    this.canvas.setAttribute('aria-label', lines.length > 0 ? `${this.label}: ${lines.map((line) => line.label).join(', ')}` : this.label);
  }
}

// The run panel's Inside tab: an image (a test example, a misclassified one, a chosen file), the
// model's top predictions, the first convolution's filters, each convolution's feature maps and a
// Grad-CAM map per class, drawn on canvases from the bytes the host sent (no image URLs). A
// layer's maps are drawn when its canvas first scrolls into view, so a model with many wide
// layers costs the page only what is looked at.

import '@vscode-elements/elements/dist/vscode-button/index.js';
import './inside.css';
import type { InsideAsk, InsidePick } from '../../../src/channels/webview';
import type { InsideGrid, InsideView } from '../../../src/channels/inside';
import { drawGrid, drawnGridSize, gridColumns, heatOverlay, toRgba, upscale, upscaleFactor, type RawImage } from '../../../src/util/insideImages';
import { askForAllMaps, askForClass, decodeBase64, gradcamFor, type InsideState } from '../logic/inside';
import type { RunView } from '../logic/state';
import { button, fill, formatShape, h } from './dom';

export interface InsideHandlers {
  ask(ask: InsideAsk): void;
}

/** Each map or filter at least this many CSS pixels wide: 3×3 kernels and 4×4 maps stay visible. */
const CELL_PIXELS = 40;
const IMAGE_PIXELS = 192;

/** A canvas holding `image` pixel for pixel (upscaled already: the same drawing as `cnnlab inside`'s PNG files). */
function drawCanvas(canvas: HTMLCanvasElement, image: RawImage): void {
  canvas.width = image.width;
  canvas.height = image.height;
  canvas.getContext('2d')?.putImageData(new ImageData(toRgba(image), image.width, image.height), 0, 0);
  canvas.dataset.drawn = 'true';
}

function gridImage(grid: InsideGrid, columns?: number): RawImage {
  return drawGrid({ ...grid, pixels: decodeBase64(grid.pixels) }, upscaleFactor(grid, CELL_PIXELS), columns);
}

export class InsidePanel {
  readonly element: HTMLElement;
  private readonly testIndex = h('input', { type: 'number', min: 0, value: 0, step: 1, 'data-testid': 'inside-test-index', 'aria-label': 'Test example number' });
  private readonly thumbnails = h('div', { class: 'inside-thumbnails', 'data-testid': 'inside-misclassified', role: 'list', 'aria-label': 'Misclassified examples: click one to look inside' });
  private readonly status = h('p', { class: 'note', 'data-testid': 'inside-status', role: 'status' });
  private readonly errorBox = h('div', { class: 'error', 'data-testid': 'inside-error', role: 'alert', hidden: true });
  private readonly result = h('section', { class: 'inside-result', 'data-testid': 'inside-result', 'aria-label': 'Inside the network' });
  private readonly observer: IntersectionObserver;
  /** Canvases still to draw, with what draws them (when they scroll into view). */
  private readonly pending = new Map<Element, () => void>();
  private renderedRevision = -1;
  private renderedThumbnails = '';

  constructor(private readonly handlers: InsideHandlers) {
    this.observer = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        const draw = entry.isIntersecting ? this.pending.get(entry.target) : undefined;
        if (!draw) continue;
        this.pending.delete(entry.target);
        this.observer.unobserve(entry.target);
        draw();
      }
    });
    const look = (): void => {
      const index = Number(this.testIndex.value);
      if (Number.isInteger(index) && index >= 0) this.ask({ kind: 'test', index });
    };
    this.testIndex.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') look();
    });
    this.element = h('section', { class: 'inside', 'data-testid': 'inside-tab', 'aria-label': 'Inside the network' },
      h('div', { class: 'inside-pick' },
        h('label', {}, 'Test example ', this.testIndex),
        button('inside-look', 'Look inside', look, { primary: true }),
        button('inside-choose-file', 'Choose image file…', () => this.ask({ kind: 'chooseFile' }))),
      this.thumbnails,
      this.status,
      this.errorBox,
      this.result,
    );
  }

  /** A new look: the class asked for and the maps per layer are those of the image on screen only. */
  private ask(image: InsidePick): void {
    this.handlers.ask({ image });
  }

  render(run: RunView): void {
    const inside = run.inside;
    this.renderThumbnails(run);
    this.status.textContent = inside?.busy ? `Looking inside the network for ${inside.busy}…` : inside?.view ? '' : 'Choose an image: a test example, a misclassified one below, or a file.';
    this.status.dataset.busy = inside?.busy ? 'true' : 'false';
    this.errorBox.hidden = !inside?.error;
    if (inside?.error) fill(this.errorBox, h('strong', { 'data-testid': 'inside-error-message' }, inside.error.message), inside.error.hint ? h('p', {}, inside.error.hint) : undefined);
    if (inside?.view && inside.revision !== this.renderedRevision) {
      this.renderedRevision = inside.revision;
      this.renderResult(inside.view, inside);
    }
  }

  private renderThumbnails(run: RunView): void {
    const examples = run.evaluation?.misclassified ?? [];
    const key = examples.map((example) => `${example.file}:${run.images[example.file] ? 1 : 0}`).join('|');
    if (key === this.renderedThumbnails) return;
    this.renderedThumbnails = key;
    const names = run.evaluation?.classNames ?? [];
    fill(this.thumbnails, ...examples.filter((example) => run.images[example.file]).map((example) => {
      const caption = `true ${names[example.trueClass] ?? example.trueClass}, predicted ${names[example.predictedClass] ?? example.predictedClass}`;
      const thumbnail = h('button', { class: 'inside-thumbnail', role: 'listitem', title: `Look inside: ${caption}`, 'aria-label': `Look inside: ${caption}`, 'data-file': example.file },
        h('img', { src: run.images[example.file], alt: caption }));
      thumbnail.addEventListener('click', () => this.ask({ kind: 'misclassified', file: example.file }));
      return thumbnail;
    }));
  }

  private renderResult(view: InsideView, inside: InsideState): void {
    for (const canvas of this.pending.keys()) this.observer.unobserve(canvas);
    this.pending.clear();
    fill(this.result,
      this.imageAndPredictions(view),
      view.notes.length > 0 ? h('ul', { class: 'note', 'data-testid': 'inside-notes' }, ...view.notes.map((note) => h('li', {}, note))) : undefined,
      this.gradcamSection(view, inside),
      this.filtersSection(view, inside),
      this.featureMapsSection(view, inside),
    );
  }

  private imageAndPredictions(view: InsideView): HTMLElement {
    const image: RawImage = { ...view.image, pixels: decodeBase64(view.image.pixels) };
    const canvas = h('canvas', { class: 'pixelated', 'data-testid': 'inside-image', role: 'img', 'aria-label': view.image.label });
    drawCanvas(canvas, upscale(image, upscaleFactor(image, IMAGE_PIXELS)));
    const resized = view.image.resizedFrom ? ` (resized from ${view.image.resizedFrom[1]}×${view.image.resizedFrom[0]})` : '';
    return h('div', { class: 'inside-head' },
      h('figure', { class: 'inside-figure' }, canvas, h('figcaption', { 'data-testid': 'inside-image-label' }, `${view.image.label}${resized}`)),
      h('table', { class: 'grid', 'data-testid': 'inside-top', 'aria-label': 'Top predictions' },
        h('caption', {}, `Top predictions · ${view.source}`),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Class'), h('th', { scope: 'col' }, 'Probability'))),
        h('tbody', {}, ...view.top.map((entry) => h('tr', {}, h('td', {}, entry.class), h('td', { class: 'num' }, `${(entry.probability * 100).toFixed(1)} %`))))));
  }

  private gradcamSection(view: InsideView, inside: InsideState): HTMLElement | undefined {
    if (view.gradcam.length === 0) return undefined;
    const picker = h('select', { 'data-testid': 'inside-class', 'aria-label': 'Class to map' },
      ...view.classNames.map((name, index) => h('option', { value: name, selected: index === (view.gradcam[1]?.classIndex ?? view.predictedClass) }, `${name}${index === view.predictedClass ? ' (predicted)' : ''}`)));
    picker.addEventListener('change', () => {
      const classIndex = view.classNames.indexOf(picker.value);
      // Both maps on screen (the predicted class's and the one asked for last) need no new look.
      if (gradcamFor(view, classIndex)) return;
      const ask = askForClass(inside, picker.value);
      if (ask) this.handlers.ask(ask);
    });
    const image: RawImage = { ...view.image, pixels: decodeBase64(view.image.pixels) };
    const maps = view.gradcam.map((map) => {
      const canvas = h('canvas', { class: 'pixelated', 'data-testid': 'inside-gradcam', 'data-class': map.className, role: 'img', 'aria-label': `Grad-CAM of ${map.className}` });
      const overlay = heatOverlay(image, decodeBase64(map.heat));
      drawCanvas(canvas, upscale(overlay, upscaleFactor(overlay, IMAGE_PIXELS)));
      const score = map.score === 'logit' ? 'gradient of the logit' : 'gradient of the probability (no logit to be had)';
      return h('figure', { class: 'inside-figure' }, canvas, h('figcaption', {}, `${map.className}${map.classIndex === view.predictedClass ? ' (predicted)' : ''} · ${map.layer} · ${score}`));
    });
    return h('section', { 'aria-label': 'Grad-CAM' },
      h('h3', {}, 'Where the model looked (Grad-CAM)'),
      h('label', { class: 'inside-class' }, 'Class ', picker),
      h('div', { class: 'inside-maps' }, ...maps),
      h('p', { class: 'note' }, 'Blue: no evidence for the class; red: the most. Computed on the last convolution\'s output and stretched to the image.'));
  }

  private showAll(grid: InsideGrid, inside: InsideState): HTMLElement | undefined {
    if (grid.count >= grid.total) return undefined;
    return button('inside-show-all', `Show all (${grid.total})`, () => {
      const ask = askForAllMaps(inside);
      if (ask) this.handlers.ask(ask);
    });
  }

  private filtersSection(view: InsideView, inside: InsideState): HTMLElement | undefined {
    const filters = view.filters;
    if (!filters) return undefined;
    const canvas = h('canvas', { class: 'pixelated', 'data-testid': 'inside-filters', role: 'img', 'aria-label': `Filters of ${filters.layer}` });
    const columns = filters.colour || filters.inputChannels === 1 ? gridColumns(filters.count) : filters.inputChannels;
    this.drawLazily(canvas, () => drawCanvas(canvas, gridImage(filters, columns)));
    const kind = filters.colour ? 'in colour (RGB)' : filters.inputChannels > 1 ? 'one grey image per input channel' : 'in grey';
    return h('section', { 'aria-label': 'Filters' },
      h('h3', {}, `Filters of ${filters.layer}: ${filters.count} of ${filters.total}, ${filters.height}×${filters.width}, ${kind}`),
      canvas, this.showAll(filters, inside));
  }

  private featureMapsSection(view: InsideView, inside: InsideState): HTMLElement {
    const layers = view.featureMaps.map((maps) => {
      const canvas = h('canvas', { class: 'pixelated', 'data-testid': 'inside-feature-maps', 'data-layer': maps.layer, role: 'img', 'aria-label': `Feature maps of ${maps.layer}` });
      // The grid's size is reserved, so that the page does not jump as layers are drawn.
      const size = drawnGridSize(maps, upscaleFactor(maps, CELL_PIXELS));
      canvas.width = size.width;
      canvas.height = size.height;
      this.drawLazily(canvas, () => drawCanvas(canvas, gridImage(maps)));
      return h('div', { class: 'inside-layer', 'data-testid': 'inside-layer', 'data-layer': maps.layer },
        h('h4', {}, `${maps.layer} (${maps.className}) · output ${formatShape(maps.outputShape)} · ${maps.total} channels${maps.count < maps.total ? `, first ${maps.count} shown` : ''}`),
        canvas, this.showAll(maps, inside));
    });
    return h('section', { 'aria-label': 'Feature maps' },
      h('h3', {}, 'Feature maps'),
      layers.length > 0 ? h('p', { class: 'note' }, 'Each map is scaled on its own: black is its lowest value, white its highest.') : h('p', { class: 'note' }, 'No convolution at the top level of the model.'),
      ...layers);
  }

  private drawLazily(canvas: HTMLCanvasElement, draw: () => void): void {
    this.pending.set(canvas, draw);
    this.observer.observe(canvas);
  }
}

// A tiny element builder: the page is rebuilt in pieces from the view state, and text always
// goes in through textContent, never innerHTML, so run labels and class names cannot inject markup.

type Attributes = Record<string, string | number | boolean | undefined>;
type Child = Node | string | number | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

export interface ButtonOptions {
  /** What a screen reader says, when the text alone does not say it ("Stop training" for "Stop"). */
  label?: string;
  /** The tooltip. */
  title?: string;
  /** The one main action of its group; other buttons are drawn secondary. */
  primary?: boolean;
}

/** A VS Code button (vscode-elements) that the e2e scenarios find by `testId`. */
export function button(testId: string, text: string, onClick: () => void, options: ButtonOptions = {}): HTMLElement {
  const element = document.createElement('vscode-button');
  element.dataset.testid = testId;
  if (options.label) element.setAttribute('aria-label', options.label);
  if (options.title) element.title = options.title;
  if (!options.primary) element.setAttribute('secondary', '');
  element.textContent = text;
  element.addEventListener('click', onClick);
  return element;
}

/** Replaces an element's children. */
export function fill(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** `(None, 26, 26, 64)`, as Keras prints shapes. */
export function formatShape(shape: readonly (number | null)[]): string {
  const dims = shape.map((dim) => (dim === null ? 'None' : String(dim)));
  return `(${dims.join(', ')}${dims.length === 1 ? ',' : ''})`;
}

/** `1,234,567` as in model.summary(). */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function formatMetric(value: number | undefined, digits = 4): string {
  return value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits);
}

// Training panel script: receives host messages, folds them into the view state, and renders
// at most once per animation frame and never more often than every 100 ms, so a trainer
// sending hundreds of batch groups a second costs the page a handful of redraws.

import './styles.css';
import { isHostToWebview, whyNotHostToWebview, type PanelPersistedState, type WebviewToHost } from '../../src/channels/webview';
import { initialState, reduce, type ViewState } from './logic/state';
import { ComparePage } from './view/compareView';
import { ExperimentPage } from './view/experimentView';
import { defaultViewOptions, type ViewOptions } from './view/controls';
import { h } from './view/dom';
import { RunPage } from './view/runView';
import { onThemeChange } from './view/theme';

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): SavedState | undefined;
  setState(state: SavedState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** What survives hide/show and reload: which run(s) the panel shows (read by the host's serializer) and the chart options. */
type SavedState = PanelPersistedState & { options?: ViewOptions };

const MIN_RENDER_INTERVAL_MS = 100;

const vscode = acquireVsCodeApi();
const saved = vscode.getState();
let options: ViewOptions = { ...defaultViewOptions, ...saved?.options };
let state: ViewState = initialState();
let page: RunPage | ComparePage | ExperimentPage | undefined;
let renderedVersion = -1;
let lastRender = 0;
let renderPending = false;

const root = document.getElementById('root') ?? document.body.appendChild(h('div', { id: 'root' }));
const waiting = h('p', { class: 'waiting', 'data-testid': 'waiting', role: 'status' }, 'Loading run…');
root.replaceChildren(waiting);

/** What the panel shows, once it is known: a run becomes restorable when the trainer names it. */
function shownTarget(): PanelPersistedState | undefined {
  if (state.mode === 'run' && state.run.runId) return { kind: 'run', runId: state.run.runId };
  if (state.mode === 'compare') return { kind: 'compare', runIds: state.runs.map((run) => run.runId ?? '') };
  if (state.mode === 'experiment') return { kind: 'experiment', experimentId: state.experiment.id };
  return saved && (saved.kind === 'run' || saved.kind === 'compare' || saved.kind === 'experiment') ? saved : undefined;
}

let persistedTarget = '';

function persist(): void {
  const target = shownTarget();
  persistedTarget = JSON.stringify(target ?? null);
  if (target) vscode.setState({ ...target, options });
}

function onOptions(next: ViewOptions): void {
  options = next;
  persist();
}

function ensurePage(): RunPage | ComparePage | ExperimentPage | undefined {
  if (state.mode === 'run' && !(page instanceof RunPage)) {
    page = new RunPage(options, {
      stop: () => vscode.postMessage({ type: 'stop' }),
      action: (runId, action) => vscode.postMessage({ type: 'runAction', runId, action }),
      openRun: (runId) => vscode.postMessage({ type: 'openRun', runId }),
      close: () => vscode.postMessage({ type: 'close' }),
      optionsChanged: onOptions,
      inside: (runId, ask) => vscode.postMessage({ type: 'inside', runId, ...ask }),
    });
    root.replaceChildren(page.element);
  } else if (state.mode === 'compare' && !(page instanceof ComparePage)) {
    page = new ComparePage(options, onOptions);
    root.replaceChildren(page.element);
  } else if (state.mode === 'experiment' && !(page instanceof ExperimentPage)) {
    page = new ExperimentPage({
      openRun: (runId) => vscode.postMessage({ type: 'openRun', runId }),
      applyValues: (variant) => vscode.postMessage({ type: 'applyValues', variant }),
      sweepAction: (action) => vscode.postMessage({ type: 'sweepAction', action }),
    });
    root.replaceChildren(page.element);
  }
  return page;
}

function render(): void {
  renderPending = false;
  lastRender = performance.now();
  if (state.version === renderedVersion) return;
  renderedVersion = state.version;
  const current = ensurePage();
  if (state.mode === 'run' && current instanceof RunPage) current.render(state.run, Date.now());
  else if (state.mode === 'compare' && current instanceof ComparePage) current.render(state.runs, Date.now(), state.missing);
  else if (state.mode === 'experiment' && current instanceof ExperimentPage) current.render(state.experiment);
  document.body.dataset.mode = state.mode;
  document.body.dataset.version = String(state.version);
}

function scheduleRender(): void {
  if (renderPending) return;
  renderPending = true;
  const wait = Math.max(0, MIN_RENDER_INTERVAL_MS - (performance.now() - lastRender));
  setTimeout(() => requestAnimationFrame(render), wait);
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  // Only the host posts here, but what it posts is checked like any input before it is drawn.
  const invalid = whyNotHostToWebview(event.data);
  if (invalid !== undefined || !isHostToWebview(event.data)) {
    console.warn(`CNN Lab: ignored a message (${invalid}).`);
    return;
  }
  state = reduce(state, event.data, Date.now());
  if (JSON.stringify(shownTarget() ?? null) !== persistedTarget) persist();
  scheduleRender();
});

// Elapsed time and ETA advance between messages.
setInterval(() => {
  if (state.mode === 'run' && (state.run.status === 'running' || state.run.status === 'starting') && page instanceof RunPage) page.tick(Date.now());
}, 1000);

onThemeChange(() => page?.refreshTheme());

vscode.postMessage({ type: 'ready' });

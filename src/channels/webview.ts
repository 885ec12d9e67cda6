// The host ↔ webview channel of the run and compare panels. Discriminated on `type`; each message
// names its sender → receiver. Checked where it enters: the host checks the page's messages, the
// page checks the host's (see ./guard).

import type { MetricsLine, RunRecord } from '../runs/format';
import { isTrainerEvent, type TrainerEvent } from './trainer';
import { isInsideView, type InsideView } from './inside';
import type { ExperimentPageData } from './experiment';
import { guardOf, invalidMessage, type ChannelChecks } from './guard';

export type HostToWebview =
  /**
   * host → webview: everything needed to draw a run from scratch (after `ready`, on reopen).
   * `notes`: what the page should say about the metrics read (lines skipped, a sampled history).
   */
  | { type: 'load'; record: RunRecord; metrics: MetricsLine[]; notes?: string[] }
  /** host → webview: a live trainer event for the run on screen. */
  | { type: 'event'; event: TrainerEvent }
  /** host → webview: a run was asked for and is being prepared; trainer events follow. */
  | { type: 'starting'; modelFile: string; dataset: string; epochs: number }
  /** host → webview: whether this window's trainer session for the run on screen can be stopped. */
  | { type: 'live'; canStop: boolean }
  /** host → webview: misclassified test examples of the run on screen as data: URIs (PNG files read by the host). */
  | { type: 'images'; runId: string; images: { file: string; dataUri: string }[] }
  /** host → webview: several runs to overlay and tabulate (Compare Runs). */
  /**
   * `name`: the run as the Runs view names it (its label, or `<model> #<n>`). `missing`: runs asked
   * for that are no longer on disk (deleted), named as they were last known (the id when never known).
   */
  | { type: 'compare'; runs: { record: RunRecord; metrics: MetricsLine[]; notes?: string[]; name: string }[]; missing?: { runId: string; name: string }[] }
  /** host → webview: the run on screen as the Runs view names it (its label, or `<model> #<n>`); sent again after a rename. */
  | { type: 'name'; runId: string; name: string }
  /** host → webview: what the run on screen has on disk that actions need (a saved model to export). */
  | { type: 'files'; runId: string; savedModel: boolean }
  /** host → webview: the run on screen continues an earlier run (resume); `title` names it as the Runs view does, `exists` says whether it is still on disk. */
  | { type: 'continues'; runId: string; from: { runId: string; title: string; exists: boolean } }
  /** host → webview: the run on screen (or being restored) is no longer on disk; `folder` is where it was. */
  | { type: 'gone'; runId?: string; folder: string }
  /** host → webview: the Inside tab's request is being computed (in a child process); `label` names the image. */
  | { type: 'insideBusy'; runId: string; label: string }
  /** host → webview: what the Inside tab draws; `ask` is the request it answers (a chosen file as `chosen`). */
  | { type: 'insideResult'; runId: string; ask: InsideAsk; view: InsideView }
  /** host → webview: the Inside tab's request failed; `hint` says what to do. */
  | { type: 'insideError'; runId: string; message: string; hint?: string }
  /** host → webview: a sweep's variants and results (the experiment panel), sent again whenever they change. */
  | { type: 'experiment'; experiment: ExperimentPageData };

/** The image the Inside tab asks about: the page names files only by what the host gave it. */
export type InsidePick =
  | { kind: 'test'; index: number }
  /** A misclassified example of the run, by its file as run.json lists it. */
  | { kind: 'misclassified'; file: string }
  /** Ask the user for an image file (a host dialog). */
  | { kind: 'chooseFile' }
  /** The file the user chose last in this panel. */
  | { kind: 'chosen' };

/** A look inside the run on screen: which image, a class to map besides the predicted one, maps per layer at most. */
export interface InsideAsk {
  image: InsidePick;
  className?: string;
  maxMaps?: number;
}

export function isInsidePick(value: unknown): value is InsidePick {
  if (typeof value !== 'object' || value === null) return false;
  const pick = value as Record<string, unknown>;
  if (pick.kind === 'test') return Number.isInteger(pick.index) && (pick.index as number) >= 0;
  if (pick.kind === 'misclassified') return typeof pick.file === 'string' && pick.file !== '';
  return pick.kind === 'chooseFile' || pick.kind === 'chosen';
}

const isMapCount = (value: unknown): boolean => Number.isInteger(value) && (value as number) > 0;

function isInsideAsk(value: unknown): value is InsideAsk {
  if (typeof value !== 'object' || value === null) return false;
  const ask = value as Record<string, unknown>;
  return isInsidePick(ask.image) && (ask.className === undefined || typeof ask.className === 'string') && (ask.maxMaps === undefined || isMapCount(ask.maxMaps));
}

/** A run action offered on the page as well as in the sidebar. */
export const PANEL_RUN_ACTIONS = ['exportModel', 'exportCsv', 'exportTensorBoard', 'revealFolder', 'rerun'] as const;
export type PanelRunAction = (typeof PANEL_RUN_ACTIONS)[number];

/** What the experiment panel asks of its sweep's queue. */
export const SWEEP_ACTIONS = ['stop', 'continue'] as const;
export type SweepAction = (typeof SWEEP_ACTIONS)[number];

/** What a panel keeps across hide/show and window reload (webview `setState`, read back by the serializer). */
export type PanelPersistedState =
  | { kind: 'run'; runId: string }
  | { kind: 'compare'; runIds: string[] }
  | { kind: 'experiment'; experimentId: string };

export type WebviewToHost =
  /** webview → host: the page has loaded and listens; the host posts nothing before this. */
  | { type: 'ready' }
  /** webview → host: the Stop button. */
  | { type: 'stop' }
  /** webview → host: an action button for the run on screen (export, reveal, re-run). */
  | { type: 'runAction'; runId: string; action: PanelRunAction }
  /** webview → host: open another run in a panel (the run a resumed run continues). */
  | { type: 'openRun'; runId: string }
  /** webview → host: close this panel (its run was deleted). */
  | { type: 'close' }
  /** webview → host: look inside the run's model for an image (the Inside tab). */
  | ({ type: 'inside'; runId: string } & InsideAsk)
  /** webview → host: write a variant's values into the sweep's model file (the experiment panel's "Apply the best values"). */
  | { type: 'applyValues'; variant: number }
  /** webview → host: stop the sweep's queue, or continue a stopped one. */
  | { type: 'sweepAction'; action: SweepAction };

const webviewToHostChecks: ChannelChecks<WebviewToHost> = {
  ready: {},
  stop: {},
  runAction: { runId: 'string', action: PANEL_RUN_ACTIONS },
  openRun: { runId: 'string' },
  close: {},
  inside: { runId: 'string', image: isInsidePick, className: { optional: 'string' }, maxMaps: { optional: isMapCount } },
  applyValues: { variant: 'number' },
  sweepAction: { action: SWEEP_ACTIONS },
};

const hostToWebviewChecks: ChannelChecks<HostToWebview> = {
  load: { record: 'object', metrics: 'array', notes: { optional: 'array' } },
  event: { event: (value) => isTrainerEvent(value) },
  starting: { modelFile: 'string', dataset: 'string', epochs: 'number' },
  live: { canStop: 'boolean' },
  images: { runId: 'string', images: 'array' },
  compare: { runs: 'array', missing: { optional: 'array' } },
  name: { runId: 'string', name: 'string' },
  files: { runId: 'string', savedModel: 'boolean' },
  continues: { runId: 'string', from: 'object' },
  gone: { runId: { optional: 'string' }, folder: 'string' },
  insideBusy: { runId: 'string', label: 'string' },
  insideResult: { runId: 'string', ask: isInsideAsk, view: isInsideView },
  insideError: { runId: 'string', message: 'string', hint: { optional: 'string' } },
  experiment: { experiment: 'object' },
};

/** The host's check of what a panel's page posts. */
export const isWebviewToHost = guardOf(webviewToHostChecks);
export const whyNotWebviewToHost = (value: unknown): string | undefined => invalidMessage(webviewToHostChecks, value);
/** The page's check of what the host posts. */
export const isHostToWebview = guardOf(hostToWebviewChecks);
export const whyNotHostToWebview = (value: unknown): string | undefined => invalidMessage(hostToWebviewChecks, value);

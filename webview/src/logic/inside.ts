// The Inside tab's state: what was asked, what is being computed, and the last answer. The host's
// insideBusy / insideResult / insideError messages fold into it (a pure reducer, like state.ts).

import type { HostToWebview, InsideAsk } from '../../../src/channels/webview';
import type { InsideView } from '../../../src/channels/inside';

export type InsideMessage = Extract<HostToWebview, { type: 'insideBusy' | 'insideResult' | 'insideError' }>;

export interface InsideState {
  /** The image being looked at by the host, while it computes. */
  busy?: string;
  /** The last answer and the request it answers (to ask again for all maps, or for another class). */
  view?: InsideView;
  ask?: InsideAsk;
  error?: { message: string; hint?: string };
  /** Counts the answers, so the view redraws its canvases only for a new one. */
  revision: number;
}

export function emptyInside(): InsideState {
  return { revision: 0 };
}

export function isInsideMessage(message: HostToWebview): message is InsideMessage {
  return message.type === 'insideBusy' || message.type === 'insideResult' || message.type === 'insideError';
}

/** Applies one Inside message; a failure keeps the last answer on screen under its error. */
export function applyInsideMessage(inside: InsideState, message: InsideMessage): InsideState {
  switch (message.type) {
    case 'insideBusy':
      return { ...inside, busy: message.label, error: undefined };
    case 'insideResult':
      return { view: message.view, ask: message.ask, revision: inside.revision + 1 };
    case 'insideError':
      return { ...inside, busy: undefined, error: { message: message.message, ...(message.hint ? { hint: message.hint } : {}) } };
  }
}

/** The request for every map of every layer, for the image and class on screen ("show all"). */
export function askForAllMaps(inside: InsideState): InsideAsk | undefined {
  const { view, ask } = inside;
  if (!view || !ask) return undefined;
  const most = Math.max(1, ...view.featureMaps.map((maps) => maps.total), view.filters?.total ?? 1);
  return { ...ask, maxMaps: most };
}

/** Whether a Grad-CAM map for class `classIndex` came with the answer, or must be asked for. */
export function gradcamFor(view: InsideView, classIndex: number): InsideView['gradcam'][number] | undefined {
  return view.gradcam.find((map) => map.classIndex === classIndex);
}

/** The request for another class's Grad-CAM map, for the image on screen. */
export function askForClass(inside: InsideState, className: string): InsideAsk | undefined {
  return inside.ask ? { ...inside.ask, className } : undefined;
}

/** base64 (as the channel carries pixels) to bytes. */
export function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

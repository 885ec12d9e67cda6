// Layer-by-layer difference between two models, for comparing runs. Layers are aligned by a
// maximum-weight common subsequence: the same name and class weigh most, the same class alone
// still aligns (Keras's generated names shift by one when a layer is inserted before them, so
// `conv2d_2` in one model is often `conv2d_3` in the other), and a same-named layer whose
// class changed is shown as changed rather than as a removal plus an addition.

import type { LayerSpec } from '../../../src/model/types';

export interface OptionChange {
  option: string;
  before: unknown;
  after: unknown;
}

export type LayerDiff =
  | { kind: 'same'; before: LayerSpec; after: LayerSpec }
  | { kind: 'changed'; before: LayerSpec; after: LayerSpec; changes: OptionChange[] }
  | { kind: 'added'; after: LayerSpec }
  | { kind: 'removed'; before: LayerSpec };

// Options that describe wiring or naming, not the layer itself.
const IGNORED_OPTIONS = new Set(['name', 'trainable', 'dtype']);

function alignmentWeight(a: LayerSpec, b: LayerSpec): number {
  const sameClass = a.className === b.className;
  const sameName = a.name === b.name;
  if (sameClass && sameName) return 3;
  if (sameClass) return 2;
  if (sameName) return 1;
  return 0;
}

export function diffLayers(before: readonly LayerSpec[], after: readonly LayerSpec[]): LayerDiff[] {
  const n = before.length;
  const m = after.length;
  // best[i][j] = best total weight aligning before[i..] with after[j..].
  const best: Float64Array[] = Array.from({ length: n + 1 }, () => new Float64Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      const weight = alignmentWeight(before[i], after[j]);
      const paired = weight > 0 ? weight + best[i + 1][j + 1] : -1;
      best[i][j] = Math.max(paired, best[i + 1][j], best[i][j + 1]);
    }
  }
  const out: LayerDiff[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    const weight = alignmentWeight(before[i], after[j]);
    if (weight > 0 && best[i][j] === weight + best[i + 1][j + 1]) {
      out.push(pair(before[i], after[j]));
      i += 1;
      j += 1;
    } else if (best[i][j] === best[i + 1][j]) {
      out.push({ kind: 'removed', before: before[i] });
      i += 1;
    } else {
      out.push({ kind: 'added', after: after[j] });
      j += 1;
    }
  }
  for (; i < n; i++) out.push({ kind: 'removed', before: before[i] });
  for (; j < m; j++) out.push({ kind: 'added', after: after[j] });
  return out;
}

function pair(before: LayerSpec, after: LayerSpec): LayerDiff {
  const changes: OptionChange[] = [];
  if (before.className !== after.className) {
    changes.push({ option: 'class', before: before.className, after: after.className });
  }
  const options = new Set([...Object.keys(before.config), ...Object.keys(after.config)]);
  for (const option of [...options].sort()) {
    if (IGNORED_OPTIONS.has(option)) continue;
    const a = before.config[option];
    const b = after.config[option];
    if (!sameValue(a, b)) changes.push({ option, before: a, after: b });
  }
  return changes.length === 0 ? { kind: 'same', before, after } : { kind: 'changed', before, after, changes };
}

function sameValue(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

/** JSON with sorted keys, so `{a:1,b:2}` and `{b:2,a:1}` compare equal. */
function canonical(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** `32 → 64`, `(absent) → 0.5`, for tables and tooltips. */
export function describeChange(change: OptionChange): string {
  const show = (value: unknown): string => (value === undefined ? '(absent)' : JSON.stringify(value));
  return `${change.option}: ${show(change.before)} → ${show(change.after)}`;
}

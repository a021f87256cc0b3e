/**
 * The order of keys by importance, for the hint bar and the `?` overlay (pure): rollback first, then
 * what runs the release, then navigation, then the flags. The hint bar keeps `? help` and `q quit`
 * (and R) whatever the width: the keys of least importance give way first.
 */
import { width as cells } from './text.js';
import type { Binding, Scope } from './key-context.js';

/** Keys that change flags (the main screen's flag keys): after everything else. */
const FLAG_LABELS: ReadonlySet<string> = new Set(['apply', 'cancel', 'ramp up', 'down', 'kill', 'deploy flag off', 'force', 'flag']);
/** Keys that only move, scroll or focus. */
const NAV_LABELS: ReadonlySet<string> = new Set(['select', 'focus', 'scroll', 'page', 'top', 'end', 'follow']);
/** Help and quit: after what runs the release, before navigation. */
const LEAVE_LABELS: ReadonlySet<string> = new Set(['help', 'quit']);

/** 0 rollback/interrupt, 1 run the release, 2 help and quit, 3 navigation, 4 flags (main screen; other scopes keep their order). */
export function importance(b: Pick<Binding, 'scope' | 'label'>): number {
  if (b.scope === 'global') return 0;
  if (b.scope !== 'main') return 1;
  if (FLAG_LABELS.has(b.label)) return 4;
  if (NAV_LABELS.has(b.label)) return 3;
  if (LEAVE_LABELS.has(b.label)) return 2;
  return 1;
}

/** The `?` overlay's and docs/keys.md's order of scopes: what matters in an incident first, the flags' dialogs last. */
const SCOPE_ORDER: readonly Scope[] = ['global', 'main', 'rollback', 'skip', 'quit', 'interrupt', 'leave', 'unguarded', 'emergency', 'why', 'help', 'experiment', 'flag-kill', 'flag-force'];

export function scopeRank(s: Scope): number {
  const i = SCOPE_ORDER.indexOf(s);
  return i < 0 ? SCOPE_ORDER.length : i;
}

/** What one key does in one scope: each binding of that key (several: Enter applies a flag change or runs the next stage). */
export type KeyRow = { readonly keys: readonly string[]; readonly parts: readonly { readonly description: string; readonly when: string }[] };

/**
 * One row per key of a scope, in order of importance: bindings that share a key are one row (the
 * key listed once), its keys the union of theirs. `bindings` are one scope's, in keymap order.
 */
export function keyRows(bindings: readonly Binding[]): KeyRow[] {
  const sorted = bindings.map((b, i) => ({ b, i })).sort((x, y) => importance(x.b) - importance(y.b) || x.i - y.i);
  const rows: { keys: string[]; parts: { description: string; when: string }[] }[] = [];
  for (const { b } of sorted) {
    const row = rows.find((r) => b.keys.some((k) => r.keys.includes(k)));
    const part = { description: b.description, when: b.whenText };
    if (!row) rows.push({ keys: [...b.keys], parts: [part] });
    else {
      for (const k of b.keys) if (!row.keys.includes(k)) row.keys.push(k);
      if (!row.parts.some((p) => p.description === part.description)) row.parts.push(part);
    }
  }
  return rows;
}

export type Hint = { readonly key: string; readonly label: string };

/** Hints that always stay in the bar: rollback, help, quit. */
const kept = (h: Hint): boolean => h.key === 'R' || (h.key === '?' && h.label === 'help') || (h.key === 'q' && h.label === 'quit');

/** The bar's width in cells: " K label  K label". */
export const barWidth = (hs: readonly Hint[]): number => 1 + hs.reduce((n, h, i) => n + (i > 0 ? 2 : 0) + cells(h.key) + 1 + cells(h.label), 0);

/** The hints that fit in `width` cells: the last ones not kept give way first (the list is in order of importance). */
export function fitHints(hs: readonly Hint[], width: number): Hint[] {
  const out = [...hs];
  while (barWidth(out) > width) {
    let i = out.length - 1;
    while (i >= 0 && kept(out[i])) i--;
    if (i < 0) break;
    out.splice(i, 1);
  }
  return out;
}

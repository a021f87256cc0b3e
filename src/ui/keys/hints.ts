/** The hint bar's keys: those of the keymap table that apply now and can act (keys/dispatch.ts says why the others cannot). */
import { confirmStyle } from '../key-actions.js';
import type { Binding, KeyContext, Scope } from '../key-context.js';
import { importance } from '../key-order.js';
import { topOverlay } from '../ui-state.js';
import { refusalOf } from './dispatch.js';
import { displayKey } from './docs.js';
import { KEYMAP } from './table.js';

/** Whether a binding shows in the hint bar now: it applies, nothing refuses it, and its display rule (if any) holds. */
export function inBar(b: Binding, c: KeyContext): boolean {
  return b.showInBar && b.when(c) && refusalOf(b, c) === undefined && (b.bar?.(c) ?? true);
}

/** The hint bar: the keys that apply now. R rollback always comes first. */
export function hints(c: KeyContext): { key: string; label: string }[] {
  const scope: Scope = topOverlay(c.ui)?.kind ?? 'main';
  const confirming = scope === 'rollback' && confirmStyle(c) === 'press-r';
  const out: { key: string; label: string }[] = confirming ? [] : [{ key: 'R', label: 'rollback' }];
  const shown = KEYMAP.filter((b) => b.scope === scope && (b.scope === 'rollback' || b.keys[0] !== 'R') && inBar(b, c));
  // in order of importance; help and quit last, where the bar always keeps them (fitHints)
  const rank = (b: Binding) => (b.scope === 'main' && (b.label === 'help' || b.label === 'quit') ? 9 : importance(b));
  const ordered = shown.map((b, i) => ({ b, i })).sort((x, y) => rank(x.b) - rank(y.b) || x.i - y.i);
  for (const { b } of ordered) out.push({ key: displayKey(b.keys[0]), label: b.label });
  return out;
}

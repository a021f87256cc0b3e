/**
 * A keypress → the binding that handles it. A binding that applies but cannot act now (a
 * follower's action, or the engine's refusal: Binding.disabledReason) says why instead of acting;
 * a key that does nothing here says what it would do, and when.
 */
import type { Binding, KeyContext, Scope } from '../key-context.js';
import { displayKey } from './docs.js';
import { KEYMAP } from './table.js';

/** Whether a follower (`cockpit watch`) may press it: every binding says (Binding.followerSafe). */
export function followerMay(b: Binding, c: KeyContext): boolean {
  return c.controller.readOnly === undefined || b.followerSafe;
}

/** Why a binding that applies here cannot act now: a follower only looks (it says how to act), else the engine's refusal. */
export function refusalOf(b: Binding, c: KeyContext): string | undefined {
  if (!followerMay(b, c)) return c.controller.readOnly;
  return b.disabledReason?.(c);
}

/** The binding a key runs in a scope (the scope's, else a global one); refused: one that says why. */
export function bindingsFor(scope: Scope, key: string, c: KeyContext): Binding | undefined {
  const found = KEYMAP.find((b) => b.scope === scope && b.keys.includes(key) && b.when(c)) ?? KEYMAP.find((b) => b.scope === 'global' && b.keys.includes(key) && b.when(c));
  if (!found) return undefined;
  const why = refusalOf(found, c);
  return why === undefined ? found : { ...found, run: (k) => k.notice(why) };
}

/** Keys that move, confirm or cancel: pressing one where it does nothing says nothing. */
const QUIET_KEYS: ReadonlySet<string> = new Set(['up', 'down', 'left', 'right', 'tab', 'enter', 'escape', 'pageup', 'pagedown', 'space', 'backspace', 'j', 'k', 'h', 'l', 'g', 'G']);

/**
 * The notice for a key that does nothing here: when it does something (and when), the key it was
 * probably meant to be (Q → q quits), or where every key is listed. Nothing for navigation keys.
 */
export function unknownKeyNotice(scope: Scope, key: string, c: KeyContext): string | undefined {
  if (QUIET_KEYS.has(key)) return undefined;
  const inScope = (b: Binding) => (b.scope === scope || b.scope === 'global') && followerMay(b, c);
  const later = KEYMAP.find((b) => inScope(b) && b.keys.includes(key));
  if (later) return `no key "${key}" here: ${later.label} works only when ${later.whenText}`;
  const other = key === key.toLowerCase() ? key.toUpperCase() : key.toLowerCase();
  const near = other !== key ? KEYMAP.find((b) => inScope(b) && b.keys.includes(other) && b.when(c) && refusalOf(b, c) === undefined) : undefined;
  if (near) return `no key "${key}" here: ${displayKey(other)} ${near.label === 'quit' ? 'quits' : near.label}`;
  return `no key "${key}" here: ? lists every key`;
}

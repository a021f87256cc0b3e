/** Themes: JSON files of semantic slots (themes/*.json); monochrome when NO_COLOR or no colour. */
import { existsSync, readFileSync } from 'node:fs';
import defaultTheme from '../../themes/default.json' with { type: 'json' };
import highContrast from '../../themes/high-contrast.json' with { type: 'json' };
import light from '../../themes/light.json' with { type: 'json' };
import monochrome from '../../themes/monochrome.json' with { type: 'json' };
import { errorMessage } from '../core/error-message.js';

export type Style = {
  readonly color?: string;
  readonly backgroundColor?: string;
  readonly bold?: boolean;
  readonly inverse?: boolean;
  readonly underline?: boolean;
  readonly dimColor?: boolean;
};

export const SLOTS = Object.keys(defaultTheme.slots) as readonly Slot[];
export type Slot = keyof typeof defaultTheme.slots;

export type Theme = { readonly name: string; readonly slots: Readonly<Record<Slot, Style>>; readonly mono: boolean };

export const BUILTIN: Readonly<Record<string, { name: string; slots: Record<string, Style> }>> = {
  default: defaultTheme,
  light,
  'high-contrast': highContrast,
  monochrome,
};

export class ThemeError extends Error {}

function check(raw: unknown, source: string): Theme {
  const t = raw as { name?: unknown; slots?: Record<string, unknown> };
  if (!t || typeof t !== 'object' || typeof t.slots !== 'object' || t.slots === null) throw new ThemeError(`${source}: a theme needs "slots"`);
  const unknown = Object.keys(t.slots).filter((k) => !(SLOTS as readonly string[]).includes(k));
  if (unknown.length) throw new ThemeError(`${source}: unknown slot${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`);
  const slots = { ...(defaultTheme.slots as Record<Slot, Style>), ...(t.slots as Record<Slot, Style>) };
  return { name: typeof t.name === 'string' ? t.name : source, slots, mono: false };
}

/** Whether colour must be off: NO_COLOR set (to anything non-empty), TERM=dumb, or a stream without colours. */
export function colourOff(env: NodeJS.ProcessEnv = process.env, stream?: { isTTY?: boolean; hasColors?: () => boolean }): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return true;
  if (env.TERM === 'dumb') return true;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return false;
  if (stream?.isTTY && typeof stream.hasColors === 'function') return !stream.hasColors();
  return false;
}

/** Loads a theme by built-in name or JSON file path; falls back to monochrome when colour is off. */
export function loadTheme(name: string | undefined, opts: { env?: NodeJS.ProcessEnv; stream?: { isTTY?: boolean; hasColors?: () => boolean } } = {}): Theme {
  if (colourOff(opts.env ?? process.env, opts.stream)) return { ...check(monochrome, 'monochrome'), mono: true };
  const n = name ?? 'default';
  if (BUILTIN[n]) return { ...check(BUILTIN[n], n), mono: n === 'monochrome' };
  if (n.endsWith('.json') && existsSync(n)) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(n, 'utf8'));
    } catch (e) {
      throw new ThemeError(`${n}: not valid JSON (${errorMessage(e)})`);
    }
    return check(raw, n);
  }
  throw new ThemeError(`unknown theme "${n}" (built in: ${Object.keys(BUILTIN).join(', ')}, or a path to a .json theme)`);
}

/**
 * Where each part of a Markdown runbook's raw runbook was written: the Positions the mapping kept
 * (offsets into the .md, keyed by the objects it built) carried over to the validated copy the
 * schema returns (the same shape, new objects), as lines. `cockpit import` comments the YAML with
 * them; the run's "needed before a run" messages point at a choice's or an input's line.
 */
import { lineAt } from './markdown-lines.js';
import type { Positions } from './markdown/model.js';
import { choiceId } from './normalize.js';
import type { RawRunbook, RawStep } from './schema.js';

/**
 * The Markdown line an object of the validated raw runbook was written at (`lineOf(raw.inputs.x)`),
 * or with a key the line of that member, a scalar too (`lineOf(stage.steps, 0)` for a plain command;
 * `lineOf(raw.inputs, 'x')`: where the key is written, in a front matter);
 * undefined for what no line wrote (a default, a part the front matter gave without a position).
 */
export type LineOf = (value: object, key?: string | number) => number | undefined;

const isObject = (v: unknown): v is Record<string | number, unknown> => v !== null && typeof v === 'object';

/** `post` is `pre` validated (same shape, new objects): the lines of `pre`'s positions keyed by `post`'s objects, and which object of `pre` each one of `post` is. */
export function sourceLines(pre: unknown, post: unknown, pos: Positions, lineStarts: readonly number[]): { lineOf: LineOf; original: (o: object) => object | undefined } {
  const objects = new WeakMap<object, number>();
  const originals = new WeakMap<object, object>();
  const members = new WeakMap<object, Map<string | number, number>>();
  const line = (offset: number | undefined) => (offset === undefined ? undefined : lineAt(lineStarts, offset));
  const walk = (a: unknown, b: unknown, offset: number | undefined): void => {
    if (!isObject(b)) return;
    if (isObject(a)) originals.set(b, a);
    const own = line(isObject(a) ? (pos.of(a) ?? offset) : offset);
    if (own !== undefined) objects.set(b, own);
    const m = new Map<string | number, number>();
    members.set(b, m);
    const keys: (string | number)[] = Array.isArray(b) ? b.map((_, i) => i) : Object.keys(b);
    for (const k of keys) {
      const at = isObject(a) ? pos.at(a, k) : undefined;
      // a member is where its key is written, when that is known (front matter), else where its value is
      const l = line((isObject(a) && typeof k === 'string' ? pos.keyAt(a, k) : undefined) ?? at);
      if (l !== undefined) m.set(k, l);
      walk(isObject(a) ? a[k] : undefined, b[k], at);
    }
  };
  walk(pre, post, undefined);
  const lineOf: LineOf = (value, key) => {
    if (key === undefined) return objects.get(value);
    const member = (value as Record<string | number, unknown>)[key];
    return members.get(value)?.get(key) ?? (isObject(member) ? objects.get(member) : undefined);
  };
  return { lineOf, original: (o) => originals.get(o) };
}

/** Where each choice (by the id a run knows it by) and each input is written: for "release.md:42: choice … is not made". */
export type PlanLines = { readonly choices: Readonly<Record<string, number>>; readonly inputs: Readonly<Record<string, number>> };

const isChoose = (st: RawStep): st is Extract<RawStep, { choose: unknown }> => isObject(st) && !Array.isArray(st) && 'choose' in st;

/** The choices' and inputs' lines, choices numbered as normalize numbers them (each list on its own). */
export function planLines(raw: RawRunbook, lineOf: LineOf): PlanLines {
  const choices: Record<string, number> = {};
  const list = (steps: readonly RawStep[], where: string) => {
    let n = 0;
    for (const st of steps) {
      if (!isChoose(st)) continue;
      const l = lineOf(st) ?? lineOf(st.choose);
      const id = choiceId(st, where, ++n);
      if (l !== undefined) choices[id] = l;
    }
  };
  for (const s of raw.stages) list(s.steps, s.id);
  list(raw.rollback?.steps ?? [], 'rollback');
  const inputs: Record<string, number> = {};
  for (const [name, input] of Object.entries(raw.inputs ?? {})) {
    const l = (raw.inputs ? lineOf(raw.inputs, name) : undefined) ?? lineOf(input);
    if (l !== undefined) inputs[name] = l;
  }
  return { choices, inputs };
}

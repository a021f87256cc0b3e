/**
 * The plan review's state as a reducer with named actions (pure): the scroll position, the choice in
 * focus, the options picked, and the message that says why a key did nothing (accept refused).
 */
import type { Choice } from '../../runbook/types.js';
import { sanitize } from '../../session/plan-review.js';

export type ReviewState = {
  readonly scroll: number;
  /** The id of the choice Tab moved to, if any. */
  readonly focus?: string;
  readonly picks: Readonly<Record<string, string>>;
  readonly message?: string;
  /** Set once accepted (the picks are final) or quit. */
  readonly done?: 'accepted' | 'quit';
};

export type ReviewAction =
  | { readonly type: 'scroll'; readonly by: number; readonly max: number }
  /** Brings a line into view (the focused choice), when it is not. */
  | { readonly type: 'show'; readonly line: number; readonly height: number; readonly max: number }
  | { readonly type: 'focus-next'; readonly back: boolean }
  | { readonly type: 'pick'; readonly n: number }
  | { readonly type: 'accept' }
  | { readonly type: 'quit' };

export function initialReview(choices: readonly Choice[]): ReviewState {
  const picks = Object.fromEntries(choices.filter((c) => c.chosen !== undefined).map((c) => [c.id, c.chosen as string]));
  const focus = (choices.find((c) => picks[c.id] === undefined) ?? choices[0])?.id;
  return { scroll: 0, picks, ...(focus !== undefined ? { focus } : {}) };
}

/** The choices still without an option: accepting is refused until there are none. */
export function unpicked(choices: readonly Choice[], picks: ReviewState['picks']): Choice[] {
  return choices.filter((c) => picks[c.id] === undefined);
}

export function reduceReview(choices: readonly Choice[], s: ReviewState, a: ReviewAction): ReviewState {
  switch (a.type) {
    case 'scroll':
      return { ...s, scroll: Math.max(0, Math.min(a.max, s.scroll + a.by)) };
    case 'show':
      if (a.line < 0 || (a.line >= s.scroll && a.line < s.scroll + a.height)) return s;
      return { ...s, scroll: Math.max(0, Math.min(a.max, a.line - 1)) };
    case 'focus-next': {
      if (!choices.length) return { ...s, message: 'this runbook offers no choices' };
      const at = choices.findIndex((c) => c.id === s.focus);
      const next = (at + (a.back ? -1 : 1) + choices.length) % choices.length;
      return { ...s, focus: choices[next].id, message: undefined };
    }
    case 'pick': {
      const c = choices.find((x) => x.id === s.focus);
      if (!c) return { ...s, message: 'no choice in focus: Tab to one first' };
      if (a.n < 1 || a.n > c.options.length) return { ...s, message: `${sanitize(c.title)} has ${c.options.length} options: press 1–${c.options.length}` };
      return { ...s, picks: { ...s.picks, [c.id]: c.options[a.n - 1].id }, message: undefined };
    }
    case 'accept': {
      const left = unpicked(choices, s.picks);
      if (left.length === 0) return { ...s, done: 'accepted', message: undefined };
      const first = left[0];
      return {
        ...s,
        focus: first.id,
        message: `cannot accept yet: choose ${left.map((c) => `"${sanitize(c.title)}"`).join(', ')} first (Tab to it, then 1–${first.options.length})`,
      };
    }
    case 'quit':
      return { ...s, done: 'quit' };
  }
}

/** The keymap in words: grouped by scope for the `?` overlay, `cockpit keys` and docs/keys.md. */
import { CONFIRM_GUARD_MS, type Scope } from '../key-context.js';
import { keyRows, scopeRank } from '../key-order.js';
import { KEYMAP } from './table.js';

export function displayKey(k: string): string {
  return ({ enter: '⏎', space: 'space', escape: 'Esc', up: '↑', down: '↓', left: '←', right: '→', tab: 'Tab', pageup: 'PgUp', pagedown: 'PgDn', 'ctrl+c': 'Ctrl+C' } as Record<string, string>)[k] ?? k;
}

const SCOPE_TITLES: Record<Scope, string> = {
  global: 'Everywhere',
  main: 'Main screen',
  rollback: 'Rollback dialog',
  skip: 'Skip dialog',
  help: 'Help',
  why: 'Why (w)',
  experiment: 'Experiment (x)',
  'flag-kill': 'Kill switch confirmation',
  'flag-force': 'Forced step-up confirmation',
  emergency: 'Emergency reference (e)',
  quit: 'Quit confirmation',
  interrupt: 'Interrupt confirmation',
  unguarded: 'Unguarded confirmation',
  leave: 'Leaving while the guardrails watch',
};

/** The keymap grouped by scope, for the help overlay and docs/keys.md. */
export function keyGroups(): { title: string; rows: { keys: string; parts: { description: string; when: string }[]; description: string; when: string }[] }[] {
  const scopes = [...new Set(KEYMAP.map((b) => b.scope))].sort((a, b) => scopeRank(a) - scopeRank(b));
  return scopes.map((scope) => ({
    title: SCOPE_TITLES[scope],
    // a key bound twice in a scope (Enter: apply a flag change, or run the next stage) is one row
    rows: keyRows(KEYMAP.filter((b) => b.scope === scope)).map((r) => ({
      keys: r.keys.map(displayKey).join(' / '),
      parts: [...r.parts],
      description: r.parts.length === 1 ? r.parts[0].description : r.parts.map((p) => `${p.description} — ${p.when}`).join('; '),
      when: r.parts.length === 1 ? r.parts[0].when : 'as said for each',
    })),
  }));
}

export function keysMarkdown(): string {
  const lines = ['# cockpit keys', '', '<!-- generated from src/ui/keymap.ts by `cockpit keys --markdown`; a test fails when this file is stale -->', ''];
  lines.push('Uppercase **R** is rollback everywhere, on top of every overlay. Lowercase **r** is retry and never rollback.', '');
  lines.push(`Destructive confirmations (rollback, skip) count only when the confirming key comes at least ${CONFIRM_GUARD_MS} ms after the dialog opened and after the previous key: a held key, a paste or a burst of keys opens a dialog at most.`, '');
  for (const g of keyGroups()) {
    lines.push(`## ${g.title}`, '', '| key | what it does | when |', '|---|---|---|');
    for (const r of g.rows) lines.push(`| ${r.keys.replace(/\|/g, '\\|')} | ${r.description} | ${r.when} |`);
    lines.push('');
  }
  return lines.join('\n');
}


/** Finds the runbook's troubleshooting entry that matches a failed step. */
import type { StepResult } from '../exec/runner.js';
import type { CommandStep, Troubleshooting } from '../runbook/types.js';
import type { Troubleshoot } from '../core/events.js';

const STOP = new Set(['the', 'and', 'with', 'from', 'into', 'when', 'this', 'that']);

/** Significant words of a match phrase, as 4-letter stems: "Tests failing in CI/CD" → test, fail. */
function stems(phrase: string): string[] {
  return phrase
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length >= 4 && !STOP.has(w))
    .map((w) => w.slice(0, 4));
}

export function findTroubleshooting(entries: readonly Troubleshooting[], step: CommandStep, result: StepResult, recent: readonly string[]): Troubleshoot | undefined {
  const text = [
    step.id,
    step.title,
    step.display,
    result.reason ?? '',
    'failed failing',
    result.timedOut ? 'timeout timing out stuck' : '',
    ...recent,
  ]
    .join(' ')
    .toLowerCase();
  const words = new Set(text.split(/[^a-z0-9]+/).filter((w) => w.length >= 4).map((w) => w.slice(0, 4)));
  const hit = entries.find((e) => {
    if (text.includes(e.match.toLowerCase())) return true;
    const need = stems(e.match);
    return need.length > 0 && need.every((s) => words.has(s));
  });
  return hit ? { title: hit.title, hint: hit.hint, commands: hit.steps.map((s) => s.display) } : undefined;
}

/**
 * A rollback's risk-register entry (the seed: "Rollbacks automatically trigger risk register
 * updates via risk-incident-sync"): built from the session, written as Markdown or YAML to a file,
 * or handed to a command as placeholders (argv elements or COCKPIT_* variables, never a shell string).
 */
import type { RiskEntry, RollbackSource } from '../core/events.js';
import type { PlaceholderValues } from '../runbook/placeholders.js';
import { formatDuration } from '../runbook/duration.js';
import { outcomeWord } from '../session/view/words.js';

export type EntryInput = {
  readonly startedAt: number;
  readonly session: string;
  readonly runbook: string;
  readonly version: string;
  readonly environment: string;
  readonly source: RollbackSource;
  /** The trigger that fired, for a trigger's rollback. */
  readonly trigger?: string;
  readonly reason: string;
  readonly restoreMs?: number;
  readonly ok: boolean;
  readonly journal: string;
};

const ASKED: Record<RollbackSource, string> = { trigger: 'trigger', operator: 'operator rollback', 'on-failure': 'failed stage', command: 'cockpit rollback' };

export function riskEntry(i: EntryInput): RiskEntry {
  return {
    date: new Date(i.startedAt).toISOString(),
    session: i.session,
    runbook: i.runbook,
    version: i.version,
    environment: i.environment,
    risk: i.source === 'trigger' && i.trigger ? `trigger ${i.trigger}` : ASKED[i.source],
    reason: i.reason,
    restoreMs: i.ok && i.restoreMs !== undefined ? i.restoreMs : null,
    outcome: i.ok ? 'rolled-back' : 'rollback-failed',
    journal: i.journal,
  };
}

const restoreText = (e: RiskEntry) => (e.restoreMs === null ? 'not restored' : formatDuration(e.restoreMs));
const outcomeText = (e: RiskEntry) => outcomeWord(e.outcome, 'inline');

/** Which form a register file takes: YAML for .yml/.yaml, Markdown for anything else. */
export function registerFormat(file: string): 'yaml' | 'markdown' {
  return /\.ya?ml$/i.test(file) ? 'yaml' : 'markdown';
}

/** One Markdown section; a value cannot break out of its line (newlines become spaces). */
export function markdownEntry(e: RiskEntry): string {
  const one = (v: string) => v.replace(/\s*[\r\n]+\s*/g, ' ');
  return [
    `### ${e.date.slice(0, 16).replace('T', ' ')} UTC · ${one(e.runbook)} ${one(e.version)} · ${outcomeText(e)}`,
    '',
    `- **Date:** ${e.date}`,
    `- **Session:** ${e.session}`,
    `- **Version:** ${one(e.version)}`,
    `- **Environment:** ${one(e.environment)}`,
    `- **Risk:** ${one(e.risk)}`,
    `- **Reason:** ${one(e.reason)}`,
    `- **Time to restore:** ${restoreText(e)}`,
    `- **Outcome:** ${outcomeText(e)}`,
    `- **Journal:** ${e.journal}`,
    '',
  ].join('\n');
}

let yamlStringify: ((value: unknown, options: { lineWidth: number }) => string) | undefined;

/** Loads the YAML writer: on first use, not when the screen starts (the run path carries no YAML code it would run). */
export async function loadYamlWriter(): Promise<void> {
  yamlStringify ??= (await import('yaml')).stringify;
}

/** One item of a YAML list (the file is a list of entries), with the time to restore in words and in ms. */
export function yamlEntry(e: RiskEntry): string {
  if (!yamlStringify) throw new Error('the YAML writer is not loaded (loadYamlWriter())');
  return yamlStringify([{ ...e, timeToRestore: restoreText(e) }], { lineWidth: 0 });
}

/** The entry as the placeholders a `run:` register gets: {reason} {trigger} {outcome} {restore} {journal} … */
export function entryValues(e: RiskEntry): PlaceholderValues {
  return {
    date: e.date,
    session: e.session,
    runbook: e.runbook,
    version: e.version,
    environment: e.environment,
    trigger: e.risk,
    reason: e.reason,
    restore: e.restoreMs === null ? '' : String(e.restoreMs),
    outcome: e.outcome,
    journal: e.journal,
  };
}

/** The text appended to a register file: the entry, on a line of its own. */
export function appendText(existing: string, e: RiskEntry, format: 'yaml' | 'markdown'): string {
  const sep = existing === '' || existing.endsWith('\n\n') ? '' : existing.endsWith('\n') ? (format === 'markdown' ? '\n' : '') : format === 'markdown' ? '\n\n' : '\n';
  return sep + (format === 'yaml' ? yamlEntry(e) : markdownEntry(e));
}

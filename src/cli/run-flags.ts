/** `cockpit run`'s options, shared by the screen's path (run.ts) and the headless one (headless-run.ts). */
import type { Runbook } from '../runbook/types.js';
import { parse, UsageError } from './args.js';

export const USAGE = `usage: cockpit run [runbook] [--headless] [--json] [--confirm "<title>"]... [--yes]
                  [--dry-run] [--stage <id>] [--on-failure stop|rollback] [--learning "<text>"]
                  [--set NAME=VALUE]... [--choose CHOICE=OPTION]... [--unguarded]`;

const OPTIONS = {
  headless: { type: 'boolean' },
  json: { type: 'boolean' },
  confirm: { type: 'string', multiple: true },
  yes: { type: 'boolean', short: 'y' },
  'dry-run': { type: 'boolean' },
  stage: { type: 'string' },
  'on-failure': { type: 'string' },
  theme: { type: 'string' },
  learning: { type: 'string' },
  set: { type: 'string', multiple: true },
  choose: { type: 'string', multiple: true },
  /** Headless: go on past a failed guardrail self-test (journalled; UNGUARDED from then on). */
  unguarded: { type: 'boolean' },
  /** Internal: a background guard taking over `<session>:<pid>` (session/hand-over.ts); not in the usage. */
  'background-guard': { type: 'string' },
} as const;

export type RunFlags = Pick<ReturnType<typeof parseRunFlags>, 'onFailure'> & Partial<Omit<ReturnType<typeof parseRunFlags>, 'onFailure'>>;

export function parseRunFlags(argv: string[]) {
  const { values, positionals } = parse(argv, OPTIONS, USAGE);
  if (positionals.length > 1) throw new UsageError(`one runbook at a time (got ${positionals.join(', ')})\n${USAGE}`);
  const onFailure = values['on-failure'] ?? 'stop';
  if (onFailure !== 'stop' && onFailure !== 'rollback') throw new UsageError(`--on-failure must be stop or rollback (got "${onFailure}")`);
  return { file: positionals[0], ...values, onFailure: onFailure as 'stop' | 'rollback' };
}

export function checkStage(rb: Runbook, stage: string | undefined): void {
  if (stage !== undefined && !rb.stages.some((s) => s.id === stage))
    throw new UsageError(`--stage: no stage "${stage}" (stages: ${rb.stages.map((s) => s.id).join(', ')})`);
}


/** `cockpit run`'s options, shared by the screen's path (run.ts) and the headless one (headless-run.ts). */
import type { Runbook } from '../runbook/types.js';
import { parse, usageOf, UsageError } from './args.js';
import { COMMANDS } from './commands.js';
import { parseShareAddress } from '../share/protocol.js';

/** The options are run's entry in the command table (commands.ts), which its --help lists. */
export const USAGE = usageOf(COMMANDS.run);

export type RunFlags = Pick<ReturnType<typeof parseRunFlags>, 'onFailure'> & Partial<Omit<ReturnType<typeof parseRunFlags>, 'onFailure'>>;

/**
 * `--share` takes an optional address: `--share` alone (or before an option or the runbook) is
 * `--share=` (127.0.0.1, a free port); `--share host:port` and `--share=host:port` give it.
 */
export function shareOptional(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--') return [...out, ...argv.slice(i)];
    if (argv[i] !== '--share') out.push(argv[i]);
    // an address names its port (a bare word could be the runbook): the form is parseShareAddress's
    else if (i + 1 < argv.length && /(^|:)\d+$/.test(argv[i + 1]) && typeof parseShareAddress(argv[i + 1]) !== 'string') out.push(`--share=${argv[++i]}`);
    else out.push('--share=');
  }
  return out;
}

export function parseRunFlags(argv: string[]) {
  const { values, positionals } = parse(shareOptional(argv), COMMANDS.run);
  if (positionals.length > 1) throw new UsageError(`one runbook at a time (got ${positionals.join(', ')})\n${USAGE}`);
  const onFailure = values['on-failure'] ?? 'stop';
  if (onFailure !== 'stop' && onFailure !== 'rollback') throw new UsageError(`--on-failure must be stop or rollback (got "${onFailure}")`);
  return { file: positionals[0], ...values, onFailure: onFailure as 'stop' | 'rollback' };
}

export function checkStage(rb: Runbook, stage: string | undefined): void {
  if (stage !== undefined && !rb.stages.some((s) => s.id === stage))
    throw new UsageError(`--stage: no stage "${stage}" (stages: ${rb.stages.map((s) => s.id).join(', ')})`);
}


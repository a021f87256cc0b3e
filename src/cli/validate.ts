/**
 * cockpit validate [file]: `ok` and a one-line summary, or every error located, exit 2. For a
 * Markdown runbook also what was mapped from it, what was assumed, and every part not mapped, why.
 */
import { formatError } from '../runbook/locate.js';
import { findRunbook, isMarkdown, loadRunbook, RunbookNotFound } from '../runbook/load.js';
import { formatReport, type MarkdownLoad } from '../runbook/markdown.js';
import type { Runbook } from '../runbook/types.js';
import { parse, UsageError } from './args.js';
import type { Io } from './io.js';
import { loadOrExit } from './load.js';

export const USAGE = 'usage: cockpit validate [runbook]';

const n = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

export function summary(rb: Runbook): string {
  const auto = rb.preflight.filter((p) => p.kind === 'auto').length;
  const steps = rb.stages.reduce((a, s) => a + s.steps.length, 0);
  const rollbackSteps = rb.rollback ? rb.rollback.steps.length + rb.rollback.verify.length + (rb.rollback.incident ? 1 : 0) : 0;
  return [
    n(rb.preflight.length, 'check') + ` (${auto} automated, ${rb.preflight.length - auto} manual)`,
    n(rb.stages.length, 'stage'),
    n(steps, 'step'),
    n(rollbackSteps, 'rollback step'),
    n(rb.rollback?.triggers.length ?? 0, 'trigger'),
    n(Object.keys(rb.metrics?.series ?? {}).length, 'metric'),
    n(rb.probes.length, 'probe'),
    n(rb.escalation.length, 'escalation level'),
    n(Object.keys(rb.flags?.ramps ?? {}).length, 'flag'),
    n(Object.keys(rb.experiments).length, 'experiment'),
    n(rb.troubleshooting.length, 'troubleshooting entry', 'troubleshooting entries'),
    n(rb.secrets.length, 'secret'),
  ].join(', ');
}

function validateMarkdown(given: string, io: Io): number {
  let r: MarkdownLoad;
  try {
    r = loadRunbook(given) as MarkdownLoad;
  } catch (e) {
    if (e instanceof RunbookNotFound) throw new UsageError(e.message);
    throw e;
  }
  if (!r.ok) {
    for (const e of r.errors) io.err(formatError(e));
    io.err(`${r.errors.length} error${r.errors.length === 1 ? '' : 's'} in ${r.display}`);
    for (const line of formatReport(r.report, r.display)) io.err(line);
    return 2;
  }
  io.out(`ok: ${r.runbook.name}: ${summary(r.runbook)}`);
  for (const line of formatReport(r.report, r.display)) io.out(line);
  return 0;
}

export function validateCommand(argv: string[], io: Io): number {
  const { positionals } = parse(argv, {}, USAGE);
  if (positionals.length > 1) throw new UsageError(`one runbook at a time (got ${positionals.join(', ')})\n${USAGE}`);
  let file: string | undefined;
  try {
    file = positionals[0] !== undefined ? findRunbook(positionals[0]) : undefined;
  } catch {
    file = undefined; // loadOrExit says why
  }
  if (file !== undefined && isMarkdown(file)) return validateMarkdown(positionals[0], io);
  const rb = loadOrExit(positionals[0], io.err);
  if (typeof rb === 'number') return rb;
  io.out(`ok: ${rb.name}: ${summary(rb)}`);
  return 0;
}

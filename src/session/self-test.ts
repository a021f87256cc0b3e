/**
 * The guardrail self-test as a pre-flight check (the row "Guardrail self-test"): the metric series
 * and probes answer (guard/self-test.ts) and every rollback-pipeline command exists
 * (rollback-ready.ts). It runs like any automated check: step.started, its findings as the step's
 * output (log file, screen, headless), step.finished with the first finding as its reason; `r`
 * retries it. It is never skipped: going on without it is `guard.unguarded`, a typed (screen) or
 * explicit (`--unguarded`) decision, journalled, shown as UNGUARDED for the rest of the session.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { PREFLIGHT, type EventBody } from '../core/events.js';
import { sanitizeLine, stampOf } from '../exec/log-format.js';
import { findingLines, findingsReason, SELF_TEST_ID, selfTestTargets, sourceText, testGuardrails, type Finding } from '../guard/self-test.js';
import type { ProbeFn } from '../metrics/sampler.js';
import type { MetricSource } from '../metrics/sources/source.js';
import type { PlaceholderValues } from '../runbook/placeholders.js';
import type { Runbook } from '../runbook/types.js';
import type { SessionState } from './reduce.js';
import { rollbackCommandProblems, type ProgramCheck } from './rollback-ready.js';

export { SELF_TEST_ID, SELF_TEST_TITLE, hasSelfTest } from '../guard/self-test.js';

export type SelfTestDeps = {
  readonly runbook: Runbook;
  readonly values: PlaceholderValues;
  readonly sessionDir: string;
  readonly source?: MetricSource;
  readonly probe: ProbeFn;
  readonly timeoutMs: number;
  /** Whether a program can run (the session's Runner.programProblem). */
  readonly check: ProgramCheck;
  /** Session time (ms). */
  readonly now: () => number;
  readonly emit: (e: EventBody) => void;
  readonly output: (stage: string, step: string, lines: readonly string[]) => void;
  /** Masks secrets in what goes to the log. */
  readonly mask: (text: string) => string;
};

/** Every finding: the guardrails' and each rollback command that cannot run. */
export async function selfTestFindings(d: SelfTestDeps): Promise<Finding[]> {
  const rb = d.runbook;
  const guard = await testGuardrails(selfTestTargets(rb), { source: d.source, sourceText: sourceText(rb), probe: d.probe, timeoutMs: d.timeoutMs });
  const commands = rollbackCommandProblems(rb, d.values, d.check).map((p): Finding => ({
    subject: p.where,
    got: p.reason.replace(/ \(.*\)$/, ''),
    details: [`run: ${p.display}`, `fix: ${p.reason.includes('chmod') ? p.reason.replace(/^.*\((chmod[^)]*)\)$/, '$1') : 'make it exist where the rollback runs, or correct the path'}`],
  }));
  return [...guard, ...commands];
}

/** Runs the self-test as pre-flight check `attempt`; true when it passed. */
export async function runSelfTest(d: SelfTestDeps, attempt: number): Promise<boolean> {
  const t = selfTestTargets(d.runbook);
  const logPath = join(d.sessionDir, `${PREFLIGHT}.${SELF_TEST_ID}.log`);
  const command = `read ${t.series.length} series and ${t.probes.length} probe${t.probes.length === 1 ? '' : 's'}; check the rollback commands`;
  const started = d.now();
  d.emit({ type: 'step.started', stage: PREFLIGHT, step: SELF_TEST_ID, attempt, command, logPath });
  const findings = await selfTestFindings(d);
  const text = findings.length
    ? findingLines(findings)
    : [`✓ ${t.series.length ? `${t.series.map((s) => s.name).join(', ')} answered with one number each` : 'no metric series to read'}`, `✓ ${t.probes.length ? `probes ${t.probes.map((p) => p.name).join(', ')} answered` : 'no probes'}`, '✓ every rollback command exists'];
  const stamp = stampOf(new Date());
  const lines = text.map((l) => `${stamp}${d.mask(sanitizeLine(l))}`);
  try {
    appendFileSync(logPath, `${lines.join('\n')}\n`);
  } catch {
    /* the lines still reach the screen and the headless output */
  }
  const ok = findings.length === 0;
  // what failed is shown where the output is (the screen's pane, headless lines); a pass is in its log
  // only, so the screen keeps saying what comes next
  if (!ok) {
    d.emit({ type: 'step.output', stage: PREFLIGHT, step: SELF_TEST_ID, lines: lines.length });
    d.output(PREFLIGHT, SELF_TEST_ID, lines);
  }
  const reason = ok ? undefined : d.mask(sanitizeLine(findingsReason(findings)));
  d.emit({ type: 'step.finished', stage: PREFLIGHT, step: SELF_TEST_ID, ok, exitCode: null, signal: null, timedOut: false, interrupted: false, durationMs: Math.round(d.now() - started), reason });
  return ok;
}

/** Why the operator cannot go on unguarded now (only a failed self-test, before the pre-flight passed, can be). */
export function unguardedRefusal(s: SessionState): string | undefined {
  if (s.outcome) return 'the session has ended';
  const st = s.preflight.steps.find((x) => x.id === SELF_TEST_ID);
  if (!st) return 'this runbook has no guardrail self-test';
  if (st.status !== 'failed') return 'the guardrail self-test has not failed';
  return undefined;
}

/** The skip rule's exception: the self-test is not skipped (it is proceeded past, unguarded). */
export const SELF_TEST_NOT_SKIPPED = 'the guardrail self-test is not skipped: fix it and retry (r), or proceed unguarded (U, typed confirmation)';

/**
 * The pre-flight loop: opens a new session (what was confirmed up front is ticked; headless, an
 * unticked manual check fails it at once), runs the automated checks and the guardrail self-test,
 * and records the pre-flight's verdict once it has one.
 */
import { PREFLIGHT } from '../core/events.js';
import type { Engine } from './engine.js';
import { isConfirmed } from './manual.js';
import { preflightReady } from './reduce.js';
import { runSelfTest, SELF_TEST_ID } from './self-test.js';
import { runStages } from './stage-loop.js';

/** Starts a new session: confirms what was confirmed up front, runs the automated pre-flight checks. */
export async function openPreflight(x: Engine): Promise<void> {
  x.begin();
  const { o } = x;
  for (const item of o.runbook.preflight) {
    if (item.kind === 'manual' && isConfirmed(item, o.confirm, o.yes)) x.emit({ type: 'check.ticked', id: item.id, by: 'confirm' });
  }
  if (o.mode === 'headless') {
    // nobody can tick anything later: say so now instead of after the checks have run
    const unticked = x.s.preflight.steps.filter((st) => st.kind === 'manual' && !st.ticked).map((st) => st.title);
    if (unticked.length > 0) {
      x.emit({ type: 'preflight.failed', failed: [], unticked });
      x.end('failed');
      return;
    }
  }
  await x.track(runPreflightChecks(x));
}

export async function runPreflightChecks(x: Engine): Promise<void> {
  for (const item of x.o.runbook.preflight) {
    if (item.kind !== 'auto' || x.aborting) continue;
    const st = x.s.preflight.steps.find((s) => s.id === item.id);
    if (st?.status !== 'pending' && st?.status !== 'running') continue;
    await x.steps.runWithRetries(PREFLIGHT, { ...item, kind: 'command' });
  }
  const test = x.s.preflight.steps.find((s) => s.id === SELF_TEST_ID);
  if (!x.aborting && (test?.status === 'pending' || test?.status === 'running')) {
    const ok = await runSelfTest(x.selfTest, test.attempt + (test.status === 'running' ? 0 : 1));
    if (!ok && x.o.unguarded) x.emit({ type: 'guard.unguarded', by: 'flag', reason: x.s.preflight.steps.find((s) => s.id === SELF_TEST_ID)?.reason ?? 'failed' });
  }
  if (!x.aborting && evaluatePreflight(x) && x.o.autoAdvance) await runStages(x);
}

/** Records the pre-flight's verdict once it has one; true when it passed just now. */
export function evaluatePreflight(x: Engine): boolean {
  if (x.s.preflight.status === 'passed') return false;
  const r = preflightReady(x.s);
  if (r.ready) {
    x.emit({ type: 'preflight.passed' });
    return true;
  }
  if (r.pending.length === 0 && x.o.mode === 'headless') {
    x.emit({ type: 'preflight.failed', failed: r.failed, unticked: r.unticked });
    x.end('failed');
  }
  return false;
}

/** After a pre-flight change (a tick, a skip, going on unguarded): the stages, when it just passed and they run on their own. */
export function afterPreflightChange(x: Engine): void {
  if (evaluatePreflight(x) && x.o.autoAdvance) void x.track(runStages(x));
}

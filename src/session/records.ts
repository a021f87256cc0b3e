/**
 * The records a session keeps beside the release itself, each journalled as an event:
 * - the commit it deploys (`release.commit`), asked of git when the first stage starts;
 * - a risk-register entry after every rollback (`risk.registered`), written where the runbook's
 *   `riskRegister` says; a failure is journalled and shown, never thrown: the rollback is done;
 * - the end-of-release review (`release.reviewed`): the seed's celebration checklist and learnings.
 * It listens to the controller like any other subscriber and works after the event that caused it
 * (never inside another event's delivery), so `drain()` before the journal closes.
 */
import { headSha } from '../history/git.js';
import { reviewOf, type ReleaseFacts } from '../history/celebration.js';
import { riskEntry } from '../history/risk-register.js';
import { writeRiskEntry } from '../history/register-write.js';
import type { Controller } from './controller.js';
import type { SessionState, StageState, StepState } from './reduce.js';

export type RecordsOptions = {
  readonly journalPath: string;
  readonly sessionDir: string;
  /** The operator's own learning (`--learning`), added to the review. */
  readonly learning?: string;
  readonly env?: NodeJS.ProcessEnv;
};

export type Records = {
  /** Resolves when every record caused so far is journalled. */
  drain(): Promise<void>;
  /** Stops listening; nothing is journalled after this (the journal is about to close). */
  detach(): void;
};

/**
 * A session that was a release attempt: a stage started, the pre-flight failed, or a rollback ran.
 * Not a one-shot `cockpit flag`, nor a screen opened and quit before its first stage.
 */
export function wasRelease(s: SessionState): boolean {
  return s.preflight.status === 'failed' || s.rollback.status !== 'idle' || s.stages.some((x) => x.startedAt !== undefined);
}

export function factsOf(s: SessionState): ReleaseFacts {
  const stages: StageState[] = [s.preflight, ...s.stages, { ...s.preflight, title: 'Rollback', steps: s.rollback.steps }];
  const where = (st: StageState, x: StepState) => `${st.title} / ${x.title}`;
  const failures = stages.flatMap((st) => st.steps.filter((x) => x.status === 'failed').map((x) => ({ where: where(st, x), reason: x.reason ?? 'failed' })));
  const recovered = stages.flatMap((st) => st.steps.filter((x) => x.status === 'passed' && x.attempt > 1).map((x) => ({ where: where(st, x), attempt: x.attempt })));
  const fired = Object.entries(s.guard.triggers)
    .filter(([, t]) => t.status === 'fired')
    .map(([trigger, t]) => ({ trigger, reason: t.reason ?? 'fired' }));
  const r = s.rollback;
  return {
    version: s.version,
    environment: s.environment,
    outcome: s.outcome ?? 'aborted',
    stages: s.stages.length,
    stagesPassed: s.stages.filter((x) => x.status === 'passed').length,
    deployed: s.stages.some((x) => x.environment === s.environment && x.startedAt !== undefined),
    failures,
    recovered,
    fired,
    shadowFired: Object.entries(s.guard.shadows)
      .filter(([, v]) => v.fired.length > 0)
      .map(([trigger, v]) => ({ trigger, times: v.fired.length })),
    overBudget: s.stages.filter((x) => x.overBudget).map((x) => x.title),
    rollback:
      r.status === 'idle'
        ? undefined
        : {
            source: r.source ?? 'operator',
            reason: r.reason ?? '',
            ok: r.status === 'passed' ? true : r.status === 'failed' ? false : undefined,
            // an abandoned rollback stopped at an interrupted step
            failedAt: r.steps.find((x) => x.status === 'failed' || x.status === 'interrupted')?.title,
            restoreMs: s.guard.restoreMs,
          },
  };
}

export function attachRecords(c: Controller, o: RecordsOptions): Records {
  const rb = c.runbook;
  let closed = false;
  let pending: Promise<void> = Promise.resolve();
  // each record runs after the event that caused it has reached every subscriber, in order
  const later = (fn: () => unknown) => {
    pending = pending.then(fn).then(
      () => undefined,
      () => undefined,
    );
  };
  const record = (body: Parameters<Controller['record']>[0]) => {
    if (!closed) c.record(body);
  };
  let askedGit = false;
  let rollbackAt: number | undefined;
  const off = c.subscribe((s, e) => {
    if (e.type === 'stage.started' && !askedGit) {
      askedGit = true;
      const sha = headSha(rb.dir);
      later(async () => {
        const found = await sha;
        if (found) record({ type: 'release.commit', sha: found });
      });
    } else if (e.type === 'rollback.started') rollbackAt = e.at;
    else if (e.type === 'rollback.finished' && rb.riskRegister) {
      const register = rb.riskRegister;
      const entry = riskEntry({
        startedAt: rollbackAt ?? e.at,
        session: s.sessionId ?? '',
        runbook: rb.name,
        version: s.version,
        environment: s.environment,
        source: s.rollback.source ?? 'operator',
        trigger: Object.entries(s.guard.triggers).find(([, t]) => t.status === 'fired')?.[0],
        reason: s.rollback.reason ?? '',
        restoreMs: s.guard.restoreMs,
        ok: e.ok,
        journal: o.journalPath,
      });
      later(async () => {
        const r = await writeRiskEntry(register, entry, { dir: rb.dir, sessionDir: o.sessionDir, env: o.env });
        record({ type: 'risk.registered', ok: r.ok, via: r.via, target: r.target, ...(r.error ? { error: r.error } : {}), entry });
      });
    } else if (e.type === 'session.ended' && wasRelease(s)) {
      later(() => record({ type: 'release.reviewed', ...reviewOf(factsOf(c.state), o.learning) }));
    }
  });
  return {
    async drain() {
      for (let p = pending; ; p = pending) {
        await p;
        if (p === pending) return;
      }
    },
    detach() {
      closed = true;
      off();
    },
  };
}

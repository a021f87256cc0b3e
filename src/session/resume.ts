/**
 * Resume: takes over a session whose cockpit died. Sampling, flags and experiments start again
 * (the triggers' windows as the journal left them), the incident's escalation carries on from its
 * start, and what was running is followed to its end; then the release goes on as it would have.
 */
import { EMERGENCY, PREFLIGHT, ROLLBACK, type SessionEvent } from '../core/events.js';
import type { Engine } from './engine.js';
import { runPreflightChecks } from './preflight-loop.js';
import type { SessionState } from './reduce.js';
import { runStage, runStages } from './stage-loop.js';

type Running = { readonly stage: string; readonly step: string };

/** Every step the journal left running, in the order the resumed session records them. */
function runningOf(s: SessionState): Running[] {
  return [
    ...s.preflight.steps.filter((x) => x.status === 'running').map((x) => ({ stage: PREFLIGHT, step: x.id })),
    ...s.stages.flatMap((st) => st.steps.filter((x) => x.status === 'running').map((x) => ({ stage: st.id, step: x.id }))),
    ...s.rollback.steps.filter((x) => x.status === 'running').map((x) => ({ stage: ROLLBACK, step: x.id })),
    ...s.emergency.filter((x) => x.status === 'running').map((x) => ({ stage: EMERGENCY, step: x.id })),
  ];
}

/** Sampling (on the schedule it had), flags, experiments and a running incident's escalation start again. */
function restartWatching(x: Engine): void {
  // the sampler keeps the schedule it had: tick n at its first tick + n × interval
  const first = x.o.resume!.find((e) => e.type === 'metric.sampled' || e.type === 'probe.sampled') as Extract<SessionEvent, { type: 'metric.sampled' }> | undefined;
  queueMicrotask(() => x.guard?.start(first ? first.time - first.tick * x.guard.intervalMs : undefined));
  x.startWatching();
  const g = x.s.guard;
  if (x.s.rollback.status !== 'idle' && !g.resolved && !g.dropped)
    x.escalation.start(g.incidentAt ?? x.s.rollback.startedAt ?? 0, x.s.rollback.reason ?? '', new Set(g.escalation.map((l) => l.level)), x.s.rollback.startedAt);
}

export async function resumeSession(x: Engine): Promise<void> {
  const running = runningOf(x.s);
  x.emit({ type: 'session.resumed', pid: process.pid, previousPid: x.o.previousPid, mode: x.o.mode, running });
  restartWatching(x);
  // an emergency action that was running: followed to its end beside the release
  for (const r of running.filter((r) => r.stage === EMERGENCY)) {
    const step = x.o.runbook.emergency.find((e) => e.id === r.step);
    const st = x.s.emergency.find((e) => e.id === r.step);
    if (step && st) void x.steps.reattach(EMERGENCY, step, st);
  }
  const rbState = x.s.rollback.status;
  if (rbState === 'running') return x.track(x.rollbackPipeline.run());
  if (rbState !== 'idle' || x.s.outcome) return;
  const stage = x.s.stages.find((st) => st.status === 'running');
  if (stage) return x.track(runStage(x, stage.id));
  // a failed stage waiting for the operator: its triggers stay armed for the reason they were
  const failed = x.s.stages.find((st) => st.status === 'failed');
  if (failed && x.s.guard.armed && x.o.runbook.stages.find((st) => st.id === failed.id)?.armed) x.guard?.arm(`stage:${failed.id}`);
  if (x.s.preflight.status !== 'passed') return x.track(runPreflightChecks(x));
  if (x.o.autoAdvance && x.s.stages.some((st) => st.status === 'pending') && !x.s.stages.some((st) => st.status === 'failed')) return x.track(runStages(x));
}

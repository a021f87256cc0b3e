/**
 * Where a release runs with nothing armed (issue 18: "never silently off"). One module decides it;
 * the screen header and a monitor's row (ui/), the headless line at a stage's start and `cockpit
 * validate`'s warnings all ask it.
 *
 * - A runbook with no rollback trigger that can be armed (none written, or every one waiting for a
 *   metrics source or probes): AUTO-ROLLBACK OFF everywhere; each `monitor:` watches nothing.
 * - A stage that deploys to the release's environment (production) and is not armed: its triggers
 *   watch only while one of its monitor steps runs, so its other steps run with AUTO-ROLLBACK OFF.
 *   Earlier stages (staging) are unarmed by design: the rollback pipeline is the release
 *   environment's, and rolling production back because staging broke would be wrong.
 */
import type { Path } from './rules.js';
import type { RawRunbook } from './schema.js';
import type { Runbook, Stage } from './types.js';

/** Why no trigger is armed anywhere, or undefined when one is. */
export function noTriggersWhy(rb: Runbook): string | undefined {
  if ((rb.rollback?.triggers.length ?? 0) > 0) return undefined;
  const waiting = rb.unarmed?.length ?? 0;
  if (waiting > 0) return `no rollback trigger is armed: ${waiting === 1 ? '1 trigger waits' : `${waiting} triggers wait`} for a metrics source or probes`;
  return 'the runbook has no rollback triggers';
}

/** Why a stage runs (some of its steps) with nothing armed, or undefined when it is guarded (or unarmed by design). */
export function stageUnguarded(rb: Runbook, stage: Stage): string | undefined {
  const none = noTriggersWhy(rb);
  if (none) return `${none}: nothing rolls back on its own (R or cockpit rollback only)`;
  if (stage.armed || stage.environment !== rb.environment) return undefined;
  const monitors = stage.steps.some((s) => s.kind === 'monitor');
  return monitors
    ? `stage ${stage.id} deploys to ${stage.environment} but is not armed: its triggers watch only during its monitor steps (armed: true arms the whole stage)`
    : `stage ${stage.id} deploys to ${stage.environment} but is not armed and has no monitor step: no trigger watches it (armed: true arms it)`;
}

/** What a monitor step's row says when it watches nothing (no trigger armed; the notice line says why), or undefined. */
export function monitorWatchesNothing(rb: Runbook): string | undefined {
  return noTriggersWhy(rb) && 'watches nothing';
}

type Rule = { readonly path: Path; readonly message: string; readonly atKey?: boolean };

const isMonitor = (s: unknown): s is { monitor: string } => typeof s === 'object' && s !== null && 'monitor' in s;

/** validate's warnings (located by the caller): AUTO-ROLLBACK OFF where it is, each monitor that watches nothing. */
export function coverageWarnings(raw: RawRunbook, rb: Runbook): Rule[] {
  const out: Rule[] = [];
  const none = noTriggersWhy(rb);
  if (none) {
    out.push({ path: raw.rollback ? ['rollback'] : ['stages'], atKey: true, message: `AUTO-ROLLBACK OFF: ${none}: no stage rolls back on its own (R or cockpit rollback only)` });
    raw.stages.forEach((s, si) =>
      s.steps.forEach((st, i) => {
        if (isMonitor(st)) out.push({ path: ['stages', si, 'steps', i], message: `monitor ${st.monitor} watches nothing: no trigger is armed in stage ${s.id}` });
      }),
    );
    return out;
  }
  rb.stages.forEach((s, si) => {
    const why = stageUnguarded(rb, s);
    if (why) out.push({ path: raw.stages[si]?.armed !== undefined ? ['stages', si, 'armed'] : ['stages', si], message: `AUTO-ROLLBACK OFF: ${why}` });
  });
  return out;
}

/** The checklist as rows: pre-flight items, each stage and its steps, the rollback, escalation, emergency runs. */
import type { EscalationLevel } from '../runbook/types.js';
import { escalationSchedule } from '../guard/escalation.js';
import type { SessionState, StepState } from '../session/reduce.js';
import type { DisplayStatus } from '../session/view/words.js';
import { preflightStatus, rollbackDisplayStatus, stageDisplayStatus, titleWithSkipped } from '../session/view/stage-status.js';

export type ChecklistRow = {
  /** `stage/step`, or `stage` for a header. */
  readonly id: string;
  readonly kind: 'header' | 'manual' | 'check' | 'step' | 'monitor' | 'escalation';
  readonly stageId: string;
  readonly stepId?: string;
  readonly title: string;
  readonly status: DisplayStatus;
  readonly ticked?: boolean;
  readonly step?: StepState;
  /** An escalation level not reached yet: when it is due (session ms). */
  readonly dueAt?: number;
  /** A line under the row (an escalation level's action or error). */
  readonly detail?: string;
  /** A warning under the row: a monitor step that watches nothing (runbook/coverage.ts). */
  readonly warn?: string;
  /** A running monitor step: when the cockpit was stopped (not watched, not counted in its window). */
  readonly pauses?: readonly { readonly from: number; readonly to: number }[];
};

function stepRows(stageId: string, steps: readonly StepState[], monitorWarn?: string, pauses?: ChecklistRow['pauses']): ChecklistRow[] {
  return steps.map((st) => ({
    ...(st.kind === 'monitor' && monitorWarn ? { warn: monitorWarn } : {}),
    ...(st.kind === 'monitor' && pauses?.length ? { pauses } : {}),
    id: `${stageId}/${st.id}`,
    kind: st.kind === 'manual' ? 'manual' : stageId === 'preflight' ? 'check' : st.kind === 'monitor' ? 'monitor' : 'step',
    stageId,
    stepId: st.id,
    title: st.title,
    status: st.status,
    ticked: st.ticked,
    step: st,
  }));
}

/** "Level 2: Page on-call engineer" as written, else "L2 Page on-call engineer". */
export const levelTitle = (level: number, title: string): string => (/^level\s*\d/i.test(title) ? title : `L${level} ${title}`);

/** The incident's escalation: each level done, running, failed, due (with when) or not needed (resolved first). */
function escalationRows(s: SessionState, levels: readonly EscalationLevel[]): ChecklistRow[] {
  const g = s.guard;
  const byLevel = new Map(g.escalation.map((x) => [x.level, x]));
  const started = s.rollback.startedAt;
  const schedule = started === undefined ? [] : escalationSchedule(levels, g.incidentAt ?? started, started);
  const rows: ChecklistRow[] = levels.map((l, i) => {
    const x = byLevel.get(l.level);
    const id = `escalation/${l.level}`;
    const title = levelTitle(l.level, l.title);
    if (!x) return { id, kind: 'escalation', stageId: 'escalation', title, status: g.resolved ? 'skipped' : 'pending', dueAt: schedule[i]?.dueAt };
    const status = x.status === 'done' ? 'passed' : x.status;
    return { id, kind: 'escalation', stageId: 'escalation', title, status, detail: x.status === 'failed' ? `${x.action}: ${x.error ?? 'failed'}` : x.action };
  });
  const status = rows.some((r) => r.status === 'failed') ? 'failed' : rows.some((r) => r.status === 'pending' || r.status === 'running') ? 'running' : 'passed';
  return [{ id: 'escalation', kind: 'header', stageId: 'escalation', title: g.resolved ? 'Escalation (resolved)' : 'Escalation', status }, ...rows];
}

/** What the `notify:` targets were told: each message sent, or FAILED and why (shown, never swallowed). */
function notificationRows(s: SessionState): ChecklistRow[] {
  const list = s.guard.notifications;
  const rows: ChecklistRow[] = list.map((n, i) => ({
    id: `notify/${i}`,
    kind: 'escalation',
    stageId: 'notify',
    title: n.target,
    status: n.ok ? 'passed' : 'failed',
    detail: n.ok ? n.on : `${n.on}: ${n.error ?? 'failed'}${n.attempts > 1 ? ` (${n.attempts} tries)` : ''}`,
  }));
  return [{ id: 'notify', kind: 'header', stageId: 'notify', title: 'Notifications', status: list.some((n) => !n.ok) ? 'failed' : 'passed' }, ...rows];
}

/** `monitorWarn`: what a stage's monitor step says under its row when it watches nothing. */
export function buildRows(s: SessionState, escalation: readonly EscalationLevel[] = [], monitorWarn?: string): ChecklistRow[] {
  const rows: ChecklistRow[] = [];
  if (s.preflight.steps.length > 0) {
    const status = preflightStatus(s);
    rows.push({ id: 'preflight', kind: 'header', stageId: 'preflight', title: titleWithSkipped('Pre-flight', status, s.preflight), status });
    rows.push(...stepRows('preflight', s.preflight.steps));
  }
  for (const st of s.stages) {
    const status = stageDisplayStatus(s, st);
    rows.push({ id: st.id, kind: 'header', stageId: st.id, title: titleWithSkipped(st.title, status, st), status });
    rows.push(...stepRows(st.id, st.steps, monitorWarn, s.guard.pauses));
  }
  const rollback = rollbackDisplayStatus(s);
  if (rollback) {
    rows.push({ id: 'rollback', kind: 'header', stageId: 'rollback', title: 'Rollback', status: rollback });
    rows.push(...stepRows('rollback', s.rollback.steps));
  }
  if (s.rollback.status !== 'idle' && escalation.length > 0) rows.push(...escalationRows(s, escalation));
  if (s.guard.notifications.length > 0) rows.push(...notificationRows(s));
  const ran = s.emergency.filter((e) => e.status !== 'pending');
  if (ran.length > 0) {
    rows.push({ id: 'emergency', kind: 'header', stageId: 'emergency', title: 'Emergency', status: 'running' });
    rows.push(...stepRows('emergency', ran));
  }
  return rows;
}

export const selectable = (rows: readonly ChecklistRow[]) => rows.filter((r) => r.kind !== 'header' && r.kind !== 'escalation');

/** The row the release is at: running, else a manual step waiting for its tick, else failed, else the first unticked item, else the last step done. */
export function autoSelected(s: SessionState, rows: readonly ChecklistRow[]): ChecklistRow | undefined {
  const sel = selectable(rows);
  return (
    sel.find((r) => r.stageId === 'rollback' && (r.status === 'running' || r.status === 'failed')) ??
    sel.find((r) => r.status === 'running' && r.stageId !== 'emergency') ??
    sel.find((r) => r.status === 'waiting') ??
    sel.find((r) => r.status === 'failed' && r.stageId !== 'emergency' && (r.stageId !== 'preflight' || s.preflight.status !== 'passed')) ??
    sel.find((r) => r.kind === 'manual' && !r.ticked && s.preflight.status !== 'passed') ??
    [...sel].reverse().find((r) => r.status === 'passed' || r.status === 'skipped' || r.status === 'interrupted')
  );
}

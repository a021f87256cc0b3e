/**
 * What the triggers, stages, flags and incident panels show. Pure: runbook + state + the session
 * time "now" in, rows of words out. Every state has an icon and a word; the tone is only colour.
 */
import { describeTrigger, formatValue, unitsOf } from '../guard/describe.js';
import { rampPlans } from '../flags/plan.js';
import { notServed, notServedState, shownPercent } from '../flags/served.js';
import { formatClock } from '../runbook/duration.js';
import type { Runbook } from '../runbook/types.js';
import type { SessionState, StageState, StepState } from '../session/reduce.js';
import { shadowStatus, wouldHaveFiredText } from '../guard/shadow.js';
import { ICON, WORD, type DisplayStatus } from '../session/view/words.js';
import { stripItems } from '../session/view/stage-status.js';
import { heldFor, TRIGGER_ICON, TRIGGER_WORD, triggerState } from '../session/view/trigger-state.js';

export type Tone = 'ok' | 'running' | 'warn' | 'danger' | 'muted';

export type TriggerRow = {
  readonly state: 'idle' | 'pending' | 'fired' | 'broken' | 'no data';
  readonly icon: string;
  /** "FIRED", "PENDING 0:03/0:06", "NO DATA", "idle". */
  readonly word: string;
  /** "error_rate > 1 % for 2m · error_rate 3.2 %". */
  readonly text: string;
  readonly tone: Tone;
  /** A shadow trigger (never rolls back): muted, after the real ones. */
  readonly shadow?: boolean;
};

export function triggerRows(rb: Runbook, s: SessionState, now: number): TriggerRow[] {
  const units = unitsOf(rb);
  const real = (rb.rollback?.triggers ?? []).map((t): TriggerRow => {
    const v = s.guard.triggers[t.id];
    const value = v?.value !== undefined && (v.status !== 'idle' || t.kind === 'metric') ? ` · ${formatValue(t, v.value, units)}` : '';
    const text = `${describeTrigger(t, units)}${value}`;
    const x = triggerState(s, t, now);
    const icon = TRIGGER_ICON[x.state];
    if (x.state === 'fired' || x.state === 'broken') return { state: x.state, icon, word: TRIGGER_WORD[x.state], text, tone: 'danger' };
    if (x.state === 'nodata') return { state: 'no data', icon, word: TRIGGER_WORD.nodata, text, tone: 'warn' };
    if (x.state === 'pending') return { state: 'pending', icon, word: `${TRIGGER_WORD.pending} ${formatClock(x.pendingMs ?? 0)}/${formatClock(t.forMs)}`, text, tone: 'warn' };
    // not armed: idle, muted
    return { state: 'idle', icon: TRIGGER_ICON.idle, word: TRIGGER_WORD.idle, text, tone: x.state === 'idle' ? 'ok' : 'muted' };
  });
  return [...real, ...shadowRows(rb, s, now)];
}

const SHADOW_WORD = { idle: 'shadow', disarmed: 'shadow', pending: 'shadow PENDING', fired: 'shadow', nodata: 'shadow NO DATA' } as const;

/** The shadow triggers, muted: "◌ shadow would have fired 14:03:12  latency_p95 > 800 ms for 1m". */
function shadowRows(rb: Runbook, s: SessionState, now: number): TriggerRow[] {
  const units = unitsOf(rb);
  return (rb.rollback?.shadows ?? []).map((t) => {
    const st = shadowStatus(s.guard, t.id);
    const held = st.since !== undefined ? ` ${formatClock(heldFor(st.since, t.forMs, now))}/${formatClock(t.forMs)}` : '';
    const value = st.value !== undefined && t.kind === 'metric' ? ` · ${formatValue(t, st.value, units)}` : '';
    const note = wouldHaveFiredText(st);
    const state: TriggerRow['state'] = st.state === 'nodata' ? 'no data' : st.state === 'disarmed' ? 'idle' : st.state;
    return { state, icon: '◌', word: `${SHADOW_WORD[st.state]}${held}${note ? ` ${note}` : ''}`, text: `${describeTrigger(t, units)}${value}`, tone: 'muted', shadow: true };
  });
}

export type StageRow = {
  readonly icon: string;
  readonly title: string;
  /** "running", "passed", "FAILED", "rolled back" … */
  readonly word: string;
  /** "0:41", "0:41 / 0:45"; empty before it started. */
  readonly elapsed: string;
  readonly over: boolean;
  readonly tone: Tone;
  /** The step it is on, while it runs. */
  readonly current?: string;
};

const TONE: Record<DisplayStatus, Tone> = { pending: 'muted', running: 'running', waiting: 'running', passed: 'ok', failed: 'danger', skipped: 'muted', interrupted: 'warn', 'rolled-back': 'warn' };

function row(status: DisplayStatus, title: string, elapsedMs: number | undefined, budgetMs: number | undefined, over: boolean, current?: StepState): StageRow {
  const elapsed = elapsedMs === undefined ? '' : `${formatClock(elapsedMs)}${budgetMs !== undefined ? ` / ${formatClock(budgetMs)}` : ''}`;
  return { icon: ICON[status], title, word: WORD[status], elapsed, over, tone: over && status === 'running' ? 'warn' : TONE[status], current: current?.title };
}

/** The screen's strip as rows (session/view/stage-status.ts): the same icon and word for each stage and the rollback. */
export function stageRows(s: SessionState, now: number): StageRow[] {
  const stage = (st: StageState, status: DisplayStatus, title: string): StageRow => {
    const elapsed = st.startedAt === undefined ? undefined : (st.endedAt ?? (st.status === 'running' ? now : s.now)) - st.startedAt;
    const over = st.overBudget || (st.budgetMs !== undefined && elapsed !== undefined && st.status === 'running' && elapsed > st.budgetMs);
    const current = st.status === 'running' ? st.steps.find((x) => x.status === 'running' || x.status === 'waiting') : undefined;
    // a manual step says the stage waits for someone's tick
    return row(status, title, elapsed, st.budgetMs, over, current?.status === 'waiting' ? { ...current, title: `${ICON.waiting} ${current.title} (waiting for a tick)` } : current);
  };
  const r = s.rollback;
  return stripItems(s).map((it) => {
    if (it.stage) return stage(it.stage, it.status, it.title);
    const elapsed = r.startedAt === undefined ? undefined : (r.durationMs ?? (r.status === 'running' ? now : s.now) - r.startedAt);
    return row(it.status, it.title, elapsed, undefined, false, r.status === 'running' ? r.steps.find((x) => x.status === 'running') : undefined);
  });
}

export type FlagRow = {
  readonly name: string;
  /** What the provider confirmed; undefined until it has said. */
  readonly percent?: number;
  /** "50 %", "? %". */
  readonly text: string;
  /** "applying → 100 %", "FAILED → 100 %: …", "held: …", "". */
  readonly note: string;
  readonly tone: Tone;
};

export function flagRows(rb: Runbook, s: SessionState): FlagRow[] {
  const names = [...new Set([...rampPlans(rb).map((p) => p.flag), ...Object.keys(s.flags)])];
  return names.map((name) => {
    const f = s.flags[name] ?? { status: 'unknown' as const };
    // what users are served where the backend can tell (a disabled Unleash environment: 0 %)
    const shown = shownPercent(f);
    const text = shown === undefined ? '? %' : `${shown} %`;
    if (f.status === 'applying') return { name, percent: shown, text, note: `applying → ${f.requested} %`, tone: 'running' };
    if (f.status === 'failed') return { name, percent: shown, text, note: `FAILED → ${f.requested ?? '?'} %: ${f.error ?? ''}`, tone: 'danger' };
    if (notServed(f)) return { name, percent: shown, text, note: notServedState(f)!, tone: 'danger' };
    if (f.refused) return { name, percent: shown, text, note: `held: ${f.refused}`, tone: 'warn' };
    if (f.status === 'unknown') return { name, percent: undefined, text, note: f.error ? `unknown: ${f.error}` : 'not read yet', tone: 'muted' };
    return { name, percent: shown, text, note: '', tone: 'ok' };
  });
}

/** A percentage as a bar of `width` cells: █ for the part that is on, ░ for the rest. */
export function percentBar(percent: number | undefined, width: number): string {
  if (width <= 0) return '';
  const on = percent === undefined ? 0 : Math.round((Math.max(0, Math.min(100, percent)) / 100) * width);
  return '█'.repeat(on) + '░'.repeat(width - on);
}

export type IncidentModel = {
  readonly active: boolean;
  /** Time since the incident began (the first breaching sample, or the rollback request), m:ss. */
  readonly timer?: string;
  /** The highest escalation level reached, and how many the runbook has. */
  readonly level?: number;
  readonly levels: number;
  /** "escalation L1/3" (level 1 of 3 reached), "escalation L0/3" (none yet). */
  readonly levelText: string;
  readonly lines: readonly { readonly text: string; readonly tone: Tone }[];
};

const levelTitle = (level: number, title: string): string => (/^level\s*\d/i.test(title) ? title : `L${level} ${title}`);

export function incidentModel(rb: Runbook, s: SessionState, now: number, live: boolean): IncidentModel {
  const g = s.guard;
  const levels = rb.escalation.length;
  if (s.rollback.status === 'idle') return { active: false, levels, levelText: 'no incident', lines: [{ text: 'no incident', tone: 'ok' }] };
  const start = g.incidentAt ?? s.rollback.startedAt ?? now;
  // the incident's clock stops when the rollback is verified (restored), else when the session ended
  const timer = formatClock(g.restoreMs ?? (s.endedT ?? now) - start);
  const reached = g.escalation.length ? Math.max(...g.escalation.map((x) => x.level)) : undefined;
  const levelText = reached === undefined ? (levels ? `escalation L0/${levels}` : 'no escalation levels') : `escalation L${reached}/${levels}`;
  const lines: { text: string; tone: Tone }[] = [];
  if (g.restoreMs !== undefined) lines.push({ text: `restored in ${formatClock(g.restoreMs)} (rollback verified)`, tone: 'ok' });
  if (g.resolved) lines.push({ text: 'resolved: escalation stopped', tone: 'ok' });
  if (s.rollback.reason) lines.push({ text: `why: ${s.rollback.reason}`, tone: 'muted' });
  for (const x of [...g.escalation].sort((a, b) => a.level - b.level)) {
    const word = x.status === 'done' ? ICON.passed : x.status === 'failed' ? `${ICON.failed} ${WORD.failed}${x.error ? `: ${x.error}` : ''}` : ICON.running;
    lines.push({ text: `${word} ${levelTitle(x.level, x.title)} (${x.action})`, tone: x.status === 'failed' ? 'danger' : x.status === 'done' ? 'warn' : 'running' });
  }
  const next = rb.escalation.find((l) => !g.escalation.some((x) => x.level === l.level));
  if (next && !g.resolved) {
    const due = start + next.afterMs - now;
    lines.push({ text: live ? `next ${levelTitle(next.level, next.title)} in ${formatClock(Math.max(0, due))}` : `not reached: ${levelTitle(next.level, next.title)} (the session ended)`, tone: 'muted' });
  }
  return { active: true, timer, level: reached, levels, levelText, lines };
}

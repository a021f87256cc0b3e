/** What the metrics, triggers and flags panes show, derived from the runbook and the session. */
import { decisionLines } from '../guard/decision.js';
import { describeTrigger, triggerLabel, unitsOf } from '../guard/describe.js';
import { bandOf } from '../metrics/bands.js';
import type { Runbook } from '../runbook/types.js';
import { formatClock } from '../runbook/duration.js';
import { nextStep, rampPlans } from '../flags/plan.js';
import { summaryLine } from '../flags/experiment.js';
import { currentStage, type SessionState } from '../session/reduce.js';
import { readingOf } from '../session/view/metric-reading.js';
import { noTriggersWhy, stageUnguarded } from '../runbook/coverage.js';
import type { FlagView } from './components/FlagsPane.js';
import { notServed, notServedState, shownPercent } from '../flags/served.js';
import type { SeriesView } from './components/MetricsPane.js';
import type { TriggerView } from './components/TriggersBar.js';
import { levelTitle } from './rows.js';
import { shadowStatus, wouldHaveFiredText } from '../guard/shadow.js';
import { baselineFromText } from '../guard/baseline.js';
import { heldFor, TRIGGER_WORD, triggerState } from '../session/view/trigger-state.js';

export function triggerViews(rb: Runbook, s: SessionState, now = s.now): TriggerView[] {
  const real = (rb.rollback?.triggers ?? []).map((t): TriggerView => {
    const label = triggerLabel(t, rb);
    const base = { id: t.id, label, short: t.kind === 'metric' ? t.metric : label, forMs: t.forMs };
    // one selector for the screen and the wallboard (session/view/trigger-state.ts)
    return { ...base, ...triggerState(s, t, now) };
  });
  return [...real, ...shadowViews(rb, s, now)];
}

/** The shadow triggers, as their machines and their shadow-fired events left them. */
function shadowViews(rb: Runbook, s: SessionState, now: number): TriggerView[] {
  return (rb.rollback?.shadows ?? []).map((t) => {
    const st = shadowStatus(s.guard, t.id);
    const label = triggerLabel(t, rb);
    const pendingMs = st.since !== undefined ? heldFor(st.since, t.forMs, now) : undefined;
    return { id: t.id, label, short: t.kind === 'metric' ? t.metric : label, forMs: t.forMs, state: st.state, pendingMs, shadow: true, note: wouldHaveFiredText(st) };
  });
}

/** Where the baseline of the drop/rise bands comes from ("base: 30m before 14:02"), for the metrics pane's title. */
export function baselineTitle(rb: Runbook, s: SessionState): string | undefined {
  const used = Object.values(rb.metrics?.series ?? {}).some((d) => d.dropWarnPct !== undefined || d.riseWarnPct !== undefined);
  const text = used ? baselineFromText(s.guard.baselineFrom) : undefined;
  return text && `base: ${text}`;
}

export function seriesViews(rb: Runbook, s: SessionState): SeriesView[] {
  return Object.entries(rb.metrics?.series ?? {}).map(([name, def]) => {
    const st = s.guard.series[name];
    const samples = st?.samples ?? [];
    const last = samples.length ? samples[samples.length - 1][1] : null;
    const value = last ?? undefined;
    const baseline = s.guard.baseline[name] ?? undefined;
    const reading = readingOf(st);
    const stale = reading !== 'fresh';
    const band = reading === 'waiting' ? 'waiting' : stale ? 'stale' : bandOf(def, value!, baseline);
    const thresholds = [
      def.warn !== undefined ? `warn ${def.warn}` : '',
      def.critical !== undefined ? `crit ${def.critical}` : '',
      def.dropWarnPct !== undefined ? (baseline !== undefined ? `base ${Number(baseline.toPrecision(3))}` : `drop ${def.dropWarnPct}%`) : '',
    ]
      .filter(Boolean)
      .join(' ');
    const values = samples.map(([, v]) => v ?? undefined);
    return {
      name,
      label: def.label ?? name.replace(/_/g, ' '),
      unit: def.unit ?? '',
      values,
      bands: values.map((v) => (v === undefined ? undefined : bandOf(def, v, baseline))),
      levels: { warn: def.warn, critical: def.critical, direction: def.direction },
      value,
      band,
      thresholds,
      error: stale && st?.error ? st.error : undefined,
    };
  });
}

export function flagViews(rb: Runbook, s: SessionState, ui: { flagIndex: number; proposal?: { flag: string; to: number } }, now = s.now): FlagView[] {
  return rampPlans(rb).map((plan, i) => {
    const f = s.flags[plan.flag] ?? { status: 'unknown' as const };
    const cur = f.percent;
    const marked = plan.steps.map((p) => (p === cur ? `[${p}]` : String(p))).join(' ');
    const ago = f.changedAt !== undefined ? ` · changed ${formatClock(now - f.changedAt)} ago` : '';
    let state = 'steady';
    let slot: FlagView['slot'] = 'metric.ok';
    if (f.status === 'unknown') [state, slot] = [f.error ? `unknown: ${f.error}` : 'not read yet', 'metric.stale'];
    else if (f.status === 'applying') [state, slot] = [`applying ${f.requested} %…`, 'stage.running'];
    else if (f.status === 'failed') [state, slot] = [`FAILED ${f.requested ?? ''} %: ${f.error ?? ''}`, 'stage.failed'];
    else if (notServed(f)) [state, slot] = [notServedState(f)!, 'stage.failed'];
    else if (f.refused) [state, slot] = [`held: ${f.refused}`, 'metric.warn'];
    else if (f.auto?.state === 'paused') [state, slot] = [`auto paused: ${f.auto.reason ?? ''}`, 'metric.warn'];
    else if (f.auto?.state === 'counting' && plan.holdMs !== undefined) state = `auto → ${nextStep(plan, cur) ?? '?'} % in ${formatClock(Math.max(0, plan.holdMs - (now - f.auto.since)))}`;
    const proposal = ui.proposal?.flag === plan.flag ? ui.proposal.to : undefined;
    const ab = Object.entries(s.experiments).find(([id]) => rb.experiments[id]?.flag === plan.flag);
    const experiment = ab?.[1].figures ? summaryLine(ab[1].figures) : undefined;
    return { name: plan.flag, percent: shownPercent(f), proposal, state, slot, plan: `${marked}${ago}`, selected: i === ui.flagIndex, experiment };
  });
}

/** The "why" of a trigger: condition, current value, the samples of its window. */
export function whyLines(rb: Runbook, s: SessionState, triggerId?: string): string[] {
  const units = unitsOf(rb);
  const shadows = new Set((rb.rollback?.shadows ?? []).map((t) => t.id));
  const triggers = [...(rb.rollback?.triggers ?? []), ...(rb.rollback?.shadows ?? [])];
  const list = triggerId ? triggers.filter((t) => t.id === triggerId) : triggers;
  const out: string[] = [];
  for (const t of list) {
    const sh = shadows.has(t.id) ? shadowStatus(s.guard, t.id) : undefined;
    const v = sh ? { status: sh.state === 'fired' || sh.state === 'pending' ? sh.state : 'idle', since: sh.since ?? s.guard.machines[t.id]?.state.pendingSince, noData: sh.state === 'nodata', reason: undefined, record: undefined } : s.guard.triggers[t.id];
    const status = v?.status === 'fired' ? TRIGGER_WORD.fired : v?.noData ? TRIGGER_WORD.nodata : v?.status === 'pending' ? TRIGGER_WORD.pending : s.guard.armed ? TRIGGER_WORD.idle : 'not armed';
    const shadowNote = sh ? ` (shadow: never rolls back${wouldHaveFiredText(sh) ? `; ${wouldHaveFiredText(sh)}` : ''})` : '';
    out.push(`${describeTrigger(t, units)} — ${sh && status === TRIGGER_WORD.fired ? 'WOULD HAVE FIRED' : status}${shadowNote}`);
    if (t.kind === 'metric') {
      const samples = s.guard.series[t.metric]?.samples ?? [];
      const last = samples[samples.length - 1];
      out.push(`  now: ${last ? (last[1] === null ? `no data (${s.guard.series[t.metric]?.error ?? 'missing'})` : `${last[1]} ${units[t.metric] ?? ''}`.trim()) : 'no sample yet'}`);
      if (v?.status === 'pending' || v?.status === 'fired') {
        const since = v.since ?? 0;
        const win = samples.filter(([at]) => at >= since);
        out.push(`  window: ${win.length} samples since +${Math.round(since / 1000)}s, ${Math.round((s.now - since) / 1000)}s of ${Math.round(t.forMs / 1000)}s`);
        out.push(`  samples: ${win.map(([, x]) => (x === null ? '∅' : String(Number(x.toPrecision(4))))).join(' ')}`);
      }
    } else {
      const names = t.probe === 'critical' ? rb.probes.filter((p) => p.critical).map((p) => p.name) : [t.probe];
      for (const n of names) {
        const r = s.guard.probes[n];
        out.push(`  ${n}: ${r ? (r.error ? `error: ${r.error}` : `HTTP ${r.status} in ${r.latencyMs} ms`) : 'not probed yet'}`);
      }
    }
    if (v?.record) out.push(...decisionLines(v.record).map((l, i) => `  ${i === 0 ? 'fired: ' : '       '}${l}`));
    else if (v?.reason) out.push(`  fired: ${v.reason}`);
  }
  return out;
}

/** Whether the screen's clock must tick (once a second) for something shown to count: a running stage, a pending trigger, an auto ramp, an escalation level still due, a flag's "changed 1:12 ago". */
export function clockTicks(s: SessionState, rb: Runbook): boolean {
  const escalating = s.rollback.status !== 'idle' && !s.guard.resolved && s.guard.escalation.length < rb.escalation.length;
  return (
    escalating ||
    Object.values(s.flags).some((f) => f.auto?.state === 'counting' || f.changedAt !== undefined) ||
    s.stages.some((x) => x.status === 'running') ||
    Object.values(s.guard.triggers).some((t) => t.status === 'pending') ||
    (rb.rollback?.shadows ?? []).some((t) => s.guard.machines[t.id]?.state.status === 'pending')
  );
}

/** The notice line when an escalation level is reached. */
export function escalationNotice(level: number, title: string, action: string): string {
  return `⚑ escalation ${levelTitle(level, title)}${action === 'reminder' ? ' (reminder: act on it now)' : ` (${action})`}`;
}

/** A standing warning when the runbook's rollback triggers are not armed (a Markdown runbook that does not say where its metrics or probes are). */
export function unarmedLine(unarmed: readonly string[] | undefined): string | undefined {
  if (!unarmed?.length) return undefined;
  return `⚠ AUTO-ROLLBACK OFF: ${unarmed.length === 1 ? '1 trigger needs' : `${unarmed.length} triggers need`} metrics or probes (cockpit validate)`;
}

/**
 * Why the release can run now with nothing armed (the header's AUTO-ROLLBACK OFF), or undefined:
 * a runbook with no armed trigger, from the start; the release environment's stage when it is not
 * armed and no monitor step arms the triggers at the moment. Not once the release has ended or
 * while a rollback runs.
 */
export function autoRollbackOff(rb: Runbook, s: SessionState): string | undefined {
  if (s.outcome !== undefined || s.rollback.status !== 'idle') return undefined;
  const none = noTriggersWhy(rb);
  if (none) return `${none}: only R rolls back`;
  const cur = currentStage(s);
  const def = cur && rb.stages.find((x) => x.id === cur.id);
  return def && !s.guard.armed ? stageUnguarded(rb, def) : undefined;
}

/** The notice line when a rollback's risk-register entry is written, or could not be. */
export function riskNotice(ok: boolean, target: string, error?: string): string {
  return ok ? `⚑ risk register: entry recorded (${target})` : `✗ RISK REGISTER FAILED (${target}): ${error ?? 'failed'}: record the rollback by hand`;
}

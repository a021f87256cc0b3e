/**
 * What the keys do, beyond one dispatch: rollback confirmation, selection, flag proposals, the
 * kill switch, experiment splits and conclusions. The keymap table (keymap.ts) points here.
 */
import type { Session } from '../session/session.js';
import type { SessionState } from '../session/reduce.js';
import { rollbackRefusal, skipTarget, tickRefusal } from '../session/intents.js';
import type { ChecklistRow } from './rows.js';
import { tickStepRefusal, waitingStep } from '../session/manual.js';
import { CONFIRM_GUARD_MS, type KeyContext } from './key-context.js';
import { topOverlay, type Overlay } from './ui-state.js';

/** The step `s` skips: the failed one, or the manual step the stage waits at (the engine's own rule, session/intents.ts). */
export function failedStep(s: SessionState): { stage: string; title: string } | undefined {
  return skipTarget(s);
}

export function guardPassed(c: KeyContext, openedAt: number): boolean {
  return !c.burst && c.now - openedAt >= CONFIRM_GUARD_MS && c.now - c.prevKeyAt >= CONFIRM_GUARD_MS;
}

export function rollbackOverlay(c: KeyContext): Extract<Overlay, { kind: 'rollback' }> | undefined {
  const o = topOverlay(c.ui);
  return o?.kind === 'rollback' ? o : undefined;
}

/** The stage whose confirm style applies to a rollback now. */
export function confirmStyle(c: { session: SessionState; controller: Session }): 'press-r' | 'type-name' {
  const rb = c.controller.runbook;
  const current = c.session.stages.find((x) => x.status === 'running' || x.status === 'failed' || x.status === 'interrupted') ?? [...c.session.stages].reverse().find((x) => x.status === 'passed');
  return rb.stages.find((s) => s.id === current?.id)?.confirm ?? 'press-r';
}

export function confirmRollback(c: KeyContext): void {
  const o = rollbackOverlay(c);
  if (!o) return;
  if (!guardPassed(c, o.openedAt)) {
    c.dispatch({ type: 'overlay-replaced', overlay: { ...o, ignored: o.ignored + 1 } });
    return;
  }
  // no frame between this R and the rollback's first step (the dialog closes right after it)
  c.holdFrames?.();
  c.dispatch({ type: 'overlay-closed' });
  const r = c.controller.rollback('manual rollback by the operator (R)', 'operator');
  if (!r.ok) c.notice(`rollback refused: ${r.reason}`);
  else c.dispatch({ type: 'selected', id: undefined });
}

export function openRollback(c: KeyContext): void {
  // a follower rolls nothing back: it says how to, from where
  if (c.controller.readOnly) return c.notice(c.controller.readOnly);
  const why = rollbackRefusal(c.session, c.controller.runbook);
  if (why) return c.notice(why);
  c.dispatch({ type: 'overlay-opened', overlay: { kind: 'rollback', openedAt: c.now, focus: 'cancel', typed: '', ignored: c.burst ? 1 : 0 } });
}

export function moveSelection(c: KeyContext, by: number): void {
  if (c.rows.length === 0) return;
  const idx = c.selectedRow ? c.rows.findIndex((r) => r.id === c.selectedRow!.id) : -1;
  const next = Math.max(0, Math.min(c.rows.length - 1, (idx < 0 ? 0 : idx) + by));
  c.dispatch({ type: 'selected', id: c.rows[next].id });
}

export function expOverlay(c: KeyContext): Extract<Overlay, { kind: 'experiment' }> {
  return topOverlay(c.ui) as Extract<Overlay, { kind: 'experiment' }>;
}

/** The leading variant: the best treatment when it beats the control, else the control. */
export function leader(c: { controller: KeyContext['controller'] }, id: string): string {
  const ex = c.controller.runbook.experiments[id];
  const f = c.controller.state.experiments[id]?.figures;
  const best = f?.comparisons.filter((x) => x.result).sort((a, b) => b.result!.lift - a.result!.lift)[0];
  return best?.result && best.result.lift > 0 ? best.variant : ex.variants[0];
}

export async function applySplit(c: KeyContext): Promise<void> {
  const o = expOverlay(c);
  const id = c.controller.experiments!.ids[o.index];
  const ex = c.controller.runbook.experiments[id];
  const splits = ex.splits ?? [10, 50, 90];
  const n = Number(c.key ?? '0') - 1;
  const to = splits[n];
  if (to === undefined) return c.notice(`no split ${n + 1} (splits: ${splits.map((p, i) => `${i + 1}: ${100 - p}/${p}`).join(', ')})`);
  const r = await c.controller.flags!.apply(ex.flag!, to, { by: 'operator' });
  c.notice(r.ok ? `${id}: split ${100 - r.percent}/${r.percent} (${r.says})` : `${id}: ${r.reason}`);
}

export async function conclude(c: KeyContext): Promise<void> {
  const o = expOverlay(c);
  if (!guardPassed(c, o.openedAt)) return c.notice('Enter came too fast after choosing: press it again to conclude');
  const id = c.controller.experiments!.ids[o.index];
  const decision = o.decision!;
  const winner = decision === 'kill' || decision === 'iterate' ? 'none' : leader(c, id);
  c.dispatch({ type: 'overlay-replaced', overlay: { ...o, decision: undefined } });
  const r = await c.controller.concludeExperiment(id, winner, decision);
  c.notice(r.ok ? `${id}: ${decision.toUpperCase()} recorded${winner !== 'none' ? ` (winner ${winner})` : ''}` : `${id}: ${r.reason}`);
}

export function flagsOf(c: KeyContext): string[] {
  return c.controller.flags?.plans.map((p) => p.flag) ?? [];
}

/** One proposal per press, always one step from the confirmed percentage: a held key never skips steps. */
export function propose(c: KeyContext, dir: 'up' | 'down'): void {
  const flag = flagsOf(c)[c.ui.flagIndex];
  const ramps = c.controller.flags!;
  if (ramps.isApplying(flag)) return c.notice(`${flag}: a change is applying, this press is ignored`);
  const t = ramps.target(flag, dir);
  if (typeof t === 'string') return c.notice(t);
  if (c.ui.proposal?.flag === flag && c.ui.proposal.to === t) return c.notice(`already proposing ${flag} → ${t} %: Enter applies, Esc drops it`);
  c.dispatch({ type: 'flag-proposed', proposal: { flag, to: t } });
  const cur = c.controller.state.flags[flag]?.percent;
  c.notice(`${flag}: ${cur === undefined ? '?' : cur} % → ${t} %  (Enter applies, Esc drops)`);
}

export async function applyProposal(c: KeyContext, forced: boolean): Promise<void> {
  const p = c.ui.proposal;
  if (!p) return;
  const ramps = c.controller.flags!;
  if (ramps.isApplying(p.flag)) return c.notice(`${p.flag}: a change is applying, this press is ignored`);
  c.dispatch({ type: 'flag-proposed', proposal: undefined });
  const r = await ramps.apply(p.flag, p.to, { forced, by: 'operator' });
  if (r.ok) c.notice(`${p.flag} is at ${r.percent} % (${r.says})${forced ? ' · FORCED' : ''}`);
  else if (r.refused) {
    c.dispatch({ type: 'flag-proposed', proposal: p });
    c.notice(`${p.flag} → ${p.to} % ${r.reason}: F forces it (type the name), Esc drops it`);
  } else c.notice(`${p.flag}: ${r.reason} (+ and Enter to retry)`);
}

export function confirmKill(c: KeyContext): void {
  const o = topOverlay(c.ui) as Extract<Overlay, { kind: 'flag-kill' }>;
  if (!guardPassed(c, o.openedAt)) {
    c.dispatch({ type: 'overlay-replaced', overlay: { ...o, ignored: o.ignored + 1 } });
    return;
  }
  c.dispatch({ type: 'overlay-closed' });
  void c.controller.flags!.apply(o.flag, 0, { by: 'operator' }).then((r) => c.notice(r.ok ? `${o.flag} is at ${r.percent} % (kill switch: ${r.says})` : `${o.flag}: ${r.reason}`));
}

export function scrollHelp(c: KeyContext, by: number): void {
  const o = topOverlay(c.ui) as Extract<Overlay, { kind: 'help' }>;
  c.dispatch({ type: 'overlay-replaced', overlay: { ...o, offset: Math.max(0, (o.offset ?? 0) + by) } });
}

export function moveEmergency(c: KeyContext, by: number): void {
  const o = topOverlay(c.ui) as Extract<Overlay, { kind: 'emergency' }>;
  const max = c.controller.runbook.emergency.length;
  c.dispatch({ type: 'overlay-replaced', overlay: { ...o, selected: Math.max(0, Math.min(max, o.selected + by)) } });
}

/** The next pre-flight manual item not ticked after `fromId` (from the top again when none is below), never `fromId` itself. */
export function nextUntickedManual(rows: readonly ChecklistRow[], fromId: string | undefined): ChecklistRow | undefined {
  const idx = rows.findIndex((r) => r.id === fromId);
  const open = (r: ChecklistRow) => r.kind === 'manual' && r.stageId === 'preflight' && !r.ticked && r.id !== fromId;
  return rows.slice(idx + 1).find(open) ?? rows.slice(0, Math.max(0, idx)).find(open);
}

/**
 * After a tick: the next manual item not yet ticked, so that the next space ticks it (never an
 * automated check, where space does nothing). None left: the selection follows the release again.
 */
export function moveToNextUnticked(c: KeyContext): void {
  c.dispatch({ type: 'selected', id: nextUntickedManual(c.rows, c.selectedRow?.id)?.id });
}

/** Space on an automated pre-flight check: the engine's refusal (tickRefusal) said, and the next manual item selected when there is one. */
export function spaceOnCheck(c: KeyContext): void {
  const row = c.selectedRow!;
  const next = nextUntickedManual(c.rows, row.id);
  // the notice line is one row: the engine's words when nothing is left to tick, a short form else
  if (!next) return c.notice(`${tickRefusal(c.session, row.stepId!) ?? `"${row.title}" is an automated check`}; nothing to tick`);
  c.dispatch({ type: 'selected', id: next.id });
  c.notice(`"${row.title}" is automated: selected "${next.title}", space ticks it`);
}

/** The manual step space ticks now (the engine's own rule, session/manual.ts): the one the release waits at, if it may be ticked. */
export function tickableStep(c: Pick<KeyContext, 'session'>): { stage: string; id: string; title: string } | undefined {
  const w = waitingStep(c.session);
  return w && tickStepRefusal(c.session, w.stage, w.step.id) === undefined ? { stage: w.stage, id: w.step.id, title: w.step.title } : undefined;
}

/** Space on a stage's waiting manual step ticks it; with another row selected, the first space selects it (no tick on a step not in view). */
export function tickWaitingStep(c: KeyContext): void {
  const t = tickableStep(c);
  if (!t) return;
  const rowId = `${t.stage}/${t.id}`;
  if (c.selectedRow?.id !== rowId) {
    c.dispatch({ type: 'selected', id: rowId });
    return c.notice(`"${t.title}" waits for you: space again ticks it`);
  }
  const r = c.controller.tickStep(t.stage, t.id);
  if (!r.ok) return c.notice(r.reason);
  c.dispatch({ type: 'selected', id: undefined }); // follow the release again
}

/** `d` on the main screen: the selected flag's deploy (its code with the flag off), told in the notice line. */
export async function deploySelectedFlag(c: KeyContext): Promise<void> {
  const flag = flagsOf(c)[c.ui.flagIndex];
  if (flag === undefined) return;
  c.notice(`deploying ${flag} with the flag off…`);
  const r = await c.controller.deployFlag(flag);
  c.notice(r.ok ? `${flag} deployed with the flag off: + ramps it up` : r.reason);
}

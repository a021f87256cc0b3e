/**
 * q and Ctrl+C on the screen: they ask the one leave policy (session/leave-policy.ts) and do what
 * it says; the leave dialog's three choices (roll back / keep guarding in the background / leave
 * unguarded) are carried out here.
 */
import { AGAIN_WORDS, countsAsAgain, leaveDecision, leaveFacts, repeatOf, UNGUARDED_WORD, type LeaveDecision, type LeaveFacts, type LeaveRequest } from '../session/leave-policy.js';
import { guardPassed, openRollback } from './key-actions.js';
import type { KeyContext } from './key-context.js';
import { topOverlay, type Overlay } from './ui-state.js';

/** The facts the policy decides on, as the screen knows them (session/leave-policy.ts builds them). */
export function screenFacts(c: KeyContext, sinceLastMs?: number): LeaveFacts {
  const noHandOver = c.handOver ? undefined : (c.noHandOver ?? 'no background guard can take this session over here');
  return leaveFacts(c.controller, 'screen', { sinceLastMs, noHandOver });
}

/** q or Ctrl+C pressed: the policy's decision, carried out. */
export function requestLeave(c: KeyContext, req: Extract<LeaveRequest, 'q' | 'ctrl-c'>): void {
  const repeat = repeatOf(req, c.ui.ctrlCAt, c.now);
  if (countsAsAgain(req)) c.dispatch({ type: 'ctrl-c', at: c.now });
  const facts = screenFacts(c, repeat.sinceLastMs);
  carryOut(c, req, leaveDecision(req, c.session, c.controller.runbook, facts), facts);
}

function carryOut(c: KeyContext, req: LeaveRequest, d: LeaveDecision, f: LeaveFacts): void {
  switch (d.do) {
    case 'leave':
      c.controller.quit();
      return c.exit();
    case 'ask-quit':
      return c.dispatch({ type: 'overlay-opened', overlay: { kind: 'quit', escalation: f.escalationDue } });
    case 'ask-interrupt':
      return c.dispatch({ type: 'overlay-opened', overlay: { kind: 'interrupt', openedAt: c.now } });
    case 'ask-guarded':
      return c.dispatch({ type: 'overlay-opened', overlay: { kind: 'leave', openedAt: c.now, watching: d.watching, noHandOver: d.noHandOver, typing: false, typed: '' } });
    case 'interrupt-and-leave':
      return void c.controller.interrupt().then(c.exit);
    case 'rollback-goes-on':
      return c.notice(
        req === 'q'
          ? 'the rollback is running (it is what stops the bleeding): q leaves once it has ended; Ctrl+C twice within 2 s abandons it, the incident is opened anyway'
          : `the rollback goes on (it is what stops the bleeding): Ctrl+C ${AGAIN_WORDS} abandons it, the incident is opened anyway`,
      );
    case 'abandon-rollback':
      c.controller.abandonRollback();
      c.notice('abandoning the rollback: its running step is interrupted; the incident is opened anyway, then cockpit leaves');
      return void c.controller.settled.then(() => c.exit());
    case 'abandoning':
      return c.notice('the rollback is abandoned: its incident step runs, then cockpit leaves');
    default:
      // hand-over, leave-unguarded …: the answers to signals (screen-signals.ts), not to keys
      return undefined;
  }
}

function leaveOverlay(c: KeyContext): Extract<Overlay, { kind: 'leave' }> {
  return topOverlay(c.ui) as Extract<Overlay, { kind: 'leave' }>;
}

/** R in the leave dialog: the rollback dialog in its place (its own confirmation rules apply). */
export function leaveByRollback(c: KeyContext): void {
  c.dispatch({ type: 'overlay-closed' });
  openRollback(c);
}

/** b: a background guard takes the session over; this screen leaves. */
export function leaveToBackground(c: KeyContext): void {
  const o = leaveOverlay(c);
  if (!c.handOver || o.noHandOver !== undefined) return c.notice(`no background guard: ${o.noHandOver ?? 'not available here'}`);
  const why = c.handOver(o.watching);
  if (why !== undefined) return c.dispatch({ type: 'overlay-replaced', overlay: { ...o, error: why } });
  c.exit();
}

/** u: asks for the typed word. */
export function startUnguarded(c: KeyContext): void {
  c.dispatch({ type: 'overlay-replaced', overlay: { ...leaveOverlay(c), typing: true, typed: '', openedAt: c.now } });
}

/** Enter while typing: the word typed (and not in a burst) leaves unguarded, journalled. */
export function confirmUnguarded(c: KeyContext): void {
  const o = leaveOverlay(c);
  if (o.typed !== UNGUARDED_WORD) return c.dispatch({ type: 'overlay-replaced', overlay: { ...o, error: `type ${UNGUARDED_WORD} (got "${o.typed}")` } });
  if (!guardPassed(c, o.openedAt)) return c.notice('Enter came too fast after typing: press Enter again to leave unguarded');
  c.dispatch({ type: 'overlay-closed' });
  c.controller.record({ type: 'guard.left-unguarded', by: 'operator', watching: o.watching });
  if (c.controller.busy) return void c.controller.interrupt().then(c.exit);
  c.controller.quit();
  c.exit();
}

/** y in the quit dialog: leaves as asked, unless the guardrails started watching (or a rollback started) meanwhile. */
export function confirmQuit(c: KeyContext): void {
  const facts = screenFacts(c);
  const d = leaveDecision('q', c.session, c.controller.runbook, facts);
  if (d.do !== 'ask-quit' && d.do !== 'leave') {
    c.dispatch({ type: 'overlay-closed' });
    return carryOut(c, 'q', d, facts);
  }
  if (c.controller.busy) return void c.controller.interrupt().then(c.exit);
  c.controller.quit();
  c.exit();
}

/**
 * Ctrl+C, q and the quit, interrupt and leave dialogs: each asks the one leave policy
 * (session/leave-policy.ts) through leave-actions.ts; none decides itself.
 */
import { confirmQuit, confirmUnguarded, leaveByRollback, leaveToBackground, requestLeave, startUnguarded } from '../leave-actions.js';
import { always, type Binding, type KeyContext } from '../key-context.js';
import { topOverlay, type Overlay } from '../ui-state.js';
import { UNGUARDED_WORD } from '../../session/leave-policy.js';

const leaving = (c: KeyContext) => topOverlay(c.ui) as Extract<Overlay, { kind: 'leave' }>;

/** Ctrl+C, everywhere. */
export const INTERRUPT_KEY: Binding = {
  scope: 'global',
  keys: ['ctrl+c'],
  label: 'interrupt',
  description: 'Interrupt the running step (asks first); again within 2 s leaves (guarded: asks how; rollback: abandons it)',
  whenText: 'always',
  when: always,
  followerSafe: true,
  showInBar: false,
  run: (c) => requestLeave(c, 'ctrl-c'),
};

/** q on the main screen. */
export const QUIT_KEY: Binding = {
  scope: 'main',
  keys: ['q'],
  label: 'quit',
  description: 'Quit; asks first while anything runs, an escalation level is due, or the guardrails watch',
  whenText: 'always',
  when: always,
  followerSafe: true,
  showInBar: true,
  run: (c) => requestLeave(c, 'q'),
};

/** The quit and interrupt confirmations, and the leave dialog while the guardrails watch. */
export const LEAVE_KEYS: readonly Binding[] = [
  {
    scope: 'quit',
    keys: ['y'],
    label: 'quit',
    description: 'Quit: interrupts what runs (its process group) and leaves; escalation levels still due do not run',
    whenText: 'quit confirmation',
    when: always,
    followerSafe: true,
    showInBar: true,
    run: confirmQuit,
  },
  { scope: 'quit', keys: ['n', 'escape'], label: 'stay', description: 'Stay', whenText: 'quit confirmation', when: always, followerSafe: true, showInBar: true, run: (c) => c.dispatch({ type: 'overlay-closed' }) },
  {
    scope: 'interrupt',
    keys: ['y', 'enter'],
    label: 'interrupt',
    description: 'Interrupt the running step: SIGTERM to its process group, SIGKILL after the grace period',
    whenText: 'interrupt confirmation',
    when: always,
    followerSafe: true,
    showInBar: true,
    run: (c) => {
      c.dispatch({ type: 'overlay-closed' });
      void c.controller.interruptStep();
    },
  },
  { scope: 'interrupt', keys: ['n', 'escape'], label: 'keep running', description: 'Keep the step running', whenText: 'interrupt confirmation', when: always, followerSafe: false, showInBar: true, run: (c) => c.dispatch({ type: 'overlay-closed' }) },
  // ── leaving while the guardrails watch production (session/leave-policy.ts) ──
  { scope: 'leave', keys: ['R'], label: 'roll back', description: 'Roll back: the rollback dialog, confirmed as everywhere', whenText: 'leave dialog', when: always, followerSafe: false, showInBar: true, run: leaveByRollback },
  { scope: 'leave', keys: ['b'], label: 'keep guarding', description: 'Keep guarding: a background cockpit takes over and rolls back on its own; this screen leaves', whenText: 'leave dialog', when: (c) => !leaving(c).typing, followerSafe: false, showInBar: true, run: leaveToBackground },
  { scope: 'leave', keys: ['u'], label: 'leave unguarded', description: `Leave unguarded: type ${UNGUARDED_WORD} and Enter (journalled); nothing rolls back on its own`, whenText: 'leave dialog', when: (c) => !leaving(c).typing, followerSafe: false, showInBar: true, run: startUnguarded },
  { scope: 'leave', keys: ['enter'], label: 'leave unguarded', description: `Leave unguarded once ${UNGUARDED_WORD} is typed (ignored within 300 ms of the previous key)`, whenText: 'leave dialog, typing', when: (c) => leaving(c).typing, followerSafe: false, showInBar: true, run: confirmUnguarded },
  { scope: 'leave', keys: ['escape', 'n'], label: 'stay', description: 'Stay: the guardrails keep watching', whenText: 'leave dialog', when: (c) => !leaving(c).typing || c.key === 'escape', followerSafe: true, showInBar: true, run: (c) => c.dispatch({ type: 'overlay-closed' }) },
];

/** R, everywhere, and the rollback dialog's keys (the keymap table: keys/table.ts). */
import { confirmRollback, confirmStyle, openRollback, rollbackOverlay } from '../key-actions.js';
import { always, type Binding } from '../key-context.js';

/** R rolls back from every screen, on top of every overlay; it asks the engine (rollbackRefusal) when pressed. */
export const ROLLBACK_KEY: Binding = {
  scope: 'global',
  keys: ['R'],
  label: 'rollback',
  description: 'Roll back: opens a dialog naming what will run, focused on Cancel; a second R confirms',
  whenText: 'always, on top of every overlay',
  when: always,
  followerSafe: true,
  showInBar: true,
  run: openRollback,
};

export const ROLLBACK_KEYS: readonly Binding[] = [
  { scope: 'rollback', keys: ['R'], label: 'confirm', description: 'Confirm the rollback (press-R style; ignored within 300 ms of opening or of the previous key)', whenText: 'rollback dialog, press-R style', when: (c) => confirmStyle(c) === 'press-r', followerSafe: false, showInBar: true, run: confirmRollback },
  {
    scope: 'rollback',
    keys: ['tab', 'left', 'right'],
    label: 'focus',
    description: 'Move between Cancel and Roll back',
    whenText: 'rollback dialog',
    when: always,
    followerSafe: true,
    showInBar: false,
    run: (c) => {
      const o = rollbackOverlay(c)!;
      c.dispatch({ type: 'overlay-replaced', overlay: { ...o, focus: o.focus === 'cancel' ? 'confirm' : 'cancel' } });
    },
  },
  {
    scope: 'rollback',
    keys: ['enter'],
    label: 'choose',
    description: 'Activate the focused button (Cancel by default); type-name style: confirm when the typed name matches',
    whenText: 'rollback dialog',
    when: always,
    followerSafe: false,
    showInBar: true,
    run: (c) => {
      const o = rollbackOverlay(c)!;
      if (confirmStyle(c) === 'type-name') {
        if (o.typed === c.session.environment) confirmRollback(c);
        else c.dispatch({ type: 'overlay-replaced', overlay: { ...o, ignored: o.ignored } });
        return;
      }
      if (o.focus === 'cancel') c.dispatch({ type: 'overlay-closed' });
      else confirmRollback(c);
    },
  },
  { scope: 'rollback', keys: ['escape'], label: 'cancel', description: 'Cancel: close the dialog (Esc never confirms anything)', whenText: 'rollback dialog', when: always, followerSafe: false, showInBar: true, run: (c) => c.dispatch({ type: 'overlay-closed' }) },
];

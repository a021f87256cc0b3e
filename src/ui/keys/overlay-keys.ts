/** The views' keys: the experiment view, why, the emergency reference (the keymap table: keys/table.ts). */
import { applySplit, conclude, expOverlay, moveEmergency, openRollback } from '../key-actions.js';
import { always, type Binding } from '../key-context.js';
import { topOverlay, type Overlay } from '../ui-state.js';

export const EXPERIMENT_KEYS: readonly Binding[] = [
  { scope: 'experiment', keys: ['escape'], label: 'close', description: 'Close the experiment view (drops a pending decision)', whenText: 'experiment view', when: always, followerSafe: true, showInBar: true, run: (c) => c.dispatch({ type: 'overlay-closed' }) },
  { scope: 'experiment', keys: ['tab'], label: 'next', description: 'The next experiment', whenText: 'experiment view, several experiments', when: (c) => (c.controller.experiments?.ids.length ?? 0) > 1, followerSafe: true, showInBar: false, run: (c) => { const o = expOverlay(c); c.dispatch({ type: 'overlay-replaced', overlay: { ...o, index: (o.index + 1) % c.controller.experiments!.ids.length, decision: undefined } }); } },
  {
    scope: 'experiment',
    keys: ['d'],
    label: 'deploy variants',
    description: 'Run the experiment\'s deploy command (both variants)',
    whenText: 'experiment view',
    when: always,
    followerSafe: false,
    showInBar: true,
    run: (c) => {
      const id = c.controller.experiments!.ids[expOverlay(c).index];
      const r = c.controller.deployExperiment(id);
      c.notice(r.ok ? `deploying ${id} variants` : r.reason);
    },
  },
  {
    scope: 'experiment',
    keys: ['1', '2', '3', '4', '5', '6', '7', '8', '9'],
    label: 'split',
    description: 'Apply traffic split N of the experiment (through its flag; a bigger share is guarded like a ramp)',
    whenText: 'experiment view, the experiment has a flag',
    when: (c) => c.controller.runbook.experiments[c.controller.experiments!.ids[expOverlay(c).index]]?.flag !== undefined,
    followerSafe: false,
    showInBar: true,
    run: (c) => void applySplit(c),
  },
  ...(['keep', 'kill', 'iterate', 'scale'] as const).map(
    (decision): Binding => ({
      scope: 'experiment',
      keys: [decision === 'kill' ? 'x' : decision[0]],
      label: decision,
      description: `Conclude: ${decision.toUpperCase()}${decision === 'keep' || decision === 'scale' ? ' the leading variant' : ''} (Enter confirms; recorded with the figures)`,
      whenText: 'experiment view',
      when: always,
      followerSafe: false,
      showInBar: true,
      run: (c) => c.dispatch({ type: 'overlay-replaced', overlay: { ...expOverlay(c), decision, openedAt: c.now } }),
    }),
  ),
  {
    scope: 'experiment',
    keys: ['enter'],
    label: 'confirm',
    description: 'Confirm the chosen decision: the conclude command runs with {winner} and {decision}',
    whenText: 'experiment view, a decision chosen',
    when: (c) => expOverlay(c).decision !== undefined,
    followerSafe: false,
    showInBar: true,
    run: (c) => void conclude(c),
  },
];

export const WHY_KEYS: readonly Binding[] = [
  { scope: 'why', keys: ['escape', 'w', 'q'], label: 'close', description: 'Close the why view', whenText: 'why overlay', when: always, followerSafe: true, showInBar: true, run: (c) => c.dispatch({ type: 'overlay-closed' }) },
];

export const EMERGENCY_KEYS: readonly Binding[] = [
  { scope: 'emergency', keys: ['up'], label: 'select', description: 'Select the previous action', whenText: 'emergency overlay', when: always, followerSafe: true, showInBar: false, run: (c) => moveEmergency(c, -1) },
  { scope: 'emergency', keys: ['down'], label: 'select', description: 'Select the next action', whenText: 'emergency overlay', when: always, followerSafe: true, showInBar: false, run: (c) => moveEmergency(c, 1) },
  {
    scope: 'emergency',
    keys: ['enter'],
    label: 'run',
    description: 'Run the selected action (a rollback opens the rollback dialog)',
    whenText: 'emergency overlay',
    when: always,
    followerSafe: false,
    showInBar: true,
    run: (c) => {
      const o = topOverlay(c.ui) as Extract<Overlay, { kind: 'emergency' }>;
      if (o.selected === 0) {
        c.dispatch({ type: 'overlay-closed' });
        openRollback(c);
        return;
      }
      const action = c.controller.runbook.emergency[o.selected - 1];
      if (!action) return;
      const r = c.controller.runEmergency(action.id);
      c.notice(r.ok ? `running ${action.title}` : r.reason);
      if (r.ok) {
        c.dispatch({ type: 'overlay-closed' });
        c.dispatch({ type: 'selected', id: `emergency/${action.id}` });
      }
    },
  },
  { scope: 'emergency', keys: ['escape', 'e'], label: 'close', description: 'Close the emergency reference', whenText: 'emergency overlay', when: always, followerSafe: true, showInBar: true, run: (c) => c.dispatch({ type: 'overlay-closed' }) },
];

/** Draws the open overlays, innermost last (on top). */
import type { Session } from '../../session/session.js';
import type { SessionState } from '../../session/reduce.js';
import { confirmStyle, failedStep } from '../keymap.js';
import type { UiState } from '../ui-state.js';
import { EmergencyOverlay } from './EmergencyOverlay.js';
import { ExperimentOverlay } from './ExperimentOverlay.js';
import { Dialog } from './Dialog.js';
import { whyLines } from '../view-model.js';
import { guardWatching } from '../../session/leave-policy.js';
import { HelpOverlay } from './HelpOverlay.js';
import { RollbackDialog } from './RollbackDialog.js';
import { FlagForceDialog, FlagKillDialog, InterruptDialog, LeaveDialog, QuitDialog, SkipDialog, UnguardedDialog } from './SimpleDialogs.js';
import { SELF_TEST_ID } from '../../session/self-test.js';

type Props = {
  readonly ui: UiState;
  readonly session: SessionState;
  readonly controller: Session;
  readonly screenWidth: number;
  readonly screenHeight: number;
  readonly now: number;
  /** Rows above the bottom the help leaves uncovered: the triggers line (a PENDING trigger stays in view). */
  readonly keepClear?: number;
};

function runningTitle(s: SessionState): string {
  for (const st of [s.preflight, ...s.stages]) {
    const r = st.steps.find((x) => x.status === 'running' || x.status === 'waiting');
    if (r) return r.status === 'waiting' ? `${r.title} (waiting for its tick)` : r.title;
  }
  return s.rollback.steps.find((x) => x.status === 'running')?.title ?? 'a step';
}

export function Overlays({ ui, session, controller, screenWidth, screenHeight, now, keepClear = 0 }: Props) {
  const size = { screenWidth, screenHeight };
  return (
    <>
      {ui.overlays.map((o) => {
        switch (o.kind) {
          case 'help':
            return <HelpOverlay key="help" offset={o.offset} screenWidth={screenWidth} screenHeight={screenHeight - keepClear} />;
          case 'why':
            return <Dialog key="why" title="Why (w or Esc closes)" lines={whyLines(controller.runbook, session)} width={Math.min(110, screenWidth - 4)} {...size} />;
          case 'emergency':
            return <EmergencyOverlay key="emergency" overlay={o} runbook={controller.runbook} session={session} {...size} />;
          case 'rollback':
            return <RollbackDialog key="rollback" overlay={o} runbook={controller.runbook} session={session} style={confirmStyle({ session, controller })} {...size} />;
          case 'skip':
            return <SkipDialog key="skip" overlay={o} step={failedStep(session)?.title ?? 'the failed step'} {...size} />;
          case 'quit':
            return <QuitDialog key="quit" running={controller.busy ? runningTitle(session) : undefined} escalation={o.escalation && { level: o.escalation.level, dueInMs: o.escalation.dueAt - now }} {...size} />;
          case 'experiment':
            return <ExperimentOverlay key="experiment" overlay={o} controller={controller} session={session} {...size} />;
          case 'flag-kill':
            return <FlagKillDialog key="flag-kill" overlay={o} percent={session.flags[o.flag]?.percent} {...size} />;
          case 'flag-force':
            return <FlagForceDialog key="flag-force" overlay={o} reason={session.flags[o.flag]?.refused} {...size} />;
          case 'interrupt':
            return <InterruptDialog key="interrupt" running={runningTitle(session)} guarded={guardWatching(session, controller.runbook) !== undefined} {...size} />;
          case 'unguarded':
            return <UnguardedDialog key="unguarded" overlay={o} reason={session.preflight.steps.find((x) => x.id === SELF_TEST_ID)?.reason} {...size} />;
          case 'leave':
            return <LeaveDialog key="leave" overlay={o} environment={session.environment} {...size} />;
        }
      })}
    </>
  );
}

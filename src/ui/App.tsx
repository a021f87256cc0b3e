/** The cockpit screen: header, stage strip, checklist + output, metrics + flags, triggers, hints. */
import type { SessionState } from '../session/reduce.js';
import { Box, Text, useApp } from 'ink';
import { useReducer, useRef } from 'react';
import type { Session } from '../session/session.js';
import { Checklist } from './components/Checklist.js';
import { FlagsPane } from './components/FlagsPane.js';
import { Header } from './components/Header.js';
import { HintBar } from './components/HintBar.js';
import { MetricsPane, metricsColumns } from './components/MetricsPane.js';
import { NoticeLine } from './components/NoticeLine.js';
import { OutputPane } from './components/OutputPane.js';
import { StageStrip } from './components/StageStrip.js';
import { TriggersBar } from './components/TriggersBar.js';
import { useKeys } from './hooks/use-keys.js';
import { useNow } from './hooks/use-now.js';
import { useOutputVersion } from './hooks/use-output.js';
import { useSession } from './hooks/use-session.js';
import { useTerminalSize } from './hooks/use-terminal-size.js';
import { hints, type KeyContext } from './keymap.js';
import { layout, tooSmall } from './layout.js';
import type { OutputStore } from './output-store.js';
import { Overlays } from './overlays/Overlays.js';
import { autoSelected, buildRows, selectable } from './rows.js';
import { initialUi, uiReduce, type UiAction } from './ui-state.js';
import { autoRollbackOff, baselineTitle, clockTicks, flagViews, seriesViews, triggerViews, unarmedLine } from './view-model.js';
import { monitorWatchesNothing } from '../runbook/coverage.js';
import { ROLLBACK_HOLD_MS, useFrameHold } from './hooks/use-frame-hold.js';
import { useDriverGone } from './hooks/use-driver-gone.js';
import { useNotice } from './hooks/use-notice.js';
import { useLeaveExpiry } from './hooks/use-leave-expiry.js';
import { placeholderFor } from './placeholder.js';

export type AppProps = {
  readonly controller: Session;
  readonly store: OutputStore;
  /** Wall-clock milliseconds for key timing (the burst guard); tests pass their own. */
  readonly keyClock?: () => number;
  readonly size?: { columns: number; rows: number };
  readonly story?: string;
  readonly onExit?: () => void;
  /** Hands the session to a background guard (run-tui.tsx); absent where none can take over. */
  readonly handOver?: (watching: string) => string | undefined;
  /** Why none can (the demo): said in the leave dialog. */
  readonly noHandOver?: string;
};

export function App({ controller, store, keyClock = () => performance.now(), size, story, onExit, handOver, noHandOver }: AppProps) {
  const app = useApp();
  const hold = useFrameHold(controller);
  const session = useSession(controller, hold);
  const driverGone = useDriverGone(controller);
  useOutputVersion(store, hold);
  const [ui, uiDispatch] = useReducer(uiReduce, initialUi);
  const dispatch = (a: UiAction): void => hold.run(() => uiDispatch(a));
  const { columns, rows } = useTerminalSize(size);
  const ticking = useNow(controller, controller.busy || clockTicks(session, controller.runbook), hold);
  // a follower whose driver is gone knows nothing after that: every clock on it stops there
  const stoppedAt = driverGone !== undefined ? (controller.goneAt ?? session.now) : undefined;
  const now = stoppedAt === undefined ? ticking : Math.min(ticking, stoppedAt);
  const rb = controller.runbook;
  const checklist = buildRows(session, controller.runbook.escalation, monitorWatchesNothing(rb));
  const off = autoRollbackOff(rb, session);
  const sel = selectable(checklist);
  const selectedRow = (ui.selected && sel.find((r) => r.id === ui.selected)) || autoSelected(session, checklist);
  const lines = selectedRow?.step ? store.lines(selectedRow.id, selectedRow.step.logPath) : [];
  const live = store.live(selectedRow?.step?.status === 'running' ? selectedRow.step.logPath : undefined);
  const series = seriesViews(rb, session);
  const flags = flagViews(rb, session, ui, now);
  const triggers = triggerViews(rb, session, now);
  const metricsEmpty = rb.unarmed?.length ? 'no metrics source yet: the front matter says where the metrics are (cockpit validate)' : undefined;
  const l = layout(columns, rows, { series: series.length, flags: flags.length + flags.filter((f) => f.experiment).length, triggers: triggers.length, metricsColumns: metricsColumns(series, metricsEmpty) });
  const showNotice = useNotice(controller, dispatch, keyClock);
  useLeaveExpiry(session, rb, ui, dispatch, showNotice);
  /** When the last key came (the burst guard's "right after typing"): a ref, not state, so a key that changes nothing draws nothing. */
  const lastKeyAt = useRef(-Infinity);

  const ctx = (): Omit<KeyContext, 'burst'> => ({
    session: controller.state,
    ui,
    controller,
    rows: sel,
    selectedRow,
    outputMax: Math.max(0, lines.length - (l.mainHeight - 2)),
    page: Math.max(1, l.mainHeight - 3),
    now: keyClock(),
    prevKeyAt: lastKeyAt.current,
    keyPressed: (at) => {
      lastKeyAt.current = at;
    },
    dispatch,
    notice: showNotice,
    exit: () => {
      onExit?.();
      app.exit();
    },
    holdFrames: () => hold.hold(ROLLBACK_HOLD_MS),
    ...(handOver ? { handOver } : {}),
    noHandOver,
  });
  useKeys(ctx);

  const small = tooSmall(columns, rows);
  if (small) return <TooSmall why={small} />;
  const c = ctx();
  return (
    <Box flexDirection="column" width={l.width} height={l.height}>
      <Header session={session} now={now} waiting={controller.readOnly ? !stepRunning(session) : !controller.busy} width={l.width} watching={controller.readOnly !== undefined} driverGone={stoppedAt !== undefined} autoRollbackOff={off !== undefined} />
      <StageStrip session={session} width={l.width} />
      <Box height={l.mainHeight}>
        {/* no spinner under a dialog: the rollback's R (in its dialog) holds the frames, a spinner's tick would draw one */}
        <Checklist rows={checklist} selectedId={selectedRow?.id} now={now} width={l.checklistWidth} height={l.mainHeight} focused={ui.focus === 'checklist'} spin={ui.overlays.length === 0} readOnly={controller.readOnly !== undefined} />
        <OutputPane row={selectedRow} lines={lines} live={live} follow={ui.follow} scroll={ui.scroll} now={now} width={l.outputWidth} height={l.mainHeight} focused={ui.focus === 'output'} placeholder={placeholderFor(session, controller, selectedRow)} />
      </Box>
      {l.guardHeight > 0 ? (
        <Box height={l.guardHeight}>
          <MetricsPane series={series} width={l.metricsWidth} height={l.guardHeight} empty={metricsEmpty} baseline={baselineTitle(rb, session)} />
          {l.flagsWidth > 0 ? <FlagsPane flags={flags} width={l.flagsWidth} height={l.guardHeight} focused={ui.focus === 'flags'} /> : null}
        </Box>
      ) : null}
      {l.showTriggers ? <TriggersBar triggers={triggers} width={l.width} /> : null}
      <NoticeLine text={ui.notice?.text ?? driverGone ?? controller.link ?? story ?? unarmedLine(rb.unarmed) ?? (off && `⚠ AUTO-ROLLBACK OFF: ${off}`)} width={l.width} />
      <HintBar hints={hints({ ...c, session, burst: false })} width={l.width} />
      <Overlays ui={ui} session={session} controller={controller} screenWidth={l.width} screenHeight={l.height} now={now} keepClear={l.showTriggers ? 2 : 0} />
    </Box>
  );
}

/** Below the smallest size: what is wrong, and that R and q still act. */
function TooSmall({ why }: { readonly why: string }) {
  return (
    <Box flexDirection="column">
      <Text>{`cockpit: ${why}`}</Text>
      <Text>Enlarge the window. R still rolls back; q quits.</Text>
    </Box>
  );
}

/** A follower's "is anything running": read from the state (nothing of its own runs). */
function stepRunning(s: SessionState): boolean {
  return s.preflight.steps.some((x) => x.status === 'running') || s.stages.some((st) => st.status === 'running' && st.steps.some((x) => x.status === 'running'));
}

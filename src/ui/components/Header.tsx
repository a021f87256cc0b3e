/** The top line: runbook, version → environment, the current stage with elapsed / budget, state, R ROLLBACK. */
import { Box, Text } from 'ink';
import { formatClock } from '../../runbook/duration.js';
import type { SessionState } from '../../session/reduce.js';
import { currentStage } from '../../session/reduce.js';
import { stoppedWord } from '../../session/view/phase-words.js';
import { ICON, stateWord } from '../status.js';
import { S } from './S.js';

type Props = {
  readonly session: SessionState;
  readonly now: number;
  readonly waiting: boolean;
  readonly width: number;
  readonly speed?: string;
  readonly watching?: boolean;
  /** A follower whose session no cockpit drives any more: it says STOPPED (or HANDED OVER), not RUNNING. Its clock is `now`, which App stops where the driver went. */
  readonly driverGone?: boolean;
  /** The release can run now with nothing armed (view-model autoRollbackOff): the badge shows. */
  readonly autoRollbackOff?: boolean;
};

export function Header({ session: s, now, waiting, width, watching, driverGone, autoRollbackOff }: Props) {
  const stage = s.phase === 'rolling-back' || s.phase === 'rolled-back' || s.phase === 'rollback-failed' ? undefined : currentStage(s);
  const running = stage?.status === 'running' || stage?.status === 'failed';
  const elapsed = stage?.startedAt !== undefined ? (stage.endedAt ?? (stage.status === 'running' ? now : s.now)) - stage.startedAt : 0;
  const over = stage?.overBudget || (stage?.budgetMs !== undefined && running && elapsed > stage.budgetMs);
  const left = ` cockpit${watching ? ' watch (read-only)' : ''} · ${s.runbook} ${s.version} → ${s.environment}`;
  const stopped = driverGone ? stoppedWord(s) : undefined;
  const { word, slot } = stopped ? { word: stopped, slot: 'stage.failed' as const } : stateWord(s, waiting);
  return (
    <Box width={width} justifyContent="space-between">
      <Box flexShrink={1} paddingRight={1}>
        <S slot="title" wrap="truncate-end">
          {left}
        </S>
      </Box>
      <Box flexShrink={0} gap={2}>
        {stage && running ? (
          <Text>
            <S slot={stage.status === 'failed' ? 'stage.failed' : 'stage.running'}>{`${stage.status === 'failed' ? ICON.failed : ICON.running} ${stage.title.toUpperCase()}`}</S>
            {`  ${formatClock(elapsed)}${stage.budgetMs !== undefined ? ` / ${formatClock(stage.budgetMs)}` : ''}`}
            {over ? <S slot="metric.warn">{' ⚠ OVER BUDGET'}</S> : null}
          </Text>
        ) : null}
        {autoRollbackOff ? <S slot="metric.warn">⚠ AUTO-ROLLBACK OFF</S> : null}
        {s.unguarded ? <S slot="stage.failed">{'⚠ UNGUARDED'}</S> : null}
        {s.leaseLost ? <S slot="stage.failed">{'⚠ LEASE LOST'}</S> : null}
        <S slot={slot}>{word}</S>
        <S slot="rollback.badge">{' R ROLLBACK '}</S>
      </Box>
    </Box>
  );
}

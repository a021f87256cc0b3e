/** Each rollback trigger: idle / PENDING m:ss of m:ss / FIRED / NO DATA (· HOLD fails in m:ss). */
import { Box, Text } from 'ink';
import { formatClock } from '../../runbook/duration.js';
import type { Slot } from '../theme.js';
import { S } from './S.js';

export type TriggerView = {
  readonly id: string;
  readonly label: string;
  readonly state: 'idle' | 'pending' | 'fired' | 'nodata' | 'disarmed';
  readonly pendingMs?: number;
  readonly forMs?: number;
  /** A trigger holding the release for lack of data: time left before the hold fails the stage. */
  readonly holdLeftMs?: number;
};

const SLOT: Record<TriggerView['state'], Slot> = { idle: 'metric.ok', disarmed: 'dim', pending: 'metric.warn', fired: 'metric.critical', nodata: 'metric.stale' };

export function triggerText(t: TriggerView): string {
  switch (t.state) {
    case 'idle':
      return `${t.label} ○`;
    case 'disarmed':
      return `${t.label} · off`;
    case 'pending':
      return `${t.label} ◐ PENDING ${formatClock(t.pendingMs ?? 0)} of ${formatClock(t.forMs ?? 0)}`;
    case 'fired':
      return `${t.label} ● FIRED`;
    case 'nodata':
      return `${t.label} ? NO DATA${t.holdLeftMs !== undefined ? ` · HOLD fails in ${formatClock(t.holdLeftMs)}` : ''}`;
  }
}

type Props = { readonly triggers: readonly TriggerView[]; readonly width: number };

export function TriggersBar({ triggers, width }: Props) {
  return (
    <Box width={width} height={1} overflow="hidden">
      <Text wrap="truncate-end">
        <S slot="title">{' triggers '}</S>
        {triggers.map((t, i) => (
          <Text key={t.id}>
            {i > 0 ? '   ' : ' '}
            <S slot={SLOT[t.state]}>{triggerText(t)}</S>
          </Text>
        ))}
      </Text>
    </Box>
  );
}

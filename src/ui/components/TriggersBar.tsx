/**
 * Each rollback trigger: idle / PENDING m:ss of m:ss / FIRED / BROKEN (its query) / NO DATA (· HOLD
 * fails in m:ss); then the shadow triggers apart, dimmed ("◌ shadow p95>800ms 1m would have fired 14:03:12").
 */
import { Box, Text } from 'ink';
import { formatClock } from '../../runbook/duration.js';
import type { Slot } from '../theme.js';
import { S } from './S.js';
import { width as textWidth } from '../text.js';
import { TRIGGER_ICON as I, TRIGGER_WORD as W, type TriggerStateName } from '../../session/view/trigger-state.js';

export type TriggerView = {
  readonly id: string;
  readonly label: string;
  /** The label when the line is short of room: the metric or probe alone ("memory"). */
  readonly short?: string;
  readonly state: TriggerStateName;
  readonly pendingMs?: number;
  readonly forMs?: number;
  /** A trigger holding the release for lack of data: time left before the hold fails the stage. */
  readonly holdLeftMs?: number;
  /** A shadow trigger (never rolls back): shown apart, dimmed. */
  readonly shadow?: boolean;
  /** A shadow trigger's "would have fired 14:03:12". */
  readonly note?: string;
};

const SLOT: Record<TriggerView['state'], Slot> = { idle: 'metric.ok', disarmed: 'dim', pending: 'metric.warn', fired: 'metric.critical', broken: 'metric.critical', nodata: 'metric.stale' };

/** A shadow trigger: its label, its state in small words, when it would have fired. */
export function shadowText(t: TriggerView): string {
  const state = {
    idle: t.note ? '' : I.idle,
    disarmed: `${I.disarmed} ${W.disarmed}`,
    pending: `${I.pending} ${formatClock(t.pendingMs ?? 0)} of ${formatClock(t.forMs ?? 0)}`,
    fired: '',
    broken: `${I.broken} ${W.broken.toLowerCase()}`,
    nodata: `${I.nodata} ${W.nodata.toLowerCase()}`,
  }[t.state];
  return ['◌ shadow', t.label, state, t.note ?? ''].filter(Boolean).join(' ');
}

/** The icons and words are the vocabulary's (session/view/trigger-state.ts). */
export function triggerText(t: TriggerView): string {
  if (t.shadow) return shadowText(t);
  const head = `${t.label} ${I[t.state]}`;
  switch (t.state) {
    case 'idle':
      return head;
    case 'pending':
      return `${head} ${W.pending} ${formatClock(t.pendingMs ?? 0)} of ${formatClock(t.forMs ?? 0)}`;
    case 'nodata':
      return `${head} ${W.nodata}${t.holdLeftMs !== undefined ? ` · HOLD fails in ${formatClock(t.holdLeftMs)}` : ''}`;
    default:
      return `${head} ${W[t.state]}`;
  }
}

const RANK: Record<TriggerView['state'], number> = { fired: 0, broken: 1, pending: 1, nodata: 2, idle: 3, disarmed: 3 };
const TITLE = ' triggers ';
const SEP = '   ';

export type TriggerItem = { readonly key: string; readonly text: string; readonly slot: Slot };

/**
 * What the one line shows, in `width` cells: fired, pending and no-data triggers first and in
 * full, always; then the idle (or off) ones in full when they fit, else as one group by their
 * short labels ("○ idle: error_rate, latency_p95"), else as many names as fit and "+2".
 */
export function triggerItems(triggers: readonly TriggerView[], width: number): TriggerItem[] {
  // the shadow triggers come after every real one, dimmed: what is left of the line is theirs
  // (idle real triggers fold into their group first to make room; a real trigger that is not idle is always shown in full)
  const shadows = triggers.filter((t) => t.shadow).map((t) => ({ key: t.id, text: shadowText(t), slot: 'dim' as Slot }));
  const shadowCells = shadows.reduce((n, it) => n + SEP.length + textWidth(it.text), 0);
  return [...realItems(triggers.filter((t) => !t.shadow), width - shadowCells), ...shadows];
}

function realItems(triggers: readonly TriggerView[], width: number): TriggerItem[] {
  const sorted = [...triggers].sort((a, b) => RANK[a.state] - RANK[b.state]);
  const loud = sorted.filter((t) => RANK[t.state] < 3).map((t) => ({ key: t.id, text: triggerText(t), slot: SLOT[t.state] }));
  const quiet = sorted.filter((t) => RANK[t.state] === 3);
  const room = width - TITLE.length;
  const cells = (items: readonly { text: string }[]) => items.reduce((n, it, i) => n + (i === 0 ? 1 : SEP.length) + textWidth(it.text), 0);
  const full = quiet.map((t) => ({ key: t.id, text: triggerText(t), slot: SLOT[t.state] }));
  if (quiet.length === 0 || cells([...loud, ...full]) <= room) return [...loud, ...full];
  // one group: the guard is armed or not for every trigger at once
  const state = quiet[0].state;
  const names = quiet.map((t) => t.short ?? t.label);
  const group = (n: number): TriggerItem => ({
    key: 'quiet',
    text: `${I[state]} ${W[state]}${n > 0 ? `: ${names.slice(0, n).join(', ')}` : ''}${n < names.length ? ` +${names.length - n}` : ''}`,
    slot: SLOT[state],
  });
  let n = names.length;
  while (n > 0 && cells([...loud, group(n)]) > room) n--;
  return [...loud, group(n)];
}

type Props = { readonly triggers: readonly TriggerView[]; readonly width: number };

export function TriggersBar({ triggers, width }: Props) {
  return (
    <Box width={width} height={1} overflow="hidden">
      <Text wrap="truncate-end">
        <S slot="title">{TITLE}</S>
        {triggerItems(triggers, width).map((t, i) => (
          <Text key={t.key}>
            {i > 0 ? SEP : ' '}
            <S slot={t.slot}>{t.text}</S>
          </Text>
        ))}
      </Text>
    </Box>
  );
}

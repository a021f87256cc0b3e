/** The running step's live output (follow mode), or the selected step's log; scrollable. */
import { Text } from 'ink';
import { formatClock } from '../../runbook/duration.js';
import { LIVE_MARK } from '../../exec/live-line.js';
import { parseLogLine } from '../../exec/log-format.js';
import type { ChecklistRow } from '../rows.js';
import { sanitize, truncate, wrapIndented, wrapWords } from '../text.js';
import { Pane } from './Pane.js';
import { S } from './S.js';

type Props = {
  readonly row?: ChecklistRow;
  readonly lines: readonly string[];
  /** The line the running step is writing now (not in its log yet: exec/live-line.ts), '' for none: shown dim after the lines, marked … */
  readonly live?: string;
  readonly follow: boolean;
  readonly scroll: number;
  readonly now: number;
  readonly width: number;
  readonly height: number;
  readonly focused: boolean;
  readonly placeholder: readonly string[];
};

/** A stage's manual step: the pane shows its text, wrapped, instead of output. */
const isManualStep = (row: ChecklistRow | undefined): boolean => row?.kind === 'manual' && row.stageId !== 'preflight';

export function outputTitle(row: ChecklistRow | undefined, now: number, follow: boolean, scroll: number, total: number): string {
  if (isManualStep(row)) return `${row!.title} · manual step`;
  if (!row?.step || row.kind === 'manual') return 'Output';
  const st = row.step;
  const time = st.status === 'running' && st.startedAt !== undefined ? formatClock(now - st.startedAt) : st.durationMs !== undefined ? formatClock(st.durationMs) : '';
  const where = follow ? 'follow' : `line ${Math.max(1, total - scroll)}/${total}`;
  return [st.title, time, st.attempt > 1 ? `attempt ${st.attempt}` : '', where].filter(Boolean).join(' · ');
}

export function OutputPane({ row, lines, live = '', follow, scroll, now, width, height, focused, placeholder }: Props) {
  const inner = width - 2;
  const visible = height - 2;
  // following, the live line is the last one; scrolled back, the view stays on the log's lines
  const withLive = follow && live !== '' && row?.kind !== 'manual';
  const end = lines.length - (follow ? 0 : scroll);
  const shown = lines.slice(Math.max(0, end - visible + (withLive ? 1 : 0)), end);
  // (a blank line is a space: an empty Text would take no line)
  // what the pane says before output (a step's reason, a missing script's name, what to do) is wrapped, never cut off
  const notes = placeholder.flatMap((p) => (isManualStep(row) ? wrapWords(p, inner) : wrapIndented(p, inner))).map((p) => p || ' ');
  return (
    <Pane title={outputTitle(row, now, follow, scroll, lines.length)} width={width} height={height} focused={focused}>
      {(shown.length === 0 && !withLive) || row?.kind === 'manual'
        ? notes.slice(0, visible).map((p, i) => (
            <S key={i} slot="dim" wrap="truncate-end">
              {truncate(p, inner)}
            </S>
          ))
        : shown.map((l, i) => {
            const { time, text } = parseLogLine(l);
            return (
              <Text key={i} wrap="truncate-end">
                <S slot="dim">{time ? `${time} ` : ''}</S>
                {truncate(sanitize(text), Math.max(1, inner - (time ? 9 : 0)))}
              </Text>
            );
          })}
      {withLive ? (
        <Text key="live" wrap="truncate-end">
          <S slot="dim">{`${LIVE_MARK} ${truncate(sanitize(live), Math.max(1, inner - 9))}`}</S>
        </Text>
      ) : null}
    </Pane>
  );
}

/**
 * The plan review (a Markdown runbook opened the first time, or changed since its plan was accepted)
 * and, with `whole` off, the smaller choice picker of a YAML runbook: full screen, scrollable, the
 * choices picked with Tab and 1–9, `a` accepts (refused, with the reason, while a choice is not
 * made), q or Esc leaves without running anything.
 */
import { Box, Text, useInput } from 'ink';
import { useEffect, useMemo, useReducer } from 'react';
import type { Runbook } from '../../runbook/types.js';
import { S } from '../components/S.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import { truncate } from '../text.js';
import { reviewLines } from './review-lines.js';
import { initialReview, reduceReview } from './review-state.js';

type Props = {
  readonly runbook: Runbook;
  readonly display: string;
  readonly hash?: string;
  readonly uncertain: readonly { readonly line: number; readonly text: string }[];
  readonly whole: boolean;
  /** The picks when accepted, undefined when the operator left. */
  readonly onDone: (picks: Readonly<Record<string, string>> | undefined) => void;
  readonly size?: { columns: number; rows: number };
};

export function PlanReview({ runbook, display, hash, uncertain, whole, onDone, size }: Props) {
  const { columns, rows } = useTerminalSize(size);
  const [s, dispatch] = useReducer((st: ReturnType<typeof initialReview>, a: Parameters<typeof reduceReview>[2]) => reduceReview(runbook.choices, st, a), runbook.choices, initialReview);
  const lines = useMemo(() => reviewLines(runbook, { picks: s.picks, uncertain, focus: s.focus, whole }), [runbook, s.picks, s.focus, uncertain, whole]);
  const height = Math.max(3, rows - 4);
  const max = Math.max(0, lines.length - height);
  useEffect(() => {
    if (s.done) onDone(s.done === 'accepted' ? s.picks : undefined);
  }, [s.done]);
  useInput((input, key) => {
    if (s.done) return;
    if (key.upArrow || key.downArrow) dispatch({ type: 'scroll', by: key.upArrow ? -1 : 1, max });
    else if (key.pageUp || key.pageDown) dispatch({ type: 'scroll', by: (key.pageUp ? -1 : 1) * (height - 1), max });
    else if (key.tab) {
      dispatch({ type: 'focus-next', back: key.shift });
    } else if (/^[1-9]$/.test(input)) dispatch({ type: 'pick', n: Number(input) });
    else if (input === 'a') dispatch({ type: 'accept' });
    else if (input === 'q' || key.escape) dispatch({ type: 'quit' });
  });
  // the choice Tab moved to (or accept pointed at) comes into view
  const focusAt = lines.findIndex((l) => l.choice !== undefined && l.choice === s.focus);
  useEffect(() => dispatch({ type: 'show', line: focusAt, height, max }), [s.focus, s.message]);
  const scroll = Math.min(max, s.scroll);
  const shown = lines.slice(scroll, scroll + height);
  const title = whole ? `Plan review · ${runbook.name} · ${display}${hash ? ` · sha256 ${hash.slice(0, 12)}` : ''}` : `Choose before the run · ${runbook.name} · ${display}`;
  const intro = whole ? 'Nothing runs until you accept this plan (once per version of the document).' : 'The runbook offers alternatives: choose one of each before the run.';
  const position = lines.length > height ? `  lines ${scroll + 1}–${scroll + shown.length} of ${lines.length}` : '';
  return (
    <Box flexDirection="column" height={rows}>
      <S slot="title">{truncate(` ${title}`, columns)}</S>
      <S slot="dim">{truncate(` ${intro}`, columns)}</S>
      <Box flexDirection="column" height={height}>
        {shown.map((l, i) => (
          <S key={scroll + i} slot={l.slot}>
            {truncate(` ${l.text}`, columns)}
          </S>
        ))}
      </Box>
      <S slot="metric.warn">{truncate(s.message ? ` ${s.message}` : '', columns) || ' '}</S>
      <Text>{truncate(` ↑↓ PgUp/PgDn scroll  Tab choice  1–9 pick  a accept  q quit${position}`, columns)}</Text>
    </Box>
  );
}

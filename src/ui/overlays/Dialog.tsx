/**
 * A box drawn over the screen. Every line is padded to the full width, so nothing of what lies
 * beneath shows through (works without background colours, e.g. NO_COLOR).
 */
import { Box, Text } from 'ink';
import { S } from '../components/S.js';
import type { Slot } from '../theme.js';
import { truncate, width as cells, wrapIndented } from '../text.js';
import { useTheme } from '../theme-context.js';

export type Segment = { readonly text: string; readonly slot?: Slot };
export type DialogLine = readonly Segment[] | string;

type Props = {
  readonly title: string;
  readonly lines: readonly DialogLine[];
  readonly screenWidth: number;
  readonly screenHeight: number;
  readonly width: number;
  readonly danger?: boolean;
  /** First line shown when the lines do not fit. */
  readonly offset?: number;
};

function fit(line: DialogLine, inner: number): Segment[] {
  const segs = typeof line === 'string' ? [{ text: line }] : line;
  const out: Segment[] = [];
  let used = 0;
  for (const s of segs) {
    if (used >= inner) break;
    // one row per line: a newline inside a segment would break the box (the border drawn mid-line)
    const t = truncate(s.text.replace(/\r?\n/g, ' '), inner - used);
    out.push({ ...s, text: t });
    used += cells(t);
  }
  out.push({ text: ' '.repeat(Math.max(0, inner - used)) });
  return out;
}

/**
 * A line of one segment (a reason, a script's name, a verdict) wrapped to the box, its indent kept;
 * a line of several (buttons, a key and its meaning) stays one row, cut at the box.
 */
export function wrapLine(line: DialogLine, inner: number): DialogLine[] {
  const segs = typeof line === 'string' ? [{ text: line }] : line;
  if (segs.length !== 1) return [line];
  const slot = segs[0].slot;
  return wrapIndented(segs[0].text.replace(/\r?\n/g, ' '), inner).map((text) => (slot ? [{ text, slot }] : text));
}

/** The lines that fit, from `offset`, saying how many more there are above and below. */
export function window(lines: readonly DialogLine[], max: number, offset = 0): DialogLine[] {
  if (lines.length <= max) return [...lines];
  const start = Math.max(0, Math.min(offset, lines.length - (max - 2)));
  const room = max - (start > 0 ? 2 : 1);
  const body = lines.slice(start, start + room);
  const below = lines.length - start - body.length;
  return [
    ...(start > 0 ? [[{ text: `↑ ${start} more line${start > 1 ? 's' : ''} above`, slot: 'dim' as const }]] : []),
    ...body,
    below > 0 ? [{ text: `↓ ${below} more line${below > 1 ? 's' : ''} (↓ PgDn scroll)`, slot: 'dim' as const }] : [{ text: '— end —', slot: 'dim' as const }],
  ];
}

export function Dialog({ title, lines, screenWidth, screenHeight, width, danger = false, offset }: Props) {
  const theme = useTheme();
  const w = Math.min(width, screenWidth - 2);
  const inner = w - 4;
  const border = theme.slots[danger ? 'dialog.border' : 'borderFocus'];
  // never over the header (R ROLLBACK) nor the hint bar: rows 1 … screenHeight-2 at most
  const maxLines = Math.max(1, screenHeight - 4);
  const shown = window(
    lines.flatMap((l) => wrapLine(l, inner)),
    maxLines,
    offset,
  );
  const h = shown.length + 2;
  const label = truncate(` ${title} `, w - 4);
  const top = `┌─${label}${'─'.repeat(Math.max(0, w - 3 - cells(label)))}┐`;
  const bottom = `└${'─'.repeat(w - 2)}┘`;
  return (
    <Box position="absolute" marginLeft={Math.max(0, Math.floor((screenWidth - w) / 2))} marginTop={Math.max(1, Math.floor((screenHeight - h) / 3))} flexDirection="column" width={w}>
      <Text color={border.color} bold={border.bold}>
        {top}
      </Text>
      {shown.map((line, i) => (
        <Text key={i}>
          <Text color={border.color} bold={border.bold}>
            {'│ '}
          </Text>
          {fit(line, inner).map((seg, j) => (seg.slot ? <S key={j} slot={seg.slot}>{seg.text}</S> : <Text key={j}>{seg.text}</Text>))}
          <Text color={border.color} bold={border.bold}>
            {' │'}
          </Text>
        </Text>
      ))}
      <Text color={border.color} bold={border.bold}>
        {bottom}
      </Text>
    </Box>
  );
}

/**
 * A box drawn over the screen. Every line is padded to the full width, so nothing of what lies
 * beneath shows through (works without background colours, e.g. NO_COLOR).
 */
import { Box, Text } from 'ink';
import { S } from '../components/S.js';
import type { Slot } from '../theme.js';
import { truncate, width as cells } from '../text.js';
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
};

function fit(line: DialogLine, inner: number): Segment[] {
  const segs = typeof line === 'string' ? [{ text: line }] : line;
  const out: Segment[] = [];
  let used = 0;
  for (const s of segs) {
    if (used >= inner) break;
    const t = truncate(s.text, inner - used);
    out.push({ ...s, text: t });
    used += cells(t);
  }
  out.push({ text: ' '.repeat(Math.max(0, inner - used)) });
  return out;
}

export function Dialog({ title, lines, screenWidth, screenHeight, width, danger = false }: Props) {
  const theme = useTheme();
  const w = Math.min(width, screenWidth - 2);
  const inner = w - 4;
  const border = theme.slots[danger ? 'dialog.border' : 'borderFocus'];
  const maxLines = Math.max(1, screenHeight - 4);
  const shown = lines.slice(0, maxLines);
  const h = shown.length + 2;
  const label = truncate(` ${title} `, w - 4);
  const top = `┌─${label}${'─'.repeat(Math.max(0, w - 3 - cells(label)))}┐`;
  const bottom = `└${'─'.repeat(w - 2)}┘`;
  return (
    <Box position="absolute" marginLeft={Math.max(0, Math.floor((screenWidth - w) / 2))} marginTop={Math.max(0, Math.floor((screenHeight - h) / 3))} flexDirection="column" width={w}>
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

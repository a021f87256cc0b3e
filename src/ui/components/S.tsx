/** Text in a theme slot: <S slot="stage.failed">✗ FAILED</S>. */
import { Text } from 'ink';
import { Children, type ReactNode } from 'react';
import { sanitizeLine } from '../../core/terminal-text.js';
import type { Slot } from '../theme.js';
import { useTheme } from '../theme-context.js';

type Props = { readonly slot: Slot; readonly children?: ReactNode; readonly wrap?: 'truncate-end' | 'wrap' };

/** Text in a slot is drawn on one line as it was measured: made safe for the terminal (terminal-text.ts). */
const safe = (children: ReactNode): ReactNode => (typeof children === 'string' ? sanitizeLine(children) : Children.map(children, (c) => (typeof c === 'string' ? sanitizeLine(c) : c)));

export function S({ slot, children, wrap }: Props) {
  const style = useTheme().slots[slot];
  return (
    <Text color={style.color} backgroundColor={style.backgroundColor} bold={style.bold} inverse={style.inverse} underline={style.underline} dimColor={style.dimColor} wrap={wrap}>
      {safe(children)}
    </Text>
  );
}

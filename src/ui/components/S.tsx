/** Text in a theme slot: <S slot="stage.failed">✗ FAILED</S>. */
import { Text } from 'ink';
import type { ReactNode } from 'react';
import type { Slot } from '../theme.js';
import { useTheme } from '../theme-context.js';

type Props = { readonly slot: Slot; readonly children?: ReactNode; readonly wrap?: 'truncate-end' | 'wrap' };

export function S({ slot, children, wrap }: Props) {
  const style = useTheme().slots[slot];
  return (
    <Text color={style.color} backgroundColor={style.backgroundColor} bold={style.bold} inverse={style.inverse} underline={style.underline} dimColor={style.dimColor} wrap={wrap}>
      {children}
    </Text>
  );
}

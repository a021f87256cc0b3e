/** A bordered pane with its title in the top border: ┌ Checklist ─────┐. */
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { truncate, width as cells } from '../text.js';
import { useTheme } from '../theme-context.js';

type Props = { readonly title: string; readonly width: number; readonly height: number; readonly focused?: boolean; readonly children?: ReactNode };

export function Pane({ title, width, height, focused = false, children }: Props) {
  const slot = useTheme().slots[focused ? 'borderFocus' : 'border'];
  const label = truncate(` ${title} `, Math.max(0, width - 4));
  const top = `┌${label}${'─'.repeat(Math.max(0, width - 2 - cells(label)))}┐`;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text color={slot.color} bold={slot.bold}>
        {top}
      </Text>
      <Box borderStyle="single" borderTop={false} borderColor={slot.color} width={width} height={height - 1} flexDirection="column" overflow="hidden">
        {children}
      </Box>
    </Box>
  );
}

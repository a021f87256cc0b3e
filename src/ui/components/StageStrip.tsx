/** Pre-flight and every stage, each with its state icon and name (the one rule: session/view/stage-status.ts). */
import { Box, Text } from 'ink';
import type { SessionState } from '../../session/reduce.js';
import { stripItems } from '../../session/view/stage-status.js';
import { ICON, SLOT } from '../status.js';
import { S } from './S.js';

type Props = { readonly session: SessionState; readonly width: number };

export function StageStrip({ session: s, width }: Props) {
  const items = stripItems(s);
  return (
    <Box width={width} overflow="hidden">
      <Text wrap="truncate-end">
        {' '}
        {items.map((it, i) => (
          <Text key={it.id}>
            {i > 0 ? '  ' : ''}
            <S slot={SLOT[it.status]}>{`${ICON[it.status]} ${it.title}`}</S>
          </Text>
        ))}
      </Text>
    </Box>
  );
}

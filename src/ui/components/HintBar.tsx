/** The bottom line: the keys that apply now, straight from the keymap; R, ? help and q quit always fit (key-order.ts). */
import { Box, Text } from 'ink';
import { S } from './S.js';
import { fitHints } from '../key-order.js';

type Props = { readonly hints: readonly { key: string; label: string }[]; readonly width: number };

export function HintBar({ hints, width }: Props) {
  return (
    <Box width={width} overflow="hidden">
      <Text wrap="truncate-end">
        {' '}
        {fitHints(hints, width).map((h, i) => (
          <Text key={`${h.key}-${h.label}`}>
            {i > 0 ? '  ' : ''}
            <S slot={h.key === 'R' ? 'rollback.badge' : 'hint.key'}>{h.key}</S>
            <S slot="hint.text">{` ${h.label}`}</S>
          </Text>
        ))}
      </Text>
    </Box>
  );
}

/** Pre-flight and every stage, each with its state icon and name. */
import { Box, Text } from 'ink';
import type { SessionState, StageState } from '../../session/reduce.js';
import { ICON, preflightStatus, SLOT, titleWithSkipped, type AnyStatus } from '../status.js';
import { S } from './S.js';

type Props = { readonly session: SessionState; readonly width: number };

function status(s: SessionState, st: StageState): AnyStatus {
  if (s.rollback.status === 'passed' && (st.status === 'passed' || st.status === 'interrupted' || st.status === 'failed')) return 'rolled-back';
  return st.status;
}

export function StageStrip({ session: s, width }: Props) {
  const pre = preflightStatus(s);
  const items = [
    { id: 'preflight', title: titleWithSkipped('Pre-flight', pre, s.preflight), status: pre },
    ...s.stages.map((st) => {
      const x = status(s, st);
      return { id: st.id, title: titleWithSkipped(st.title, x, st), status: x };
    }),
  ];
  if (s.rollback.status !== 'idle') items.push({ id: 'rollback', title: 'Rollback', status: s.rollback.status === 'passed' ? 'passed' : s.rollback.status === 'failed' ? 'failed' : 'running' });
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

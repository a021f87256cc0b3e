/** One line for what just happened: a refusal, a confirmation, the story of a demo scenario. */
import { Box } from 'ink';
import { S } from './S.js';

type Props = { readonly text?: string; readonly width: number };

export function NoticeLine({ text, width }: Props) {
  return (
    <Box width={width} height={1} overflow="hidden">
      <S slot="notice" wrap="truncate-end">
        {text ? ` ${text}` : ' '}
      </S>
    </Box>
  );
}

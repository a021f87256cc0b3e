/**
 * Before every run, one text field per input the run has no value for: its prompt and description,
 * Enter confirms (an empty value or one not matching the pattern is refused with the reason), Esc
 * leaves without running. `q` is a letter a value may hold, so it types; Esc is the way out. What is
 * typed is shown without control characters (a pasted escape sequence never reaches the terminal).
 */
import { Box, Text, useInput } from 'ink';
import { useEffect, useState } from 'react';
import type { Input } from '../../runbook/types.js';
import { inputRefusal, sanitize } from '../../session/plan-review.js';
import { S } from '../components/S.js';
import { useTerminalSize } from '../hooks/use-terminal-size.js';
import { truncate } from '../text.js';

type Props = {
  readonly title: string;
  readonly inputs: readonly Input[];
  /** The values when all are given, undefined when the operator left. */
  readonly onDone: (values: Readonly<Record<string, string>> | undefined) => void;
  readonly size?: { columns: number; rows: number };
};

type State = { readonly at: number; readonly text: string; readonly values: Readonly<Record<string, string>>; readonly error?: string; readonly done?: 'given' | 'quit' };

type Key = { readonly escape: boolean; readonly return: boolean; readonly backspace: boolean; readonly delete: boolean; readonly ctrl: boolean; readonly meta: boolean; readonly tab: boolean; readonly upArrow: boolean; readonly downArrow: boolean };

/** One keypress on the form (pure). */
export function typeIn(inputs: readonly Input[], s: State, input: string, key: Key): State {
  if (s.done) return s;
  const current = inputs[s.at];
  if (key.escape) return { ...s, done: 'quit' };
  if (key.return) {
    const why = inputRefusal(current, s.text);
    if (why) return { ...s, error: why };
    const values = { ...s.values, [current.name]: s.text };
    return s.at + 1 < inputs.length ? { at: s.at + 1, text: '', values } : { ...s, values, done: 'given', error: undefined };
  }
  if (key.backspace || key.delete) return { ...s, text: [...s.text].slice(0, -1).join(''), error: undefined };
  if (key.ctrl || key.meta || key.tab || key.upArrow || key.downArrow) return s;
  const typed = sanitize(input);
  return typed ? { ...s, text: s.text + typed, error: undefined } : s;
}

export function InputForm({ title, inputs, onDone, size }: Props) {
  const { columns } = useTerminalSize(size);
  const [s, set] = useState<State>({ at: 0, text: '', values: {} });
  useEffect(() => {
    if (s.done) onDone(s.done === 'given' ? s.values : undefined);
  }, [s.done]);
  useInput((input, key) => set((prev) => typeIn(inputs, prev, input, key)));
  const current = inputs[s.at];
  const field = `> ${s.text}`;
  return (
    <Box flexDirection="column">
      <S slot="title">{truncate(` ${title}`, columns)}</S>
      <S slot="dim">{truncate(` The run needs ${inputs.length === 1 ? 'a value' : `${inputs.length} values`}: asked every run, passed to commands as {input.NAME} and COCKPIT_INPUT_NAME.`, columns)}</S>
      <Text> </Text>
      {inputs.map((i, k) => (
        <S key={i.name} slot={k === s.at ? 'selected' : k < s.at ? 'stage.passed' : 'dim'}>
          {truncate(` ${k < s.at ? '✓' : k === s.at ? '▶' : '○'} ${i.name} ${sanitize(i.prompt)}${k < s.at ? ` = ${sanitize(s.values[i.name] ?? '')}` : ''}`, columns)}
        </S>
      ))}
      <Text> </Text>
      {current.description ? <Text>{truncate(` ${sanitize(current.description)}`, columns)}</Text> : null}
      {current.pattern ? <S slot="dim">{truncate(` must match ${sanitize(current.pattern)}`, columns)}</S> : null}
      <Text>{truncate(` ${sanitize(current.prompt)} ${field}█`, columns)}</Text>
      <S slot="metric.warn">{truncate(s.error ? ` ✗ ${s.error}` : ' ', columns)}</S>
      <Text>{truncate(` Enter confirm  Backspace erase  Esc quit (nothing runs)   ${s.at + 1} of ${inputs.length}`, columns)}</Text>
    </Box>
  );
}

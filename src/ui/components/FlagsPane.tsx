/** Each ramped flag: its confirmed percentage as a bar and a number, and the next step of its plan. */
import { Text } from 'ink';
import { pad } from '../text.js';
import { Pane } from './Pane.js';
import { S } from './S.js';

export type FlagView = {
  readonly name: string;
  /** The percentage the provider confirmed; undefined until it has said. */
  readonly percent?: number;
  readonly next?: number;
  readonly state: string;
};

export function bar(percent: number | undefined, width: number): string {
  if (percent === undefined) return '·'.repeat(width);
  const full = Math.round((Math.max(0, Math.min(100, percent)) / 100) * width);
  return '█'.repeat(full) + '░'.repeat(width - full);
}

type Props = { readonly flags: readonly FlagView[]; readonly width: number; readonly height: number };

export function FlagsPane({ flags, width, height }: Props) {
  const inner = width - 2;
  const name = Math.min(14, Math.max(6, ...flags.map((f) => f.name.length)));
  const barW = Math.max(4, Math.min(10, inner - name - 16));
  return (
    <Pane title="Flags" width={width} height={height}>
      {flags.length === 0 ? <S slot="dim">no flags in this runbook</S> : null}
      {flags.slice(0, height - 2).map((f) => (
        <Text key={f.name} wrap="truncate-end">
          {pad(f.name, name)} {bar(f.percent, barW)} {f.percent === undefined ? '  ? %' : `${String(f.percent).padStart(3)} %`}
          <S slot="dim">{f.next !== undefined ? ` → ${f.next} %` : ` ${f.state}`}</S>
        </Text>
      ))}
    </Pane>
  );
}

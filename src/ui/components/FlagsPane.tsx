/**
 * Each ramped flag: the percentage its backend confirmed, as a bar and a number; a proposed
 * change (25 % → 50 %) or its state; and, for the selected flag, the ramp plan with the current
 * step marked and the time since the last change.
 */
import { sanitizeLine } from '../../core/terminal-text.js';
import { Text } from 'ink';
import type { ReactElement } from 'react';
import type { Slot } from '../theme.js';
import { pad, truncate } from '../text.js';
import { Pane } from './Pane.js';
import { S } from './S.js';

export type FlagView = {
  readonly name: string;
  /** The percentage the provider confirmed; undefined until it has said. */
  readonly percent?: number;
  /** A change proposed by the operator (not yet applied). */
  readonly proposal?: number;
  /** State in words: steady, applying 25 %…, FAILED: …, held: …, auto 0:07. */
  readonly state: string;
  readonly slot: Slot;
  /** The plan with the current step marked: 0 5 [25] 50 100 · 1:12 ago. */
  readonly plan: string;
  readonly selected: boolean;
  /** An experiment line, when the flag carries one. */
  readonly experiment?: string;
};

export function bar(percent: number | undefined, width: number): string {
  if (percent === undefined) return '·'.repeat(width);
  const p = Math.max(0, Math.min(100, percent));
  const full = p > 0 && p < 100 ? Math.min(width - 1, Math.max(1, Math.round((p / 100) * width))) : Math.round((p / 100) * width);
  return '█'.repeat(full) + '░'.repeat(width - full);
}

export function pct(p: number | undefined): string {
  return p === undefined ? '  ? %' : `${String(Number(p.toFixed(2))).padStart(3)} %`;
}

type Props = { readonly flags: readonly FlagView[]; readonly width: number; readonly height: number; readonly focused: boolean };

export function FlagsPane({ flags, width, height, focused }: Props) {
  const inner = width - 2;
  // a wide pane (the metrics' spare columns) shows long names and a longer bar
  const name = Math.min(Math.max(14, Math.floor(inner * 0.3)), Math.max(6, ...flags.map((f) => f.name.length)));
  const barW = Math.max(4, Math.min(inner >= 60 ? 20 : 10, inner - name - 20));
  const rows: { key: string; node: ReactElement }[] = [];
  for (const f of flags) {
    rows.push({
      key: f.name,
      node: (
        <Text key={f.name} wrap="truncate-end" inverse={f.selected && focused}>
          {pad(f.name, name)} {bar(f.percent, barW)} {pct(f.percent)}
          {f.proposal !== undefined ? <S slot="notice">{` → ${f.proposal} %`}</S> : <S slot={f.slot}>{` ${truncate(f.state, Math.max(0, inner - name - barW - 8))}`}</S>}
        </Text>
      ),
    });
    if (f.selected) rows.push({ key: `${f.name}:plan`, node: <S key={`${f.name}:plan`} slot="dim" wrap="truncate-end">{`  ${f.plan}`}</S> });
    if (f.experiment) rows.push({ key: `${f.name}:ab`, node: <Text key={`${f.name}:ab`} wrap="truncate-end">{`  ${sanitizeLine(f.experiment)}`}</Text> });
  }
  return (
    <Pane title="Flags" width={width} height={height} focused={focused}>
      {flags.length === 0 ? <S slot="dim">no flags in this runbook</S> : null}
      {rows.slice(0, height - 2).map((r) => r.node)}
    </Pane>
  );
}

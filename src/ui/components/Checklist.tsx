/** Pre-flight items and every stage's steps, with state, duration and the failure or skip reason inline. */
import { Text } from 'ink';
import { formatClock } from '../../runbook/duration.js';
import { blockLines } from '../block-lines.js';
import type { ChecklistRow } from '../rows.js';
import { ICON, SLOT, WORD, passedOnTry, type AnyStatus } from '../status.js';
import { pad, padStart, sanitize, truncate, wrapIndented } from '../text.js';
import { Pane } from './Pane.js';
import { RunningIcon } from './RunningIcon.js';
import { S } from './S.js';
import { waitingWord } from '../../session/manual.js';
import { pausedWithin } from '../../core/pause.js';

type Props = {
  readonly rows: readonly ChecklistRow[];
  readonly selectedId?: string;
  readonly now: number;
  readonly width: number;
  readonly height: number;
  readonly focused: boolean;
  /** Whether the running step's icon turns: not while a dialog is open (nor while the rollback's R holds the frames). */
  readonly spin?: boolean;
  /** A follower: a waiting manual step says who ticks it, not which key. */
  readonly readOnly?: boolean;
};

/** `spin`: the line's icon (its second cell) is the running step's spinner. */
type Line = { key: string; rowId?: string; text: string; slot: Parameters<typeof S>[0]['slot']; bold?: boolean; spin?: boolean };

function duration(r: ChecklistRow, now: number): string {
  const st = r.step;
  if (!st) return '';
  // a monitor's window counts the time watched: not the time the cockpit was stopped (session/steps.ts)
  if ((st.status === 'running' || st.status === 'waiting') && st.startedAt !== undefined)
    return formatClock(now - st.startedAt - pausedWithin(r.pauses ?? [], st.startedAt, now)) + (st.monitorMs !== undefined ? `/${formatClock(st.monitorMs)}` : '');
  return st.durationMs !== undefined && st.status !== 'pending' ? formatClock(st.durationMs) : '';
}

/** The right-hand column of a row: FAILED in words, a due escalation's countdown, a duration. */
function rightOf(r: ChecklistRow, now: number): string {
  const status = r.status as AnyStatus;
  if (r.status === 'failed') return WORD[status];
  if (r.dueAt !== undefined && r.status === 'pending') return `in ${formatClock(Math.max(0, r.dueAt - now))}`;
  if (r.kind === 'escalation' && r.status === 'skipped') return 'not needed';
  // passed on a retry (a flaky check): said in place of its time (the output pane's title has it), not a plain ✓
  const retried = r.step && passedOnTry(r.step);
  if (retried) return retried;
  return duration(r, now) || (r.status === 'interrupted' ? WORD[status] : '');
}

/**
 * The one row whose icon turns: the rollback's running step, else the first running step. One
 * spinner on the screen at most: each is a timer of its own, and each of its ticks a frame.
 */
export function spinningRowId(rows: readonly ChecklistRow[]): string | undefined {
  const running = rows.filter((r) => r.status === 'running' && r.kind !== 'header' && r.kind !== 'manual');
  return (running.find((r) => r.stageId === 'rollback') ?? running[0])?.id;
}

/** A manual row's icon: a pre-flight item's box ([ ] / [✓]), a stage's manual step by its state (☐ while it waits). */
function manualIcon(r: ChecklistRow): string {
  if (r.stageId === 'preflight') return r.ticked ? '[✓]' : '[ ]';
  return ICON[r.status as AnyStatus];
}

export function toLines(rows: readonly ChecklistRow[], now: number, w: number, spin = false, readOnly = false): Line[] {
  const lines: Line[] = [];
  const spinning = spin ? spinningRowId(rows) : undefined;
  for (const r of rows) {
    const status = r.status as AnyStatus;
    if (r.kind === 'header') {
      lines.push({ key: r.id, text: pad(`${ICON[status]} ${r.title}`, w), slot: SLOT[status], bold: true });
      continue;
    }
    const icon = r.kind === 'manual' ? manualIcon(r) : ICON[status];
    // a failed step says so in words, not by colour alone (its duration is in the output pane's
    // title); an interrupted one says so on its reason line ("interrupted (SIGTERM)")
    const right = rightOf(r, now);
    const left = ` ${icon} ${r.title}`;
    const text = pad(left, w - right.length - 1) + ' ' + padStart(right, right.length);
    lines.push({ key: r.id, rowId: r.id, text: pad(text, w), slot: r.kind === 'manual' && r.ticked ? 'stage.passed' : SLOT[status], spin: r.id === spinning });
    // what says why (a reason, a missing script's name, an escalation's error) is wrapped, never cut off
    const under = (key: string, text: string, slot: Line['slot']) => wrapIndented(`     ${text}`, w).forEach((t, i) => lines.push({ key: i === 0 ? key : `${key}:${i}`, text: pad(t, w), slot }));
    if (r.detail) under(`${r.id}:detail`, r.detail, r.status === 'failed' ? 'stage.failed' : 'dim');
    if (r.warn) lines.push({ key: `${r.id}:warn`, text: pad(`     ⚠ ${r.warn}`, w), slot: 'metric.warn' });
    const st = r.step;
    if (!st) continue;
    const sub = blockLines(r.id, st, now, w);
    lines.push(...sub);
    if (st.status === 'waiting') lines.push({ key: `${r.id}:waiting`, text: pad(`     ${waitingWord(readOnly)}`, w), slot: 'notice' });
    if (st.missing && st.status === 'pending') under(`${r.id}:missing`, st.missing.replace(/ \(.*\)$/, ''), 'metric.warn');
    // a block's failed command says its reason on its own line
    if ((st.status === 'failed' || st.status === 'interrupted') && st.reason && !sub.some((l) => l.key.endsWith(':cmd-failed'))) under(`${r.id}:reason`, sanitize(st.reason), 'stage.failed');
    if (st.status === 'failed' && st.lastLine) lines.push({ key: `${r.id}:last`, text: pad(`     “${st.lastLine}”`, w), slot: 'dim' });
    if (st.status === 'failed' && st.troubleshooting) lines.push({ key: `${r.id}:hint`, text: pad(`     hint: ${st.troubleshooting.title}`, w), slot: 'notice' });
    if (st.status === 'skipped' && st.skipReason) under(`${r.id}:skip`, `skipped: ${st.skipReason}`, 'stage.skipped');
    if (st.status === 'passed' && st.note) lines.push({ key: `${r.id}:note`, text: pad(`     ${st.note}`, w), slot: 'notice' });
  }
  return lines;
}

export function Checklist({ rows, selectedId, now, width, height, focused, spin = true, readOnly = false }: Props) {
  const inner = width - 2;
  const visible = height - 2;
  const lines = toLines(rows, now, inner, spin, readOnly);
  const selIdx = Math.max(0, lines.findIndex((l) => l.rowId === selectedId));
  // keep the selected line in view, with a line of context when possible
  let start = Math.max(0, Math.min(lines.length - visible, selIdx - Math.floor(visible / 2)));
  // never start on a detail line (a reason, a hint) without the row it belongs to
  while (start > 0 && lines[start].rowId === undefined && !lines[start].bold) start--;
  const shown = lines.slice(start, start + visible);
  return (
    <Pane title="Checklist" width={width} height={height} focused={focused}>
      {shown.map((l) => (
        <Text key={l.key} wrap="truncate-end" inverse={l.rowId !== undefined && l.rowId === selectedId} bold={l.bold}>
          {l.spin ? (
            <S slot={l.slot}>
              {' '}
              <RunningIcon />
              {truncate(l.text, inner).slice(2)}
            </S>
          ) : (
            <S slot={l.slot}>{truncate(l.text, inner)}</S>
          )}
        </Text>
      ))}
    </Pane>
  );
}

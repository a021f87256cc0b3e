/**
 * The model's rows as the text of each blessed box, fitted to its inside width and height, with
 * blessed colour tags. Pure: `paint` decides the colours (none under NO_COLOR), `esc` escapes
 * text for blessed's tag parser.
 */
import { sanitizeLine } from '../core/terminal-text.js';
import type { WallboardModel } from './model.js';
import { percentBar, type Tone } from './model-panels.js';

export type Paint = (tone: Tone | 'chip', text: string) => string;

const COLOUR: Record<Tone, string> = { ok: 'green', running: 'cyan', warn: 'yellow', danger: 'red', muted: 'gray' };
const CHIP: Record<Tone, string> = { ok: 'green', running: 'blue', warn: 'yellow', danger: 'red', muted: 'gray' };

/** Colour tags, or none (NO_COLOR: the icons and words carry every state). `chip` is the status word's block. */
export function painter(colour: boolean, chipTone: Tone): Paint {
  return (tone, text) => {
    if (tone === 'chip') return colour ? `{bold}{white-fg}{${CHIP[chipTone]}-bg}${text}{/}` : `{inverse}${text}{/inverse}`;
    return colour ? `{${COLOUR[tone]}-fg}${text}{/${COLOUR[tone]}-fg}` : text;
  };
}

/** Cuts a string to `max` characters (an ellipsis marks the cut). The wallboard's own text is single-width. */
export function clip(text: string, max: number): string {
  const s = sanitizeLine(text);
  const chars = [...s];
  if (max <= 0) return '';
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}

/** `left` and `right` on one line of `width`: right-aligned right part, the left cut to make room. */
export function spread(left: string, right: string, width: number): { left: string; gap: number; right: string } {
  const r = clip(right, width);
  const l = clip(left, Math.max(0, width - [...r].length - 1));
  return { left: l, gap: Math.max(1, width - [...l].length - [...r].length), right: r };
}

type Esc = (s: string) => string;

export function headerLines(m: WallboardModel, width: number, paint: Paint, esc: Esc): string[] {
  const chip = ` ${m.status.word} `;
  const a = spread(m.title, 'read-only · q quit', width - chip.length - 2);
  const b = clip(m.sessionLine, width - 1);
  return [
    `${paint('chip', esc(chip))}  ${esc(a.left)}${' '.repeat(a.gap)}${paint('muted', esc(a.right))}`,
    ` ${paint(m.incident.active ? 'danger' : m.sessionLine.startsWith('LIVE') ? 'running' : 'muted', esc(b))}`,
  ];
}

/** Rows for a panel of `height`: all of them, or (too many) the most severe kept in their order. */
function fit<T>(rows: readonly T[], height: number, severity: (r: T) => number): T[] {
  if (rows.length <= height) return [...rows];
  const keep = new Set(rows.map((r, i) => [r, i] as const).sort((a, b) => severity(b[0]) - severity(a[0]) || a[1] - b[1]).slice(0, height).map(([, i]) => i));
  return rows.filter((_, i) => keep.has(i));
}

const SEVERITY: Record<Tone, number> = { danger: 4, warn: 3, running: 2, ok: 1, muted: 0 };

export function triggerLines(m: WallboardModel, width: number, height: number, paint: Paint, esc: Esc): string[] {
  if (m.triggers.length === 0) return [paint('muted', 'no rollback triggers in this runbook')];
  return fit(m.triggers, height, (t) => SEVERITY[t.tone]).map((t) => {
    const head = `${t.icon} ${t.word}`;
    return `${paint(t.tone, esc(head))} ${esc(clip(t.text, width - [...head].length - 1))}`;
  });
}

export function stageLines(m: WallboardModel, width: number, height: number, paint: Paint, esc: Esc): string[] {
  // when they do not all fit, the latest rows matter (the pre-flight passed long ago)
  return m.stages.slice(-height).map((s) => {
    const right = `${s.word}${s.elapsed ? ` ${s.elapsed}` : ''}${s.over ? ' ⚠ OVER' : ''}`;
    const row = spread(`${s.icon} ${s.title}${s.current ? ` · ${s.current}` : ''}`, right, width);
    return `${paint(s.tone, esc(row.left.slice(0, 1)))}${esc(row.left.slice(1))}${' '.repeat(row.gap)}${paint(s.tone, esc(row.right))}`;
  });
}

export function incidentLines(m: WallboardModel, width: number, height: number, paint: Paint, esc: Esc): string[] {
  const inc = m.incident;
  const first = inc.active ? `incident ${inc.timer} · ${inc.levelText}` : 'no incident';
  const out = [paint(inc.active ? 'danger' : 'ok', esc(clip(first, width)))];
  const nameW = Math.min(14, Math.max(4, ...m.flags.map((f) => f.name.length)));
  for (const f of m.flags) {
    // a steady flag shows its bar; one that is changing (or failed, or held) says so instead
    const name = clip(f.name, nameW).padEnd(nameW);
    const line = f.note
      ? `${esc(`${name} ${f.text.padStart(5)} `)}${paint(f.tone, esc(clip(f.note, width - nameW - 7)))}`
      : esc(`${name} ${percentBar(f.percent, Math.max(4, Math.min(20, width - nameW - 7)))} ${f.text.padStart(5)}`);
    out.push(line);
  }
  for (const l of inc.active ? inc.lines : []) out.push(paint(l.tone, esc(clip(l.text, width))));
  return out.slice(0, height);
}

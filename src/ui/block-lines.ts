/**
 * The command lines of a running or failed multi-command shell step, as sub-rows under it in the
 * checklist: ✓ passed with their time, ◐ the current one, ✗ the failed one marked, ○ not run yet.
 * A long block shows a window around its current command.
 */
import { formatClock } from '../runbook/duration.js';
import { blockRows, BLOCK_RETRY, type BlockRowStatus } from '../session/block.js';
import type { StepState } from '../session/reduce.js';
import { ICON, SLOT } from './status.js';
import { pad, sanitize, width } from './text.js';
import type { Slot } from './theme.js';

/** At most this many command rows under a step (more are summed up as "⋮ n earlier/more", unless that line would take as many rows as it hides). */
export const BLOCK_WINDOW = 4;

export type SubLine = { readonly key: string; readonly text: string; readonly slot: Slot };

const subSlot = (s: BlockRowStatus): Slot => (s === 'pending' ? 'dim' : SLOT[s]);

export function blockLines(rowId: string, st: StepState, now: number, w: number): SubLine[] {
  if (st.status !== 'running' && st.status !== 'failed' && st.status !== 'interrupted') return [];
  const rows = blockRows(st, now);
  if (!rows) return [];
  const current = Math.max(0, rows.findIndex((r) => r.status !== 'passed') >= 0 ? rows.findIndex((r) => r.status !== 'passed') : rows.length - 1);
  let from = Math.max(0, Math.min(rows.length - BLOCK_WINDOW, current - 1));
  let shown = rows.slice(from, from + BLOCK_WINDOW);
  // a "⋮ n earlier/more" line that stands for no more rows than it takes hides a command for nothing
  const summaries = (from > 0 ? 1 : 0) + (rows.length - from - shown.length > 0 ? 1 : 0);
  if (rows.length - shown.length <= summaries) {
    from = 0;
    shown = rows;
  }
  const out: SubLine[] = [];
  if (from > 0) out.push({ key: `${rowId}:cmd-before`, text: pad(`     ⋮ ${from} earlier`, w), slot: 'dim' });
  for (const r of shown) {
    const time = r.ms !== undefined ? formatClock(r.ms) : '';
    const left = `   ${ICON[r.status]} ${sanitize(r.label)}`;
    out.push({ key: `${rowId}:cmd-${r.index}`, text: pad(pad(left, w - time.length - 1) + ' ' + time, w), slot: subSlot(r.status) });
    if (r.status === 'failed') {
      // the line within the block when the pane has room for it
      const marked = `     ← failed (${st.reason ?? 'failed'})`;
      const withLine = `${marked}, line ${r.command.line}`;
      out.push({ key: `${rowId}:cmd-failed`, text: pad(width(withLine) <= w ? withLine : marked, w), slot: 'stage.failed' });
    }
  }
  const after = rows.length - from - shown.length;
  if (after > 0) out.push({ key: `${rowId}:cmd-after`, text: pad(`     ⋮ ${after} more`, w), slot: 'dim' });
  // what r does here, in full when the pane is wide enough (r's notice says it all too)
  const retry = `     r ${BLOCK_RETRY.replace(/^retry /, '')}`;
  if (st.status === 'failed') out.push({ key: `${rowId}:cmd-retry`, text: pad(width(retry) <= w ? retry : '   r re-runs whole block', w), slot: 'dim' });
  return out;
}

/** Names exactly what a rollback will run; focused on Cancel; a second R (or the typed name) confirms. */
import { rampPlans } from '../../flags/plan.js';
import type { Runbook } from '../../runbook/types.js';
import type { SessionState } from '../../session/reduce.js';
import { ICON } from '../status.js';
import { channelLabel } from '../../runbook/notify.js';
import { formatCompact } from '../../runbook/duration.js';
import { CONFIRM_GUARD_MS } from '../keymap.js';
import type { Overlay } from '../ui-state.js';
import { Dialog, type DialogLine } from './Dialog.js';

type Props = {
  readonly overlay: Extract<Overlay, { kind: 'rollback' }>;
  readonly runbook: Runbook;
  readonly session: SessionState;
  readonly style: 'press-r' | 'type-name';
  readonly screenWidth: number;
  readonly screenHeight: number;
};

/**
 * What the rollback does to the flags before its first step (FlagRamps.rollbackAll): every ramped
 * flag not at its rollbackTo goes there. "flags to 0 %: new-checkout (25 %), checkout-v2-split (50 %)".
 */
export function flagLines(runbook: Runbook, s: SessionState): string[] {
  const plans = rampPlans(runbook);
  if (plans.length === 0) return [];
  const byTarget = new Map<number, string[]>();
  for (const p of plans) {
    const cur = s.flags[p.flag]?.percent;
    if (cur === p.rollbackTo) continue;
    byTarget.set(p.rollbackTo, [...(byTarget.get(p.rollbackTo) ?? []), `${p.flag} (${cur === undefined ? '?' : cur} %)`]);
  }
  if (byTarget.size === 0) return ['  flags: none to change (each is at its rollback percentage)'];
  return [...byTarget].map(([to, names]) => `  flags to ${to} %: ${names.join(', ')}`);
}

/** "missing: ./scripts/rollback.sh (no such file in /srv)" → "./scripts/rollback.sh: missing". */
export function missingMark(reason: string): string {
  const m = /^(missing|not executable|command not found): (\S+)(?: \(.*\))?$/.exec(reason);
  return `${ICON.failed} ${m ? `${m[2]}: ${m[1]}` : reason}`;
}

/** A command as one dialog line: its first line, and `…` when it has more (a multi-line shell block). */
export function commandLine(command: string): string {
  const lines = command.split(/\r?\n/);
  return lines.length > 1 ? `${lines[0]} …` : command;
}

/**
 * The escalation the rollback starts (runbook escalation:): its first level still to run, what it
 * does and when, and how many follow. "then: escalation level 1: Alert the channel (slack $HOOK, at once)".
 */
export function escalationLines(runbook: Runbook, s: SessionState): string[] {
  if (s.guard.resolved) return [];
  const ran = new Set(s.guard.escalation.map((x) => x.level));
  const todo = runbook.escalation.filter((l) => !ran.has(l.level));
  const l = todo[0];
  if (!l) return [];
  const what = l.run ? commandLine(l.run.display) : l.notify ? channelLabel(l.notify) : 'a reminder';
  const when = l.afterMs === 0 ? 'at once' : `after ${formatCompact(l.afterMs)}`;
  const title = l.title.replace(/^level\s*\d+\s*[:.\-–—]?\s*/i, '');
  const more = todo.length > 1 ? `; ${todo.length - 1} more level${todo.length > 2 ? 's' : ''} until verify passes` : '';
  return [`  then: escalation level ${l.level}: ${title} (${what}, ${when}${more})`];
}

export function rollbackLines({ overlay: o, runbook, session: s, style }: Omit<Props, 'screenWidth' | 'screenHeight'>): DialogLine[] {
  const steps = s.rollback.steps;
  const running = s.stages.flatMap((st) => st.steps.filter((x) => x.status === 'running').map((x) => `${st.title}: ${x.title}`));
  const lines: DialogLine[] = [
    [{ text: `Roll back ${runbook.name} ${s.version} in ${s.environment}`, slot: 'dialog.danger' }],
    '',
    ...(running.length ? [`First interrupts: ${running.join(', ')}`] : []),
    'Runs, in order:',
    ...flagLines(runbook, s),
    ...steps.flatMap((st, i): DialogLine[] => [`  ${i + 1}. ${st.title}  (${commandLine(st.command)})`, ...(st.missing ? [[{ text: `     ${missingMark(st.missing)}`, slot: 'stage.failed' as const }]] : [])]),
    ...escalationLines(runbook, s),
    '',
  ];
  if (style === 'type-name') {
    lines.push(`Type the environment name (${s.environment}) and press Enter to confirm:`);
    lines.push([{ text: `> ${o.typed}`, slot: 'title' }, { text: '▏' }]);
  } else {
    lines.push([
      { text: o.focus === 'cancel' ? '[ Cancel ]' : '  Cancel  ', slot: o.focus === 'cancel' ? 'dialog.buttonFocus' : 'dialog.button' },
      { text: '   ' },
      { text: o.focus === 'confirm' ? '[ Roll back ]' : '  Roll back  ', slot: o.focus === 'confirm' ? 'dialog.buttonFocus' : 'dialog.danger' },
    ]);
    lines.push('Press R again to roll back · Esc cancels');
  }
  if (o.ignored > 0) lines.push([{ text: `Ignored ${o.ignored} key${o.ignored > 1 ? 's' : ''} that came within ${CONFIRM_GUARD_MS} ms (held key or paste?): press again to confirm`, slot: 'notice' }]);
  return lines;
}

export function RollbackDialog(p: Props) {
  return <Dialog title="ROLLBACK" danger lines={rollbackLines(p)} screenWidth={p.screenWidth} screenHeight={p.screenHeight} width={Math.min(96, p.screenWidth - 4)} />;
}

/** Headless lines of the pre-flight, the stages and their steps: "▶ stage …", "  ✓ step (1.2s)", "  ✗ step FAILED: …". */
import { PREFLIGHT } from '../../core/events.js';
import { sanitizeLine } from '../../exec/log-format.js';
import { formatClock, formatDuration } from '../../runbook/duration.js';
import { stageUnguarded } from '../../runbook/coverage.js';
import { commandLabel, failedCommand } from '../../session/block.js';
import type { Runbook } from '../../runbook/types.js';
import type { SessionState } from '../../session/reduce.js';
import { ICON, MARK, WORD } from '../../session/view/words.js';
import { stageTitle, stepOf, titleOf } from './common.js';
import type { EventOf, Lines } from './types.js';

/** "  ▸ 2/5 kubectl apply -f deploy.yaml": a block's command starting. */
function commandLine(s: SessionState, e: EventOf<'step.command'>): string | undefined {
  const commands = stepOf(s, e.stage, e.step)?.commands;
  const c = commands?.[e.index];
  return c && `  ▸ ${e.index + 1}/${commands.length} ${sanitizeLine(commandLabel(c))}`;
}

/** Where a failed block stopped: its command and that command's line within the block. */
function failedAt(s: SessionState, stage: string, step: string): string | undefined {
  const st = stepOf(s, stage, step);
  const f = st && failedCommand(st);
  return f && `    failed at command ${f.index + 1}/${st.commands!.length} (line ${f.command.line} of the block): ${sanitizeLine(f.command.text.split('\n')[0])}`;
}

/** A manual step's text when it says more than its title: ": Open the canary dashboard and …" (one line). */
function manualText(s: SessionState, stage: string, step: string): string {
  const st = s.stages.find((x) => x.id === stage)?.steps.find((x) => x.id === step);
  const text = st?.command.replace(/\s+/g, ' ').trim() ?? '';
  return text && text !== st?.title ? `: ${text}` : '';
}

function preflightFailed(e: EventOf<'preflight.failed'>): string {
  const parts = [
    e.failed.length ? `failed: ${e.failed.join(', ')}` : '',
    e.unticked.length ? `not confirmed: ${e.unticked.map((t) => `"${t}"`).join(', ')} (pass --confirm "<title>" or --yes)` : '',
  ].filter(Boolean);
  return `${ICON.failed} pre-flight ${WORD.failed} (${parts.join('; ')})`;
}

function stageStarted(s: SessionState, e: EventOf<'stage.started'>, rb?: Runbook): string {
  const st = s.stages.find((x) => x.id === e.stage);
  const title = stageTitle(s, e.stage);
  const def = rb?.stages.find((x) => x.id === e.stage);
  const off = rb && def ? stageUnguarded(rb, def) : undefined;
  return `${MARK.started} stage ${e.stage}${title === e.stage ? '' : `: ${title}`}${st?.budgetMs !== undefined ? ` (budget ${formatClock(st.budgetMs)})` : ''}${off ? `\n${MARK.warning} AUTO-ROLLBACK OFF: ${off}` : ''}`;
}

function stepFinished(s: SessionState, e: EventOf<'step.finished'>): string {
  const t = titleOf(s, e.stage, e.step);
  if (e.ok) return `  ${ICON.passed} ${t} (${formatDuration(e.durationMs)})${e.note ? `: ${e.note}` : ''}`;
  if (e.interrupted && !e.timedOut) return `  ${ICON.interrupted} ${t} ${WORD.interrupted} (${formatDuration(e.durationMs)})`;
  const lines = [`  ${ICON.failed} ${t} ${WORD.failed}: ${sanitizeLine(e.reason ?? 'failed')}${e.notStarted ? '' : ` (${formatDuration(e.durationMs)})`}`];
  const at = failedAt(s, e.stage, e.step);
  if (at) lines.push(at);
  if (e.lastLine) lines.push(`    last line: ${e.lastLine}`);
  if (e.troubleshooting) {
    lines.push(`    troubleshooting: ${e.troubleshooting.title}${e.troubleshooting.hint ? ` — ${e.troubleshooting.hint}` : ''}`);
    for (const c of e.troubleshooting.commands) lines.push(`      ${c}`);
  }
  return lines.join('\n');
}

export const STEP_LINES: Lines<
  | 'check.ticked'
  | 'step.waiting'
  | 'check.unticked'
  | 'preflight.passed'
  | 'preflight.failed'
  | 'stage.started'
  | 'stage.skipped'
  | 'step.started'
  | 'step.finished'
  | 'step.command'
  | 'step.retrying'
  | 'step.skipped'
  | 'stage.over-budget'
  | 'stage.passed'
  | 'stage.failed'
> = {
  'check.ticked': (s, e) => `  ${ICON.passed} ${titleOf(s, e.stage ?? PREFLIGHT, e.id)} (${e.by === 'confirm' ? 'confirmed' : 'ticked'})`,
  'step.waiting': (s, e) => `  ${ICON.waiting} ${titleOf(s, e.stage, e.step)} (manual)${manualText(s, e.stage, e.step)}`,
  'check.unticked': (s, e) => `  ${ICON.pending} ${titleOf(s, PREFLIGHT, e.id)} (unticked)`,
  'preflight.passed': () => `${ICON.passed} pre-flight ${WORD.passed}`,
  'preflight.failed': (_s, e) => preflightFailed(e),
  'stage.started': stageStarted,
  'stage.skipped': (_s, e) => `${ICON.skipped} stage ${e.stage} ${WORD.skipped}: ${e.reason}`,
  'step.started': (s, e) => {
    const t = titleOf(s, e.stage, e.step);
    return `  ${MARK.started} ${t}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}${e.command === t ? '' : `: ${e.command}`}`;
  },
  'step.finished': stepFinished,
  'step.command': commandLine,
  'step.retrying': (s, e) => `  ${MARK.retry} retrying ${titleOf(s, e.stage, e.step)} (attempt ${e.attempt}${e.automatic ? ', automatic' : ''})`,
  'step.skipped': (s, e) => `  ${ICON.skipped} ${titleOf(s, e.stage, e.step)} ${WORD.skipped}: ${e.reason}`,
  'stage.over-budget': (_s, e) => `${MARK.warning} stage ${e.stage} OVER BUDGET (${formatClock(e.elapsedMs)} / ${formatClock(e.budgetMs)})`,
  'stage.passed': (_s, e) => `${ICON.passed} stage ${e.stage} ${WORD.passed} (${formatDuration(e.durationMs)})`,
  'stage.failed': (s, e) => `${ICON.failed} stage ${e.stage} ${WORD.failed}${e.step ? ` at ${titleOf(s, e.stage, e.step)}` : ''}: ${sanitizeLine(e.reason)}`,
};

/**
 * The headless renderers: plain timestamped lines for people reading CI logs, or one JSON object
 * a line (`--json`) for machines. Both read the controller's events and output batches.
 */
import { jsonLine, type StepLine } from '../core/json-line.js';
import { formatClock, formatCompact, formatDuration } from '../runbook/duration.js';
import { parseLogLine, sanitizeLine, sanitizeOutput, stampOf } from '../exec/log-format.js';
import type { Controller } from '../session/controller.js';
import { EMERGENCY, PREFLIGHT, ROLLBACK, type SessionEvent } from '../core/events.js';
import { commandLabel, failedCommand } from '../session/block.js';
import type { SessionState, StepState } from '../session/reduce.js';
import { reviewLines } from '../history/celebration.js';
import { journalText, leftText, pausedText, resumedText } from '../session/notices.js';
import { planText } from '../session/plan-review.js';
import { restoredText, rollbackTookText } from '../history/restore-time.js';
import { baselineWindowText } from '../guard/baseline.js';
import { decisionLines } from '../guard/decision.js';
import type { Runbook } from '../runbook/types.js';
import { stageUnguarded } from '../runbook/coverage.js';
import { collapseRepeats, flushRepeats, noRepeats, sampleKind } from './repeats.js';
import { OUTCOME_WORD } from '../core/outcome-words.js';

type Write = (line: string) => void;

function stepOf(s: SessionState, stage: string, step: string): StepState | undefined {
  const list = stage === PREFLIGHT ? s.preflight.steps : stage === ROLLBACK ? s.rollback.steps : stage === EMERGENCY ? s.emergency : s.stages.find((x) => x.id === stage)?.steps;
  return list?.find((x) => x.id === step);
}

function titleOf(s: SessionState, stage: string, step: string): string {
  // a runbook string: on one line (a title with a line break must not forge a stamped line of its own)
  return sanitizeLine(stepOf(s, stage, step)?.title ?? step);
}

/** "  ▸ 2/5 kubectl apply -f deploy.yaml": a block's command starting. */
function commandLine(s: SessionState, e: Extract<SessionEvent, { type: 'step.command' }>): string | undefined {
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

function stageTitle(s: SessionState, stage: string): string {
  return sanitizeLine(s.stages.find((x) => x.id === stage)?.title ?? stage);
}

/** "  · baseline throughput=412"; from history: "  · baseline (30m before 14:02): throughput=412 (360 points)". */
function baselineText(e: Extract<SessionEvent, { type: 'baseline.taken' }>): string {
  const value = (k: string, v: number | null) => {
    if (!e.window) return `${k}=${v === null ? '∅' : Number(v.toPrecision(4))}`;
    if (v === null) return `${k}=∅ (${sanitizeLine(e.errors?.[k] ?? 'no data')}: from the samples when each stage starts)`;
    return `${k}=${Number(v.toPrecision(4))} (${e.points?.[k] ?? '?'} points)`;
  };
  const parts = Object.entries(e.values).map(([k, v]) => value(k, v));
  return e.window ? `  · baseline (${baselineWindowText(e.window)}): ${parts.join('  ')}` : `  · baseline ${parts.join('  ')}`;
}

/** `rb`: the runbook, for what a line derives from it (AUTO-ROLLBACK OFF at a stage's start). */
export function describeEvent(s: SessionState, e: SessionEvent, rb?: Runbook): string | undefined {
  switch (e.type) {
    case 'session.started':
      return `cockpit · ${sanitizeLine(e.runbook)} ${sanitizeLine(e.version)} → ${sanitizeLine(e.environment)} · session ${e.sessionId}${e.lockTakenOver ? `\n↻ took over the lock: ${sanitizeLine(e.lockTakenOver.why)}` : ''}`;
    case 'session.resumed':
      return resumedText(e);
    case 'plan.accepted':
      return planText(e);
    case 'programs.checked':
      return [`⚠ ${e.missing.length} step${e.missing.length === 1 ? '' : 's'} cannot run as things are:`, ...e.missing.map((m) => `    ${m.stage}/${m.step}: ${m.reason}`)].join('\n');
    case 'check.ticked':
      return `  ✓ ${titleOf(s, e.stage ?? PREFLIGHT, e.id)} (${e.by === 'confirm' ? 'confirmed' : 'ticked'})`;
    case 'step.waiting':
      return `  ☐ ${titleOf(s, e.stage, e.step)} (manual)${manualText(s, e.stage, e.step)}`;
    case 'check.unticked':
      return `  ○ ${titleOf(s, PREFLIGHT, e.id)} (unticked)`;
    case 'preflight.passed':
      return '✓ pre-flight passed';
    case 'preflight.failed': {
      const parts = [
        e.failed.length ? `failed: ${e.failed.join(', ')}` : '',
        e.unticked.length ? `not confirmed: ${e.unticked.map((t) => `"${t}"`).join(', ')} (pass --confirm "<title>" or --yes)` : '',
      ].filter(Boolean);
      return `✗ pre-flight FAILED (${parts.join('; ')})`;
    }
    case 'stage.started': {
      const st = s.stages.find((x) => x.id === e.stage);
      const title = stageTitle(s, e.stage);
      const def = rb?.stages.find((x) => x.id === e.stage);
      const off = rb && def ? stageUnguarded(rb, def) : undefined;
      return `▶ stage ${e.stage}${title === e.stage ? '' : `: ${title}`}${st?.budgetMs !== undefined ? ` (budget ${formatClock(st.budgetMs)})` : ''}${off ? `\n⚠ AUTO-ROLLBACK OFF: ${off}` : ''}`;
    }
    case 'stage.skipped':
      return `- stage ${e.stage} skipped: ${e.reason}`;
    case 'step.started': {
      const t = titleOf(s, e.stage, e.step);
      return `  ▶ ${t}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}${e.command === t ? '' : `: ${e.command}`}`;
    }
    case 'step.finished': {
      const t = titleOf(s, e.stage, e.step);
      if (e.ok) return `  ✓ ${t} (${formatDuration(e.durationMs)})${e.note ? `: ${e.note}` : ''}`;
      if (e.interrupted && !e.timedOut) return `  ■ ${t} interrupted (${formatDuration(e.durationMs)})`;
      const lines = [`  ✗ ${t} FAILED: ${sanitizeLine(e.reason ?? 'failed')}${e.notStarted ? '' : ` (${formatDuration(e.durationMs)})`}`];
      const at = failedAt(s, e.stage, e.step);
      if (at) lines.push(at);
      if (e.lastLine) lines.push(`    last line: ${e.lastLine}`);
      if (e.troubleshooting) {
        lines.push(`    troubleshooting: ${e.troubleshooting.title}${e.troubleshooting.hint ? ` — ${e.troubleshooting.hint}` : ''}`);
        for (const c of e.troubleshooting.commands) lines.push(`      ${c}`);
      }
      return lines.join('\n');
    }
    case 'step.command':
      return commandLine(s, e);
    case 'step.retrying':
      return `  ↻ retrying ${titleOf(s, e.stage, e.step)} (attempt ${e.attempt}${e.automatic ? ', automatic' : ''})`;
    case 'step.skipped':
      return `  ⤼ ${titleOf(s, e.stage, e.step)} skipped: ${e.reason}`;
    case 'stage.over-budget':
      return `⚠ stage ${e.stage} OVER BUDGET (${formatClock(e.elapsedMs)} / ${formatClock(e.budgetMs)})`;
    case 'stage.passed':
      return `✓ stage ${e.stage} passed (${formatDuration(e.durationMs)})`;
    case 'stage.failed':
      return `✗ stage ${e.stage} FAILED${e.step ? ` at ${titleOf(s, e.stage, e.step)}` : ''}: ${sanitizeLine(e.reason)}`;
    case 'rollback.started':
      return `⟲ ROLLING BACK (${e.source}): ${e.reason}`;
    case 'rollback.finished':
      return e.ok ? `⟲ ROLLED BACK (${rollbackTookText(e.durationMs)})` : `✗ ROLLBACK FAILED at ${e.step}: ${e.reason ?? 'failed'}`;
    case 'session.interrupted':
      return `■ Ctrl+C${e.step ? `: interrupted ${e.stage}/${e.step}` : ''}`;
    case 'signal.received':
      return {
        interrupt: `■ ${e.signal}: interrupting`,
        'rollback-goes-on': `⚠ ${e.signal}: the rollback goes on`,
        'abandon-rollback': `■ ${e.signal} again: the rollback is abandoned by the operator; the incident is opened anyway`,
        ignored: e.signal === 'SIGHUP' ? '⚠ SIGHUP (the terminal closed): the run goes on; cockpit watch follows it' : `⚠ ${e.signal}: ignored`,
        'keep-guarding': `⚠ ${e.signal}: the guardrails keep watching production; ${e.signal === 'SIGINT' ? 'Ctrl+C' : e.signal} again within 2 s leaves them unguarded`,
        'leave-unguarded': `■ ${e.signal} again: leaving the guardrails unguarded`,
        'hand-over': `■ ${e.signal}: handing the session over to a background guard`,
      }[e.action];
    case 'guard.handed-over':
    case 'guard.left-unguarded':
      return leftText(e);
    case 'journal.unwritable':
      return `⚠ ${journalText(e)}`;
    case 'session.paused':
      return pausedText(e);
    case 'session.ended':
      return `■ ${OUTCOME_WORD[e.outcome]}`;
    case 'metric.sampled': {
      const parts = Object.entries(e.values).map(([k, v]) => `${k}=${v === null ? `∅(${sanitizeLine(e.errors[k] ?? 'no data')})` : Number(v.toPrecision(4))}`);
      return `  · metrics ${parts.join('  ')}`;
    }
    case 'probe.sampled': {
      const parts = Object.entries(e.results).map(([k, r]) => `${k}=${r.error ? `error(${r.error})` : `${r.status} ${r.latencyMs}ms`}`);
      return `  · probes ${parts.join('  ')}`;
    }
    case 'baseline.taken':
      return baselineText(e);
    case 'baseline.from-samples':
      return `  · baseline: ${e.why}: the mean of the last ${e.samples} samples when each stage starts`;
    case 'guard.armed':
      return e.armed ? `⛨ triggers ARMED (${e.why})` : `⛨ triggers disarmed (${e.why})`;
    case 'guard.unguarded':
      return `⚠ UNGUARDED: the release goes on past the failed guardrail self-test (${e.by === 'flag' ? '--unguarded' : 'confirmed by the operator'}): ${sanitizeLine(e.reason)}`;
    case 'guard.hold':
      return e.holding
        ? `⏸ HOLD: no data from ${e.triggers.join(', ')}: monitors and ramps paused${e.limitMs !== undefined ? ` (the stage fails if it holds ${formatCompact(e.limitMs)})` : ''}`
        : Object.values(s.guard.triggers).some((t) => t.noData)
          ? '▶ hold lifted: the triggers are disarmed'
          : '▶ hold lifted: data is back';
    case 'trigger.pending':
      return `◐ trigger ${e.trigger} PENDING (value ${Number(e.value.toPrecision(4))})`;
    case 'trigger.reset':
      return `○ trigger ${e.trigger} reset (value ${Number(e.value.toPrecision(4))})`;
    case 'trigger.fired':
      return [`● trigger ${e.trigger} FIRED: ${e.reason}`, ...(e.record ? decisionLines(e.record).map((l, i) => `    ${i === 0 ? 'why: ' : ''}${l}`) : [])].join('\n');
    case 'trigger.shadow-fired':
      return `◌ shadow trigger ${e.trigger} would have fired at ${stampOf(new Date(e.at)).slice(0, 8)}: ${e.reason} (shadow: no rollback)`;
    case 'trigger.nodata':
      return `? trigger ${e.trigger} NO DATA for ${e.misses} samples (${e.error ?? 'source error'}): policy ${e.policy}`;
    case 'trigger.data-back':
      return `○ trigger ${e.trigger}: data is back`;
    case 'trigger.broken':
      return `✗ ${sanitizeLine(e.reason)}: the step fails now (a configuration error, not no data)`;
    case 'criteria.checked':
      return e.results.map((r) => `  ${r.ok ? '✓' : '✗'} criterion ${r.metric} ${r.op === 'below' ? '<' : '>'} ${r.threshold}: ${r.value === null ? 'no data' : Number(r.value.toPrecision(4))}`).join('\n');
    case 'rollback.verified':
      return `✓ rollback verified: ${restoredText(e.restoreMs, s.rollback.source, e.pausedMs)}`;
    case 'escalation.started':
      return `⚑ escalation level ${e.level} (${e.title}): ${e.action}`;
    case 'escalation.finished':
      return e.ok ? `⚑ escalation level ${e.level} done` : `✗ escalation level ${e.level} FAILED: ${e.error ?? 'failed'}${e.attempts > 1 ? ` (after ${e.attempts} attempts)` : ''}`;
    case 'notification.finished':
      return e.ok
        ? `✉ notified ${e.target} (${e.on})`
        : `✗ NOTIFICATION FAILED: ${e.target} (${e.on}): ${sanitizeLine(e.error ?? 'failed')}${e.attempts > 1 ? ` (after ${e.attempts} attempts)` : ''}`;
    case 'escalation.dropped':
      return e.levels.map((l) => `✗ escalation level ${l.level} (${l.title}) will not run: ${e.why} ${formatClock(Math.max(0, l.dueAt - e.t))} before it was due`).join('\n');
    case 'incident.acknowledged':
      return '⚑ incident acknowledged';
    case 'incident.resolved':
      return '⚑ incident resolved: escalation stopped';
    case 'release.commit':
      return `  · commit ${e.sha.slice(0, 12)}`;
    case 'risk.registered':
      return e.ok
        ? `⚑ risk register: entry for session ${e.entry.session} ${e.via === 'file' ? 'appended to' : 'handed to'} ${e.target}`
        : `✗ RISK REGISTER FAILED (${e.target}): ${e.error ?? 'failed'}: record the rollback by hand (the rollback itself is done)`;
    case 'release.reviewed':
      return reviewLines(e).join('\n');
    case 'step.output':
      return undefined;
  }
}

/** Prints the session as plain timestamped lines; the same error on consecutive samples once, with a count (repeats.ts). */
export function attachPlain(c: Controller, write: Write): () => void {
  let repeats = noRepeats;
  const offEvents = c.subscribe((s, e) => {
    const text = describeEvent(s, e, c.runbook);
    if (text === undefined) return;
    const stamp = stampOf(new Date(e.at)).slice(0, 8);
    for (const line of text.split('\n')) {
      const r = collapseRepeats(repeats, { stamp, text: sanitizeOutput(line), ...sampleKind(e.type, line) });
      repeats = r.state;
      for (const l of r.out) write(l);
    }
  });
  const offOutput = c.onOutput((_stage, _step, lines) => {
    // one write per batch, not per line
    const now = stampOf(new Date()).slice(0, 8);
    write(
      lines
        .map((l) => {
          const { time, text } = parseLogLine(l);
          // step output as output: its colour kept, every other escape dropped (the step's log keeps the raw bytes)
          return `${time || now}   │ ${sanitizeOutput(text)}`;
        })
        .join('\n'),
    );
  });
  return () => {
    offEvents();
    offOutput();
    for (const l of flushRepeats(repeats).out) write(l);
    repeats = noRepeats;
  };
}

/** Prints every event, and every output line, as one JSON object a line, `v` first (the contract: docs/events.md). */
export function attachJson(c: Controller, write: Write): () => void {
  const offEvents = c.subscribe((_s, e) => write(jsonLine(e)));
  const offOutput = c.onOutput((stage, step, lines) => {
    write(
      lines
        .map((l) => {
          const { time, text } = parseLogLine(l);
          const line: StepLine = { type: 'step.line', stage, step, time, text };
          return jsonLine(line);
        })
        .join('\n'),
    );
  });
  return () => {
    offEvents();
    offOutput();
  };
}

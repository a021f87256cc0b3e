/**
 * followSession (cockpit watch): a ReadOnlySession fed from another cockpit's journal as it is
 * written; its intents say how to act instead (rollbackHow).
 */
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../src/core/events.js';
import { followSession, LOG_WAIT_MS, rollbackHow } from '../../src/session/follower.js';
import { runbookOf } from '../helpers/guard-harness.js';
import { waitFor } from '../helpers/ink.js';

const RUNBOOK = `
name: web-app
version: "2.4.0"
stages:
  - id: production
    steps: [./deploy.sh]
rollback:
  steps: [./rollback.sh]
`;

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const line = (e: Partial<SessionEvent> & { type: string }) => `${JSON.stringify({ at: Date.now(), t: 0, ...e })}\n`;

/** A state root as a driving cockpit leaves it: its lock names session s1, held by a live pid (this one); its journal started. */
function drivenSession(mode: 'tui' | 'headless'): { sessionDir: string; journalPath: string; info: { id: string; dir: string; journalPath: string; driverPid: number } } {
  dir = mkdtempSync(join(tmpdir(), 'cockpit-follower-'));
  const sessionDir = join(dir, 'sessions', 's1');
  mkdirSync(sessionDir, { recursive: true });
  writeFileSync(join(dir, 'lock'), JSON.stringify({ pid: process.pid, sessionId: 's1' }));
  const journalPath = join(sessionDir, 'journal.jsonl');
  writeFileSync(journalPath, line({ type: 'session.started', sessionId: 's1', runbook: 'web-app', file: '/srv/cockpit.yml', version: '2.4.0', environment: 'production', mode } as never));
  return { sessionDir, journalPath, info: { id: 's1', dir: sessionDir, journalPath, driverPid: process.pid } };
}

/**
 * A follower of a driven session whose one step logs to `logPath`: `seen` lists the events it folds
 * and the output it relays ("output <line>"), in order. `before` runs first (a log already there).
 * Stopped when the test ends.
 */
function followingStep(mode: 'tui' | 'headless', onTestFinished: (fn: () => void) => void, before?: (logPath: string) => void) {
  const { sessionDir, journalPath, info } = drivenSession(mode);
  const rb = runbookOf(RUNBOOK);
  const step = rb.stages[0].steps[0].id;
  const logPath = join(sessionDir, `production.${step}.log`);
  before?.(logPath);
  const f = followSession(rb, info);
  onTestFinished(() => f.stop());
  const seen: string[] = [];
  f.session.onOutput((_stage, _step, lines) => seen.push(...lines.map((l) => `output ${l}`)));
  f.session.subscribe((_s, e) => seen.push(e.type));
  f.start();
  return { journalPath, step, logPath, seen };
}

describe('followSession', () => {
  it('folds the journal already written at start, then what is appended; refuses with how to roll back', async () => {
    const { journalPath, info } = drivenSession('tui');
    const rb = runbookOf(RUNBOOK);
    const f = followSession(rb, info);
    const seen: string[] = [];
    f.session.subscribe((_s, e) => seen.push(e.type));
    f.start();
    try {
      expect(f.session.state.sessionId).toBe('s1');
      expect(seen).toEqual(['session.started']);
      appendFileSync(journalPath, line({ type: 'stage.started', stage: 'production', t: 5 } as never));
      await waitFor(() => f.session.state.stages[0].status === 'running', 'the appended event folded');
      expect(f.session.readOnly).toBe(rollbackHow(rb, info));
      expect(f.session.readOnly).toContain(`read-only: roll back in pid ${process.pid} (R)`);
      expect(f.session.driverGone).toBeUndefined();
      expect(f.session.rollback('r', 'operator')).toEqual({ ok: false, reason: rollbackHow(rb, info) });
    } finally {
      f.stop();
    }
  });

  it("hands over a step's output before its end, when the journal gives both at once (it showed the end first, and a follower that stopped at the session's end lost the output)", async ({ onTestFinished }) => {
    const { journalPath, step, logPath, seen } = followingStep('headless', onTestFinished, (log) => writeFileSync(log, '12:00:00.000 rolled out 3 pods\n12:00:00.100 health ok\n'));
    // a quick step: its start and its end reach the journal in one write
    appendFileSync(
      journalPath,
      line({ type: 'stage.started', stage: 'production' } as never) +
        line({ type: 'step.started', stage: 'production', step, logPath, attempt: 1 } as never) +
        line({ type: 'step.finished', stage: 'production', step, ok: true, exitCode: 0, signal: null, durationMs: 5 } as never),
    );
    await waitFor(() => seen.includes('step.finished'), 'the step end folded');
    expect(seen.slice(seen.indexOf('step.started'))).toEqual(['step.started', 'output 12:00:00.000 rolled out 3 pods', 'output 12:00:00.100 health ok', 'step.finished']);
  });

  it("shows a step's output when its log is made after the journal says it started (a supervisor still booting): the follower waits for the log, creating nothing; every line, in order", async ({ onTestFinished }) => {
    const { journalPath, step, logPath, seen } = followingStep('tui', onTestFinished);
    appendFileSync(journalPath, line({ type: 'stage.started', stage: 'production' } as never) + line({ type: 'step.started', stage: 'production', step, logPath, attempt: 1 } as never));
    await waitFor(() => seen.includes('step.started'), 'the step start folded');
    // a follower makes nothing in the session it shows: no log of its own making
    await new Promise((r) => setTimeout(r, 3 * LOG_WAIT_MS));
    expect(existsSync(logPath)).toBe(false);
    // the supervisor makes the log, then writes to it
    writeFileSync(logPath, '12:00:00.000 rb begins\n');
    await waitFor(() => seen.includes('output 12:00:00.000 rb begins'), 'the first line of a log made late');
    appendFileSync(logPath, '12:00:01.000 still rolling\n');
    await waitFor(() => seen.includes('output 12:00:01.000 still rolling'), 'a line written after');
    appendFileSync(logPath, '12:00:02.000 rolled back\n');
    appendFileSync(journalPath, line({ type: 'step.finished', stage: 'production', step, ok: true, exitCode: 0, signal: null, durationMs: 2000 } as never));
    await waitFor(() => seen.includes('step.finished'), 'the step end folded');
    expect(seen.slice(seen.indexOf('step.started'))).toEqual(['step.started', 'output 12:00:00.000 rb begins', 'output 12:00:01.000 still rolling', 'output 12:00:02.000 rolled back', 'step.finished']);
  });

  it('a step that ended without a log (it never started): its end shows, and the follower stops waiting for it', async ({ onTestFinished }) => {
    const { journalPath, step, logPath, seen } = followingStep('tui', onTestFinished);
    appendFileSync(
      journalPath,
      line({ type: 'stage.started', stage: 'production' } as never) +
        line({ type: 'step.started', stage: 'production', step, logPath, attempt: 1 } as never) +
        line({ type: 'step.finished', stage: 'production', step, ok: false, exitCode: null, signal: null, durationMs: 0, reason: 'the cockpit stopped before this step could start (nothing ran)' } as never),
    );
    await waitFor(() => seen.includes('step.finished'), 'the step end folded');
    // a log that appears afterwards is not tailed: the step is over
    writeFileSync(logPath, '12:00:00.000 late\n');
    await new Promise((r) => setTimeout(r, 3 * LOG_WAIT_MS));
    expect(seen.filter((x) => x.startsWith('output'))).toEqual([]);
  });
});

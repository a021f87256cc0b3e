/**
 * followSession (cockpit watch): a ReadOnlySession fed from another cockpit's journal as it is
 * written; its intents say how to act instead (rollbackHow).
 */
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../src/core/events.js';
import { followSession, rollbackHow } from '../../src/session/follower.js';
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

describe('followSession', () => {
  it('folds the journal already written at start, then what is appended; refuses with how to roll back', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cockpit-follower-'));
    // a state root as a driving cockpit leaves it: its lock names the session, held by a live pid (this one)
    const sessionDir = join(dir, 'sessions', 's1');
    mkdirSync(sessionDir, { recursive: true });
    writeFileSync(join(dir, 'lock'), JSON.stringify({ pid: process.pid, sessionId: 's1' }));
    const journalPath = join(sessionDir, 'journal.jsonl');
    writeFileSync(journalPath, line({ type: 'session.started', sessionId: 's1', runbook: 'web-app', file: '/srv/cockpit.yml', version: '2.4.0', environment: 'production', mode: 'tui' } as never));
    const rb = runbookOf(RUNBOOK);
    const info = { id: 's1', dir: sessionDir, journalPath, driverPid: process.pid };
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
});

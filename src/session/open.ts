/** Opens a session on disk: .cockpit/sessions/<id>/ with its journal, the lock, the controller. */
import { accessSync, constants, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ProcessRunner, type Runner } from '../exec/runner.js';
import type { Runbook } from '../runbook/types.js';
import { Controller, type ControllerOptions } from './controller.js';
import { FileJournal } from './journal.js';
import { takeLock } from './lock.js';
import { attachRecords } from './records.js';
import { newSessionId, sessionValues } from './values.js';

export type OpenedSession = {
  readonly controller: Controller;
  readonly sessionId: string;
  readonly sessionDir: string;
  readonly journalPath: string;
  /** Waits for the session's records (risk register, review) to be journalled: before close(). */
  drain(): Promise<void>;
  close(): void;
};

/**
 * Where sessions live: COCKPIT_STATE_DIR, else .cockpit/ beside the runbook, else (a runbook in a
 * read-only place, like a shared docs folder) .cockpit/ in the current directory.
 */
export function stateDir(rb: Runbook, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  if (env.COCKPIT_STATE_DIR) return env.COCKPIT_STATE_DIR;
  try {
    accessSync(rb.dir, constants.W_OK);
    return join(rb.dir, '.cockpit');
  } catch {
    return join(cwd, '.cockpit');
  }
}

export function openSession(
  rb: Runbook,
  given: Omit<ControllerOptions, 'runbook' | 'runner' | 'journal' | 'sessionId' | 'sessionDir' | 'values'> & { runner?: Runner; learning?: string },
): OpenedSession | string {
  const { learning, ...opts } = given;
  const root = stateDir(rb);
  const sessionId = newSessionId();
  const sessionDir = join(root, 'sessions', sessionId);
  try {
    mkdirSync(sessionDir, { recursive: true });
  } catch (e) {
    return `cannot create ${sessionDir}: ${(e as Error).message}`;
  }
  const lock = takeLock(root, sessionId);
  if (typeof lock === 'string') return lock;
  const journalPath = join(sessionDir, 'journal.jsonl');
  // the controller masks every event before it reaches the journal: not masked twice here
  const journal = new FileJournal(journalPath);
  const controller = new Controller({
    ...opts,
    runbook: rb,
    runner: opts.runner ?? new ProcessRunner(),
    journal,
    sessionId,
    sessionDir,
    values: sessionValues(rb, sessionId),
  });
  const records = attachRecords(controller, { journalPath, sessionDir, learning, env: opts.env });
  let closed = false;
  return {
    controller,
    sessionId,
    sessionDir,
    journalPath,
    drain: () => records.drain(),
    close() {
      if (closed) return;
      closed = true;
      records.detach();
      controller.dispose(); // no sampling or escalation timer may write after the journal closed
      journal.close();
      lock.release();
    },
  };
}

/**
 * A team's session, once it has ended, goes to the shared history on the team's remote
 * (team/shared-history.ts): its summary, as `cockpit history` folds it, and its journal. The
 * session is the one this cockpit's lease token started. Failing to share loses nothing: the
 * journal stays in the state directory, and the line says so.
 */
import { errorCode } from '../core/error-message.js';
import { readRelease } from '../history/log.js';
import type { Runbook } from '../runbook/types.js';
import { listSessions, type SessionInfo } from '../session/follow.js';
import { readNoFollow } from '../core/safe-open.js';
import { parseJournal, readJournal } from '../session/journal.js';
import { stateDir } from '../session/state-dir.js';
import { shareSession } from '../team/shared-history.js';
import { namesOf } from './history.js';
import type { Io } from './io.js';

/** The session the team lease generation `token` started here. */
export function sessionOfLease(rb: Runbook, token: number): SessionInfo | undefined {
  return listSessions(stateDir(rb))
    .reverse()
    .find((x) => x.started?.runbook === rb.name && x.started.teamLease !== undefined && 'token' in x.started.teamLease && x.started.teamLease.token === token);
}

/** Whether the session was handed over to a background guard (which holds its lease from then on). */
export function handedOver(s: SessionInfo): boolean {
  try {
    return readJournal(s.journalPath).some((e) => e.type === 'guard.handed-over');
  } catch {
    return false;
  }
}

/** Shares the team session `s` (sessionOfLease) once it has ended. */
export async function shareEndedSession(rb: Runbook, s: SessionInfo | undefined, io: Io, cwd = process.cwd()): Promise<void> {
  // not ended here (handed over to a background guard): not shared from here
  if (!rb.team || !s || s.outcome === undefined) return;
  let text: string;
  try {
    text = readNoFollow(s.journalPath);
  } catch (e) {
    io.err(`cockpit: the session could not be shared on ${rb.team.remote}: its journal ${s.journalPath} cannot be read (${errorCode(e)})`);
    return;
  }
  const journal = Buffer.from(text);
  const release = readRelease({ id: s.id, journal: s.journalPath, events: parseJournal(text), live: false }, namesOf(rb));
  // a session that neither deployed nor rolled back has nothing for the history
  if (!release) return;
  const why = await shareSession({ cwd, remote: rb.team.remote }, rb.name, s.id, release, journal);
  if (why) io.err(`cockpit: the release history could not be shared on ${rb.team.remote} (${why}); the session stays here: ${s.journalPath}`);
}

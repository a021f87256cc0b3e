/** Opens a session on disk: .cockpit/sessions/<id>/ with its journal, the lock, the controller. */
import { attachNotifier, type NotifierOptions } from './notifier.js';
import { closeSync, fstatSync, ftruncateSync, mkdirSync, readSync } from 'node:fs';
import { openNoFollow, refusalOf, unsafeDir } from '../core/safe-open.js';
import { dirname, join, relative } from 'node:path';
import { ProcessRunner, type Runner } from '../exec/runner.js';
import type { Runbook } from '../runbook/types.js';
import type { SessionEvent } from '../core/events.js';
import { Controller, type ControllerOptions } from './controller.js';
import { FileJournal, readJournal } from './journal.js';
import { listSessions, lockHolder, runningSteps, type LockHolder, type SessionInfo } from './follow.js';
import { takeLock, type Lock } from './lock.js';
import { holderAlive } from './lock-holder.js';
import { attachRecords } from './records.js';
import { listenForControl } from './control.js';
import { newSessionId, sessionValues } from './values.js';
import { errorMessage } from '../core/error-message.js';
import { stateDir } from './state-dir.js';

export { stateDir };

export type OpenedSession = {
  readonly controller: Controller;
  readonly sessionId: string;
  readonly sessionDir: string;
  readonly journalPath: string;
  /** Set when this is a session whose cockpit died, taken over (controller.start() resumes it). */
  readonly resumed?: { readonly previousPid?: number };
  /** Waits for the session's records (risk register, review) to be journalled: before close(). */
  drain(): Promise<void>;
  close(): void;
  /**
   * Releases the lock now, before close(): the session has ended and its terminal is gone
   * (SIGHUP), so a cockpit started again at once drives while this one writes its last records.
   */
  releaseLock(): void;
  /** The lock to process `pid` (lock.ts handOver); false when it is not ours any more. */
  handOver(pid: number): boolean;
};

/** A session left unfinished longer ago than this is not resumed (it is closed as interrupted). */
export const RESUME_WITHIN_MS = 12 * 60 * 60 * 1000;

/** The newest session of this runbook that never ended (its cockpit died), if any. */
export function unfinishedSession(root: string, rb: Runbook): SessionInfo | undefined {
  return listSessions(root)
    .filter((x) => x.started?.file === rb.file && x.outcome === undefined)
    .at(-1);
}

/** A crash mid-write leaves a torn last line: cut it off before anything is appended after it. */
function cutTornTail(path: string): void {
  const fd = openNoFollow(path, 'update');
  try {
    const size = fstatSync(fd).size;
    const chunk = Buffer.alloc(Math.min(size, 64 * 1024));
    readSync(fd, chunk, 0, chunk.length, size - chunk.length);
    if (chunk.length === 0 || chunk[chunk.length - 1] === 10) return;
    const nl = chunk.lastIndexOf(10);
    ftruncateSync(fd, nl < 0 ? size - chunk.length : size - chunk.length + nl + 1);
  } finally {
    closeSync(fd);
  }
}

export type OpenOptions = Omit<ControllerOptions, 'runbook' | 'runner' | 'journal' | 'sessionId' | 'sessionDir' | 'values' | 'resume' | 'previousPid'> & {
  runner?: Runner;
  /** Take over this runbook's unfinished session (its cockpit died) instead of starting anew. */
  resume?: boolean;
  /**
   * Take over the session of the cockpit that died with a step still running (`cockpit
   * rollback`: it stops that step), however long ago that session's last event was.
   */
  takeOverRunning?: boolean;
  /** The operator's own learning, added to the end-of-release review. */
  learning?: string;
  /** How `notify:` targets are sent (tests: retry delay). */
  notify?: Omit<NotifierOptions, 'env'>;
  /**
   * A background guard: the session `sessionId` that cockpit `fromPid` handed over (its lock
   * now names this process) is taken over, and nothing else.
   */
  adopt?: { readonly sessionId: string; readonly fromPid: number };
};

/** Which session this cockpit drives: one to take over (resuming), one too old to resume (left), the lock's previous holder. */
type Chosen = { readonly resuming?: SessionInfo; readonly left?: SessionInfo; readonly previous?: LockHolder };

function chooseSession(root: string, rb: Runbook, given: OpenOptions): Chosen | string {
  const { adopt, takeOverRunning } = given;
  const previous = adopt ? { pid: adopt.fromPid, sessionId: adopt.sessionId } : lockHolder(root);
  const found = adopt ? adopted(root, rb, adopt.sessionId) : given.resume ? unfinishedSession(root, rb) : undefined;
  if (adopt && !found) return `session ${adopt.sessionId} is not an unfinished session of ${rb.name}: nothing to guard`;
  // a session whose journal or folder is a symlink may be the one to resume: never read or written
  // through it, and not passed over either (its release may be half done); a rollback is not held up
  const planted = given.resume && !takeOverRunning ? listSessions(root).find((x) => x.refused)?.refused : undefined;
  if (planted) return `${planted} (a session's file replaced by a symlink: look at it, remove the symlink, then run again; nothing was started)`;
  const tooOld = (x: SessionInfo) => x.lastAt !== undefined && Date.now() - x.lastAt > RESUME_WITHIN_MS;
  // the dead cockpit's session whose step still runs: `cockpit rollback` takes it over, whatever its age
  const stillRunning = takeOverRunning ? orphanedWithSteps(root, rb, previous) : undefined;
  const left = !adopt && !stillRunning && found && tooOld(found) ? found : undefined;
  return { resuming: stillRunning ?? (found && !left ? found : undefined), left, previous };
}

/** Takes the lock and makes the session's folder; the lock, or why not (nothing held then). */
function lockAndMake(root: string, sessionId: string, resuming: SessionInfo | undefined): Lock | string {
  const sessionDir = join(root, 'sessions', sessionId);
  try {
    mkdirSync(root, { recursive: true });
  } catch (e) {
    return `cannot create ${root}: ${errorMessage(e)}`;
  }
  // the lock comes first: a session is only taken over from a cockpit that is gone, and never from
  // one whose step still runs unless it is that very session being taken over (it follows the step)
  const lock = takeLock(root, sessionId, { mayTakeOver: (holder) => (holder.sessionId === resuming?.id ? undefined : stepsStillRun(root, holder)) });
  if (typeof lock === 'string') return lock;
  // a symlink planted for the sessions folder or this session's: refused, nothing written through it
  const badDir = unsafeDir(join(root, 'sessions')) ?? unsafeDir(sessionDir);
  if (badDir) {
    lock.release();
    return badDir;
  }
  try {
    mkdirSync(sessionDir, { recursive: true });
  } catch (e) {
    lock.release();
    return `cannot create ${sessionDir}: ${errorMessage(e)}`;
  }
  return lock;
}

/** The session's journal (a resumed one's events read first, its torn tail cut), or the refusal of a planted symlink. */
function openJournal(journalPath: string, resuming: boolean): { journal: FileJournal; resume?: SessionEvent[] } | { refused: string } {
  try {
    let resume: SessionEvent[] | undefined;
    if (resuming) {
      cutTornTail(journalPath);
      resume = readJournal(journalPath);
    }
    // the controller masks every event before it reaches the journal: not masked twice here
    return { journal: new FileJournal(journalPath), resume };
  } catch (e) {
    // a symlink planted for the journal: its target is neither truncated nor appended to
    const refused = refusalOf(e);
    if (!refused) throw e;
    return { refused };
  }
}

export function openSession(rb: Runbook, given: OpenOptions): OpenedSession | string {
  const { learning, takeOverRunning: _t, notify, adopt: _a, ...opts } = given;
  const root = stateDir(rb);
  const chosen = chooseSession(root, rb, given);
  if (typeof chosen === 'string') return chosen;
  const { resuming, left, previous } = chosen;
  const sessionId = resuming?.id ?? newSessionId();
  const sessionDir = join(root, 'sessions', sessionId);
  const lock = lockAndMake(root, sessionId, resuming);
  if (typeof lock === 'string') return lock;
  if (left) closeAbandoned(left);
  const journalPath = join(sessionDir, 'journal.jsonl');
  const j = openJournal(journalPath, resuming !== undefined);
  if ('refused' in j) {
    lock.release();
    return j.refused;
  }
  const previousPid = resuming && previous?.sessionId === resuming.id ? previous.pid : undefined;
  const runner = opts.runner ?? new ProcessRunner();
  const controller = new Controller({
    ...opts,
    resume: j.resume,
    previousPid,
    ...(lock.tookOver && !resuming ? { lockTakenOver: { pid: lock.tookOver.pid, why: lock.tookOver.why } } : {}),
    runbook: rb,
    runner,
    journal: j.journal,
    sessionId,
    sessionDir,
    values: sessionValues(rb, sessionId),
  });
  const opened = { controller, sessionId, sessionDir, journalPath, resumed: resuming ? { previousPid } : undefined };
  return withLifecycle(opened, { journal: j.journal, lock, runner, learning, notify, env: opts.env });
}

/** The opened session's drain, close, lock release and hand-over, with its records and notifier attached. */
function withLifecycle(
  s: Pick<OpenedSession, 'controller' | 'sessionId' | 'sessionDir' | 'journalPath' | 'resumed'>,
  o: { journal: FileJournal; lock: Lock; runner: Runner; learning?: string; notify?: Omit<NotifierOptions, 'env'>; env?: NodeJS.ProcessEnv },
): OpenedSession {
  const { controller } = s;
  const records = attachRecords(controller, { journalPath: s.journalPath, sessionDir: s.sessionDir, learning: o.learning, env: o.env });
  // `cockpit rollback` run while this cockpit drives asks it to roll back (session/control.ts)
  const closeControl = listenForControl(dirname(dirname(s.sessionDir)), { rollback: (reason) => controller.rollback(reason, 'command') });
  const notifier = attachNotifier(controller, controller.runbook.notify, { env: o.env ?? process.env, ...o.notify });
  let closed = false;
  return {
    ...s,
    // messages first (their outcomes are events), then the records those may still cause
    drain: async () => {
      await Promise.all([notifier.drain(), controller.drainEscalation()]);
      await records.drain();
    },
    close() {
      if (closed) return;
      closed = true;
      closeControl();
      notifier.detach();
      records.detach();
      controller.dispose(); // no sampling or escalation timer may write after the journal closed
      o.runner.close?.(); // its spare supervisors: none outlives the session
      o.journal.close();
      o.lock.release();
    },
    releaseLock() {
      o.lock.release();
    },
    handOver(pid) {
      return o.lock.handOver(pid);
    },
  };
}

/** The unfinished session `id` of this runbook (a background guard takes it over). */
function adopted(root: string, rb: Runbook, id: string): SessionInfo | undefined {
  const info = listSessions(root).find((x) => x.id === id);
  return info && info.started?.file === rb.file && info.outcome === undefined ? info : undefined;
}

/** The session of the lock's dead holder, of this runbook, unfinished, with a step its supervisor still runs. */
function orphanedWithSteps(root: string, rb: Runbook, holder: LockHolder | undefined): SessionInfo | undefined {
  if (!holder?.sessionId || holderAlive(holder)) return undefined;
  const info = listSessions(root).find((x) => x.id === holder.sessionId);
  return info && info.started?.file === rb.file && info.outcome === undefined && runningSteps(info.dir).length > 0 ? info : undefined;
}

/**
 * Why a dead holder's lock is not taken for a new session: a step of its session still runs under
 * its supervisor (a deploy half done). What to do instead: resume that session, wait, or roll back.
 */
function stepsStillRun(root: string, holder: LockHolder): string | undefined {
  if (!holder.sessionId) return undefined;
  const dir = join(root, 'sessions', holder.sessionId);
  const running = runningSteps(dir);
  if (running.length === 0) return undefined;
  const info = listSessions(root).find((x) => x.id === holder.sessionId);
  const file = info?.started?.file;
  const shown = file ? relative(process.cwd(), file) || file : undefined;
  const resumable = info !== undefined && info.outcome === undefined && !(info.lastAt !== undefined && Date.now() - info.lastAt > RESUME_WITHIN_MS);
  const steps = running.map((r) => `${r.stage}/${r.step} (supervisor pid ${r.supervisorPid})`).join(', ');
  return (
    `the cockpit${holder.pid ? ` (pid ${holder.pid})` : ''} that drove session ${holder.sessionId} is gone, but its step ${steps} still runs: nothing was started. ` +
    (resumable ? `cockpit run${shown ? ` ${shown}` : ''} resumes that session and follows the step; ` : '') +
    `wait for the step to end, or stop it with cockpit rollback${shown ? ` ${shown}` : ''} (it takes that session over, interrupts the step and rolls back)`
  );
}

/** An unfinished session too old to resume: recorded as interrupted, so history counts it as it was. */
function closeAbandoned(info: SessionInfo): void {
  try {
    cutTornTail(info.journalPath);
    const events = readJournal(info.journalPath);
    const last = events.at(-1);
    const j = new FileJournal(info.journalPath);
    const t = last?.t ?? 0;
    const at = Date.now();
    j.append({ type: 'session.interrupted', at, t });
    j.append({ type: 'session.ended', outcome: 'interrupted', at, t });
    j.close();
  } catch {
    /* a journal that cannot be closed stays as it is; a new session starts all the same */
  }
}

/**
 * The team's lease around `cockpit run` (team: in the runbook): taken on the git remote before the
 * session opens, renewed while it lives, released when it ends; its generation exported to every
 * step as COCKPIT_LOCK_TOKEN. A refused start names the holder (exit 1) or the hold (exit 4); an
 * unreachable remote refuses unless --local-lock says to release with this machine's lock only
 * (journalled in session.started). The machine's own lock (.cockpit/lock) is taken as well, always.
 */
import { timeOfDay } from '../exec/log-format.js';
import { mkdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import type { TeamLease } from '../core/events.js';
import { errorMessage } from '../core/error-message.js';
import { writeNoFollow } from '../core/safe-open.js';
import type { Runbook } from '../runbook/types.js';
import { stateDir } from '../session/state-dir.js';
import { processAlive } from '../exec/proc.js';
import { sanitizeLine } from '../core/terminal-text.js';
import { GitLease, lockRef } from '../team/git-lease.js';
import { describeHolder } from '../team/lease-record.js';
import { holderHere } from '../team/holder.js';
import type { Io } from './io.js';

export const EXIT_HELD = 1;
export const EXIT_ON_HOLD = 4;
export const LOCK_TOKEN_ENV = 'COCKPIT_LOCK_TOKEN';
/** A file the steps can read: "held <token> <ref>" while this cockpit holds the lease, "lost: <why>" once it lost it. */
export const LEASE_FILE_ENV = 'COCKPIT_LEASE_FILE';

const leaseFile = (rb: Runbook, token: number) => join(stateDir(rb), `lease-${token}`);

function writeLeaseFile(file: string, text: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeNoFollow(file, text);
  } catch {
    /* the state directory cannot be written: the journal says so elsewhere; the token still fences */
  }
}

export type HeldLease = {
  /** What session.started records. */
  readonly event: TeamLease;
  /** Tells `tell` when the lease is lost (the session journals it); until then the loss is said on stderr. */
  onLost(tell: (why: string) => void): void;
  /** Stops renewing and gives the lease up (a released record: the next holder's token still grows). */
  release(): Promise<void>;
  /** Stops renewing and keeps the lease as it is: a background guard takes the session, and the lease, on. */
  keep(): void;
};

/** The lease for `rb`'s environment, or the exit code after saying why not. */
export type TakeOptions = {
  readonly message?: string;
  readonly localLock?: boolean;
  readonly cwd?: string;
  readonly now?: () => number;
  /**
   * For `cockpit rollback`: a hold does not stop it and an unreachable remote does not either (a
   * rollback restores service; it does not wait for the coordination); a live holder still does
   * (their cockpit drives the release, and a second rollback would race theirs).
   */
  readonly rollback?: boolean;
};

export async function takeTeamLease(rb: Runbook, o: TakeOptions, io: Io): Promise<HeldLease | number> {
  const team = rb.team!;
  const target = { runbook: rb.name, environment: rb.environment };
  const lease = new GitLease({ cwd: o.cwd ?? process.cwd(), remote: team.remote, ttlMs: team.leaseMs, ...(o.now ? { now: o.now } : {}) }, target);
  const session = `${hostname()}-${process.pid}-${Date.now().toString(36)}`;
  const got = await lease.acquire(holderHere(), session, o.message, { pastHold: o.rollback });
  const ref = lockRef(target.runbook, target.environment);
  if (!got.ok) {
    if ('onHold' in got) {
      io.err(`cockpit: ${got.why}`);
      return EXIT_ON_HOLD;
    }
    if ('held' in got) {
      io.err(`cockpit: ${got.why}`);
      // a holder on this machine whose process is gone (killed, its terminal closed): said, with when it can be taken over
      const h = got.held.holder;
      if (h.host === hostname() && !processAlive(h.pid))
        io.err(`cockpit: that cockpit (pid ${h.pid}, on this machine) is no longer running: its lease can be taken over once it expires, at ${timeOfDay(got.held.expires)}`);
      io.err(
        o.rollback
          ? `cockpit: nothing rolled back from here: the cockpit of ${describeHolder(got.held.holder)} drives this release, and a second rollback would race it. Ask them to roll back (R there); if that cockpit is gone, cockpit rollback here takes the lease over once it expires`
          : 'cockpit: nothing ran; try again once it is released (cockpit watch follows the release where it runs)',
      );
      return EXIT_HELD;
    }
    if (!o.localLock && !o.rollback) {
      io.err(`cockpit: the team's lease could not be taken (${got.why})`);
      io.err(`cockpit: nothing ran. Fix the remote "${team.remote}", or release with this machine's lock only: cockpit run --local-lock (journalled; another machine could release at the same time)`);
      return 1;
    }
    io.err(
      o.rollback
        ? `cockpit: the team's remote is unreachable (${got.why}): rolling back with this machine's lock only (a rollback does not wait for the remote; journalled)`
        : `cockpit: the team's remote is unreachable (${got.why}): releasing with this machine's lock only (--local-lock)`,
    );
    return { event: { remote: team.remote, ref, localOnly: got.why }, onLost: () => {}, keep: () => {}, release: async () => {} };
  }
  if (got.pastHold) io.err(`cockpit: ${rb.environment} is on hold (${sanitizeLine(got.pastHold.reason)}): the rollback goes ahead (a hold stops releases, not the restoring of service)`);
  const tookOver = got.tookOver ? `generation ${got.tookOver.generation} of ${describeHolder(got.tookOver.holder)}, expired` : undefined;
  return holding(rb, lease, got.token, { remote: team.remote, ref, token: got.token, ...(tookOver ? { tookOver } : {}) }, io);
}

/**
 * A lease this cockpit holds: its token exported to the steps (COCKPIT_LOCK_TOKEN), the lease file
 * they can read, renewed every third of the lease, lost said (to the session once it listens).
 */
function holding(rb: Runbook, lease: GitLease, token: number, event: TeamLease, io: Io): HeldLease {
  const team = rb.team!;
  process.env[LOCK_TOKEN_ENV] = String(token);
  // the steps can read whether this cockpit still holds the lease (a fencing token alone tells
  // only what it is handed to)
  const file = leaseFile(rb, token);
  process.env[LEASE_FILE_ENV] = file;
  writeLeaseFile(file, `held ${token} ${lockRef(rb.name, rb.environment)}\n`);
  let tell: ((why: string) => void) | undefined;
  const timer = setInterval(() => {
    void lease.renew().then(
      (r) => {
        if (r.ok || !r.lost) return;
        clearInterval(timer);
        writeLeaseFile(file, `lost: ${r.why}\n`);
        if (tell) tell(r.why);
        else io.err(`cockpit: LEASE LOST: ${r.why}; another cockpit may now release ${rb.environment}`);
      },
      (e: unknown) => io.err(`cockpit: the lease could not be renewed: ${errorMessage(e)}`),
    );
  }, Math.max(1000, Math.floor(team.leaseMs / 3)));
  timer.unref();
  return {
    event,
    onLost: (fn) => (tell = fn),
    keep: () => clearInterval(timer),
    release: async () => {
      clearInterval(timer);
      await lease.release();
      if (process.env[LOCK_TOKEN_ENV] === String(token)) delete process.env[LOCK_TOKEN_ENV];
      if (process.env[LEASE_FILE_ENV] === file) delete process.env[LEASE_FILE_ENV];
      rmSync(file, { force: true });
    },
  };
}

/**
 * A background guard taking a handed-over session on (cli/background-run.ts): the lease the
 * handing cockpit held (generation `token`) becomes this process's, renewed from now on; the same
 * token, so the steps still running keep theirs. Undefined after saying why when it is no longer
 * that lease (expired and taken over meanwhile).
 */
export async function adoptTeamLease(rb: Runbook, token: number, io: Io, cwd = process.cwd()): Promise<HeldLease | undefined> {
  const team = rb.team!;
  const lease = new GitLease({ cwd, remote: team.remote, ttlMs: team.leaseMs }, { runbook: rb.name, environment: rb.environment });
  const got = await lease.adopt(holderHere(), token);
  if (got !== true) {
    io.err(`cockpit: LEASE LOST: ${got}; another cockpit may now release ${rb.environment}`);
    return undefined;
  }
  return holding(rb, lease, token, { remote: team.remote, ref: lockRef(rb.name, rb.environment), token }, io);
}

/**
 * The team's lease when this cockpit is done: released, and the session added to the shared history
 * (cli/share-history.ts); unless the session was handed over to a background guard, which takes the
 * lease on (and releases and shares it when it ends).
 */
export async function endTeamLease(rb: Runbook, team: HeldLease, io: Io): Promise<void> {
  if (!('token' in team.event)) return team.release();
  const share = await import('./share-history.js');
  const s = share.sessionOfLease(rb, team.event.token);
  if (s && s.outcome === undefined && share.handedOver(s)) return team.keep();
  await team.release();
  await share.shareEndedSession(rb, s, io);
}

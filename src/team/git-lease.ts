/**
 * A lease on the team's git remote: `refs/cockpit/locks/<runbook>/<environment>`, so that two
 * operators (or an operator and a CI job) on different machines never release one environment at
 * once. Every change is a compare-and-swap push (team/git.ts): taking the lease expects the ref
 * absent or at the value last read; renewing expects our own last commit. The record (team/lease-
 * record.ts) names the holder, its session, message and expiry, and a generation that strictly grows
 * with every new holder: the fencing token (COCKPIT_LOCK_TOKEN) a step can hand to what it changes.
 * A lease is taken over only once expired; a kill -9'd holder's lease is free `ttlMs` (plus the
 * clock skew allowance) after its last renewal. Holds (`cockpit hold`) live beside the locks, under
 * `refs/cockpit/holds/<runbook>/<environment>`.
 */
import { casPush, readRemoteRef, readRemoteRefs, writeCommit, type GitOptions, type RemoteRef } from './git.js';
import { blocks, decodeHold, decodeLease, encode, holdRefusal, refusal, type HoldRecord, type LeaseHolder, type LeaseRecord } from './lease-record.js';

/**
 * A ref name part from a runbook or environment name: what git allows in a ref (letters of any
 * script too), the rest as '-'. Two names that differ only there share a lock: the safe way round.
 */
export function refPart(name: string): string {
  const part = name
    .normalize('NFC')
    .replace(/[\x00-\x20\x7f~^:?*[\\/\s]+|@\{/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[.-]+|[.-]+$/g, '')
    .replace(/\.lock$/i, '-lock');
  return part || 'unnamed';
}

export const lockRef = (runbook: string, env: string) => `refs/cockpit/locks/${refPart(runbook)}/${refPart(env)}`;
export const holdRef = (runbook: string, env: string) => `refs/cockpit/holds/${refPart(runbook)}/${refPart(env)}`;

export type LeaseTarget = { readonly runbook: string; readonly environment: string };

/** Taken: its token; the expired lease it took over; the hold it went past (`pastHold`). */
export type Acquired = { readonly ok: true; readonly token: number; readonly tookOver?: LeaseRecord; readonly pastHold?: HoldRecord };
export type NotAcquired =
  | { readonly ok: false; readonly held: LeaseRecord; readonly why: string }
  | { readonly ok: false; readonly onHold: HoldRecord; readonly why: string }
  | { readonly ok: false; readonly unreachable: true; readonly why: string };

/** Contended pushes retried before giving up (each re-reads the ref first). */
const ATTEMPTS = 8;

export class GitLease {
  private last: { sha: string; record: LeaseRecord } | undefined;
  private readonly what: string;
  /** One change at a time: a renewal in flight and the release would race each other's compare-and-swap. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly o: GitOptions & { readonly ttlMs: number; readonly now?: () => number },
    private readonly target: LeaseTarget,
  ) {
    this.what = `${target.environment} (${target.runbook})`;
  }

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  /** The fencing token while held. */
  get token(): number | undefined {
    return this.last?.record.kind === 'lease' ? this.last.record.generation : undefined;
  }

  /**
   * Takes the lease for `session`, or why not: held (named), on hold (its reason), unreachable.
   * `pastHold`: a hold does not stop it (a rollback restores service during a freeze).
   */
  async acquire(holder: LeaseHolder, session: string, message?: string, o: { pastHold?: boolean } = {}): Promise<Acquired | NotAcquired> {
    const ref = lockRef(this.target.runbook, this.target.environment);
    const hRef = holdRef(this.target.runbook, this.target.environment);
    let lastError = '';
    for (let i = 0; i < ATTEMPTS; i++) {
      // the hold and the lock in one read
      const both = await readRemoteRefs(this.o, [ref, hRef]);
      if (!(both instanceof Map)) return { ok: false, unreachable: true, why: both.unreachable };
      const hold = holdOf(both.get(hRef)!, hRef, this.o.remote);
      if ('unreachable' in hold) return { ok: false, unreachable: true, why: hold.unreachable };
      if (hold.record?.kind === 'hold' && !o.pastHold) return { ok: false, onHold: hold.record, why: holdRefusal(hold.record, this.what) };
      const seen = both.get(ref)!;
      if ('unreachable' in seen) return { ok: false, unreachable: true, why: seen.unreachable };
      const prev = 'sha' in seen ? decodeLease(seen.message) : undefined;
      if (typeof prev === 'string') return { ok: false, unreachable: true, why: `${ref} on ${this.o.remote}: ${prev}` };
      const now = this.now();
      if (prev && blocks(prev, session, now)) return { ok: false, held: prev, why: refusal(prev, this.what, now) };
      const record: LeaseRecord = {
        v: 1,
        kind: 'lease',
        holder,
        session,
        ...(message ? { message } : {}),
        since: now,
        expires: now + this.o.ttlMs,
        generation: (prev?.generation ?? 0) + 1,
      };
      const parent = 'sha' in seen ? seen.sha : undefined;
      const pushed = await this.write(ref, record, parent);
      if (pushed === true) return { ok: true, token: record.generation, ...(prev?.kind === 'lease' ? { tookOver: prev } : {}), ...(hold.record?.kind === 'hold' ? { pastHold: hold.record } : {}) };
      if (!pushed.stale) return { ok: false, unreachable: true, why: `${this.o.remote}: ${pushed.error}` };
      lastError = pushed.error;
    }
    return { ok: false, unreachable: true, why: `${this.o.remote}: ${ATTEMPTS} attempts lost the race to update ${ref}: ${lastError}` };
  }

  /**
   * Takes on the lease generation `token` that another process of this session held (a background
   * guard after a hand-over): renewed in `holder`'s name from now on. True, or why not (no longer
   * that lease: released, expired and taken over, unreachable).
   */
  async adopt(holder: LeaseHolder, token: number): Promise<true | string> {
    const ref = lockRef(this.target.runbook, this.target.environment);
    for (let i = 0; i < ATTEMPTS; i++) {
      const seen = await readRemoteRef(this.o, ref);
      if ('unreachable' in seen) return seen.unreachable;
      if ('absent' in seen) return `${ref} on ${this.o.remote} is gone`;
      const prev = decodeLease(seen.message);
      if (typeof prev === 'string') return `${ref} on ${this.o.remote}: ${prev}`;
      if (prev.kind !== 'lease' || prev.generation !== token) return `the lease on ${this.what} is no longer generation ${token} (${prev.kind} generation ${prev.generation} of ${prev.holder.user}@${prev.holder.host})`;
      const pushed = await this.write(ref, { ...prev, holder, expires: this.now() + this.o.ttlMs }, seen.sha);
      if (pushed === true) return true;
      if (!pushed.stale) return `${this.o.remote}: ${pushed.error}`;
    }
    return `${this.o.remote}: ${ATTEMPTS} attempts lost the race to update ${ref}`;
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const next = this.queue.then(op, op);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Extends the lease by ttlMs; false when it was lost (someone took it over: stop driving). */
  renew(): Promise<{ ok: true } | { ok: false; lost: boolean; why: string }> {
    return this.serial(() => this.renewNow());
  }

  /** Gives the lease up (the record stays, released, so the next generation still grows). */
  release(): Promise<boolean> {
    return this.serial(() => this.releaseNow());
  }

  private async renewNow(): Promise<{ ok: true } | { ok: false; lost: boolean; why: string }> {
    const last = this.last;
    if (!last || last.record.kind !== 'lease') return { ok: false, lost: true, why: 'no lease held' };
    const record: LeaseRecord = { ...last.record, expires: this.now() + this.o.ttlMs };
    const pushed = await this.write(lockRef(this.target.runbook, this.target.environment), record, last.sha);
    if (pushed === true) return { ok: true };
    if (!pushed.stale) return { ok: false, lost: false, why: pushed.error };
    this.last = undefined;
    return { ok: false, lost: true, why: `the lease on ${this.what} was taken over: ${pushed.error}` };
  }

  private async releaseNow(): Promise<boolean> {
    const last = this.last;
    if (!last || last.record.kind !== 'lease') return false;
    const record: LeaseRecord = { ...last.record, kind: 'released', expires: this.now() };
    const pushed = await this.write(lockRef(this.target.runbook, this.target.environment), record, last.sha);
    if (pushed === true) return true;
    this.last = undefined;
    return false;
  }

  /** One CAS push of `record` over `expected`; true, or the push's failure. */
  private async write(ref: string, record: LeaseRecord, expected: string | undefined): Promise<true | { stale: boolean; error: string }> {
    const commit = await writeCommit(this.o, encode(record), expected);
    if (!commit.ok) return { stale: false, error: commit.error };
    const sha = commit.out.trim();
    const pushed = await casPush(this.o, ref, sha, expected);
    if (!pushed.ok) return pushed;
    this.last = { sha, record };
    return true;
  }
}

/** The hold on `target`, if any (an `unheld` record is none). */
export async function readHold(o: GitOptions, target: LeaseTarget): Promise<{ record?: HoldRecord; sha?: string } | { unreachable: string }> {
  const ref = holdRef(target.runbook, target.environment);
  return holdOf(await readRemoteRef(o, ref), ref, o.remote);
}

function holdOf(seen: RemoteRef, ref: string, remote: string): { record?: HoldRecord; sha?: string } | { unreachable: string } {
  if ('unreachable' in seen) return seen;
  if ('absent' in seen) return {};
  const record = decodeHold(seen.message);
  if (typeof record === 'string') return { unreachable: `${ref} on ${remote}: ${record}` };
  return { record, sha: seen.sha };
}

/** Puts `target` on hold (or lifts it: kind 'unheld'); retried over concurrent changes. Undefined, or why not. */
export async function setHold(o: GitOptions, target: LeaseTarget, kind: 'hold' | 'unheld', holder: LeaseHolder, reason: string, now = Date.now()): Promise<string | undefined> {
  const ref = holdRef(target.runbook, target.environment);
  for (let i = 0; i < ATTEMPTS; i++) {
    const seen = await readHold(o, target);
    if ('unreachable' in seen) return seen.unreachable;
    if (kind === 'unheld' && seen.record?.kind !== 'hold') return `${target.environment} (${target.runbook}) is not on hold`;
    const record: HoldRecord = { v: 1, kind, holder, reason, since: now };
    const commit = await writeCommit(o, encode(record), seen.sha);
    if (!commit.ok) return commit.error;
    const pushed = await casPush(o, ref, commit.out.trim(), seen.sha);
    if (pushed.ok) return undefined;
    if (!pushed.stale) return `${o.remote}: ${pushed.error}`;
  }
  return `${o.remote}: ${ATTEMPTS} attempts lost the race to update ${ref}`;
}

/**
 * What a lease on the team's git remote says (team/git-lease.ts): one small commit per change, its
 * message the record below as JSON, its parent the previous record (so the ref's log is the
 * environment's history of holders). Pure: encoding, decoding and the one rule of whether a record
 * stops someone else from taking the lease.
 */
import { sanitizeLine } from '../core/terminal-text.js';

/** Who holds (or held) a lease: enough to find them. */
export type LeaseHolder = {
  readonly user: string;
  readonly host: string;
  readonly pid: number;
  /** The CI job's URL when a CI runner holds it (CI_JOB_URL, GITHUB_SERVER_URL/…/runs/ID, BUILD_URL). */
  readonly ci?: string;
};

export type LeaseRecord = {
  readonly v: 1;
  /** lease: a session drives; released: nobody does (kept so the generation keeps growing). */
  readonly kind: 'lease' | 'released';
  readonly holder: LeaseHolder;
  readonly session: string;
  /** The holder's words (`--message`), said to whoever is refused. */
  readonly message?: string;
  /** When this holder first took the lease (ms since the epoch, the holder's clock). */
  readonly since: number;
  /** Until when it holds unless renewed (the holder's clock). */
  readonly expires: number;
  /** The fencing token: strictly grows with every new holder; exported to steps as COCKPIT_LOCK_TOKEN. */
  readonly generation: number;
};

/** A hold (freeze) on an environment: every run there is refused with its reason until unheld. */
export type HoldRecord = {
  readonly v: 1;
  readonly kind: 'hold' | 'unheld';
  readonly holder: LeaseHolder;
  readonly reason: string;
  readonly since: number;
};

/** Machines' clocks differ: a lease counts as expired only this long after its own expiry. */
export const CLOCK_SKEW_MS = 2000;

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const str = (x: unknown): x is string => typeof x === 'string';
const num = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

function holderOf(x: unknown): LeaseHolder | undefined {
  if (!isObj(x) || !str(x.user) || !str(x.host) || !num(x.pid)) return undefined;
  return { user: x.user, host: x.host, pid: x.pid, ...(str(x.ci) ? { ci: x.ci } : {}) };
}

/** A commit message as JSON, or undefined when it is not JSON. */
function json(message: string): unknown {
  try {
    return JSON.parse(message) as unknown;
  } catch {
    return undefined;
  }
}

/** The record in a lease commit's message, or why it is not one (a ref someone else wrote). */
export function decodeLease(message: string): LeaseRecord | string {
  const x = json(message);
  if (x === undefined) return 'not a cockpit lease (its commit message is not JSON)';
  if (!isObj(x) || x.v !== 1 || (x.kind !== 'lease' && x.kind !== 'released')) return 'not a cockpit lease (unknown kind or version)';
  const holder = holderOf(x.holder);
  if (!holder || !str(x.session) || !num(x.since) || !num(x.expires) || !num(x.generation) || x.generation < 1) return 'not a cockpit lease (fields missing)';
  return { v: 1, kind: x.kind, holder, session: x.session, ...(str(x.message) ? { message: x.message } : {}), since: x.since, expires: x.expires, generation: Math.floor(x.generation) };
}

export function decodeHold(message: string): HoldRecord | string {
  const x = json(message);
  if (x === undefined) return 'not a cockpit hold (its commit message is not JSON)';
  if (!isObj(x) || x.v !== 1 || (x.kind !== 'hold' && x.kind !== 'unheld')) return 'not a cockpit hold (unknown kind or version)';
  const holder = holderOf(x.holder);
  if (!holder || !str(x.reason) || !num(x.since)) return 'not a cockpit hold (fields missing)';
  return { v: 1, kind: x.kind, holder, reason: x.reason, since: x.since };
}

export const encode = (r: LeaseRecord | HoldRecord): string => JSON.stringify(r);

/**
 * Whether `r` keeps `session` from taking the lease at `now`: held by another session and not
 * expired (its expiry plus the clock skew allowance). A released or expired lease is free.
 */
export function blocks(r: LeaseRecord, session: string, now: number): boolean {
  return r.kind === 'lease' && r.session !== session && now <= r.expires + CLOCK_SKEW_MS;
}

const clock = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');

/** The holder in one line: "alice@laptop (pid 4242)" or "ci@runner-7 (pid 88, https://ci/job/1)". */
export function describeHolder(h: LeaseHolder): string {
  return sanitizeLine(`${h.user}@${h.host} (pid ${h.pid}${h.ci ? `, ${h.ci}` : ''})`);
}

/** Why a start is refused: who holds it, where, since when, their message, until when. */
export function refusal(r: LeaseRecord, what: string, now: number): string {
  const left = Math.max(0, Math.ceil((r.expires - now) / 1000));
  // the holder's words were written on another machine: one line, no escapes (a newline could forge a line of ours)
  const said = r.message ? `: "${sanitizeLine(r.message)}"` : '';
  return `${what} is held by ${describeHolder(r.holder)} since ${clock(r.since)} (session ${sanitizeLine(r.session)})${said}; the lease runs ${left} s more unless renewed`;
}

export function holdRefusal(h: HoldRecord, what: string): string {
  return `${what} is on hold since ${clock(h.since)} by ${describeHolder(h.holder)}: ${sanitizeLine(h.reason)} (cockpit unhold lifts it)`;
}

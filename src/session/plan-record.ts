/**
 * A Markdown runbook's plan, accepted once per content hash: `.cockpit/plans/<hash>.json` beside the
 * runbook (the session state directory), written whole (a temporary file renamed). A later open of
 * the same text skips the review and applies the choices recorded; a changed text is a new hash.
 */
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { readNoFollow, writeNoFollow } from '../core/safe-open.js';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';

export type PlanRecord = {
  readonly hash: string;
  /** ISO time of the acceptance. */
  readonly acceptedAt: string;
  readonly user: string;
  readonly host: string;
  /** The choices made in the review: choice id → option id. */
  readonly choices: Readonly<Record<string, string>>;
};

const HASH = /^[0-9a-f]{64}$/;

export function plansDir(state: string): string {
  return join(state, 'plans');
}

/** The record for this hash, or undefined (none, unreadable, or not a record of this hash). */
export function readPlanRecord(state: string, hash: string): PlanRecord | undefined {
  if (!HASH.test(hash)) return undefined;
  try {
    const v = JSON.parse(readNoFollow(join(plansDir(state), `${hash}.json`))) as Partial<PlanRecord>;
    if (v.hash !== hash || typeof v.acceptedAt !== 'string' || v.choices === null || typeof v.choices !== 'object') return undefined;
    const choices = Object.fromEntries(Object.entries(v.choices).filter((e): e is [string, string] => typeof e[1] === 'string'));
    return { hash, acceptedAt: v.acceptedAt, user: String(v.user ?? ''), host: String(v.host ?? ''), choices };
  } catch {
    return undefined;
  }
}

function whoAmI(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

/** A record of an acceptance made now, by this user on this host. */
export function newPlanRecord(hash: string, choices: Readonly<Record<string, string>>, now = new Date()): PlanRecord {
  return { hash, acceptedAt: now.toISOString(), user: whoAmI(), host: hostname(), choices: { ...choices } };
}

/** Writes the record atomically; throws with the reason when it cannot (the caller says so). */
export function writePlanRecord(state: string, record: PlanRecord): string {
  if (!HASH.test(record.hash)) throw new Error(`not a content hash: ${record.hash}`);
  const dir = plansDir(state);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${record.hash}.json`);
  const tmp = join(dir, `.${record.hash}.${process.pid}.tmp`);
  // a new file (never through a symlink planted under the temporary name), renamed over the record
  rmSync(tmp, { force: true });
  writeNoFollow(tmp, `${JSON.stringify(record, null, 2)}\n`, 'create');
  renameSync(tmp, path);
  return path;
}

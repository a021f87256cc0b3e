/**
 * The compiled-runbook cache: a runbook that loaded cleanly once is kept, normalised, keyed by its
 * path, its exact bytes and the cockpit version, so the next start skips parsing and validation
 * (and loading the parsers at all: the first frame comes sooner). Any change to the file is a new
 * key; a cache that cannot be read or written is ignored.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { RawRunbook } from './schema.js';
import type { Runbook } from './types.js';

const FORMAT = 3;

/** What a run needs of a loaded runbook: the typed Runbook, the raw one (normalised again with the choices and inputs given) and, for a Markdown runbook, its hash and uncertain mappings. */
export type CachedRunbook = {
  readonly runbook: Runbook;
  readonly raw?: RawRunbook;
  readonly plan?: {
    readonly hash: string;
    readonly uncertain: readonly { readonly line: number; readonly text: string }[];
    /** Where each choice and input is written (markdown-source.ts PlanLines): "release.md:42: choice … is not made". */
    readonly lines?: { readonly choices: Readonly<Record<string, number>>; readonly inputs: Readonly<Record<string, number>> };
  };
};

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.COCKPIT_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'cockpit');
}

export function cacheKey(file: string, text: string | Buffer, version: string): string {
  return createHash('sha256').update(`${FORMAT}\0${version}\0${file}\0`).update(text).digest('hex').slice(0, 32);
}

export function readCached(key: string, env: NodeJS.ProcessEnv = process.env): CachedRunbook | undefined {
  if (env.COCKPIT_NO_CACHE) return undefined;
  try {
    const v = JSON.parse(readFileSync(join(cacheDir(env), `${key}.json`), 'utf8')) as CachedRunbook & { format: number };
    return v.format === FORMAT ? { runbook: v.runbook, raw: v.raw, plan: v.plan } : undefined;
  } catch {
    return undefined;
  }
}

export function writeCached(key: string, entry: CachedRunbook, env: NodeJS.ProcessEnv = process.env): void {
  if (env.COCKPIT_NO_CACHE) return;
  writeCacheFile(`${key}.json`, JSON.stringify({ format: FORMAT, ...entry }), env);
}

/** Writes one file of the cache, private and whole (a temporary file renamed); false when it could not (never an error). */
export function writeCacheFile(name: string, data: string | Buffer, env: NodeJS.ProcessEnv = process.env): boolean {
  try {
    const dir = cacheDir(env);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = join(dir, `.${name}.${process.pid}.tmp`);
    writeFileSync(tmp, data, { mode: 0o600 });
    renameSync(tmp, join(dir, name));
    return true;
  } catch {
    return false; // a cache is never worth an error
  }
}

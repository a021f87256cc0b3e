/**
 * Loads the runbook for a run through the compiled-runbook cache: on a hit, the parsers (YAML,
 * Markdown, the schema) are not even loaded; on a miss the runbook is parsed and validated as
 * always, and kept for next time.
 */
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cacheKey, readCached, writeCached, type CachedRunbook } from '../runbook/cache.js';
import { displayPath, findRunbook, readRunbookFile, RunbookNotFound } from '../runbook/find.js';
import { runDirOf } from '../runbook/run-dir.js';
import type { Runbook } from '../runbook/types.js';
import { UsageError } from './args.js';

declare const __COCKPIT_VERSION__: string;

/** The cockpit's own identity: its version and when this code was built (a rebuild is a new cache). */
function build(): string {
  const version = typeof __COCKPIT_VERSION__ === 'string' ? __COCKPIT_VERSION__ : 'dev';
  try {
    return `${version}@${statSync(fileURLToPath(import.meta.url)).mtimeMs}`;
  } catch {
    return version;
  }
}

export async function loadRunbookCached(given: string | undefined, err: (line: string) => void): Promise<Runbook | number> {
  const r = await loadForRun(given, err);
  return typeof r === 'number' ? r : r.runbook;
}

/** The runbook with what a run needs beside it (cache.ts CachedRunbook), and its file name for messages. */
export async function loadForRun(given: string | undefined, err: (line: string) => void): Promise<(CachedRunbook & { readonly display: string }) | number> {
  let file: string;
  let text: Buffer;
  try {
    file = findRunbook(given);
    text = readRunbookFile(file, displayPath(file));
  } catch (e) {
    if (e instanceof RunbookNotFound) throw new UsageError(e.message);
    throw new UsageError(`cannot read ${given ?? 'the runbook'}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  // where the steps run is part of the key: a Markdown runbook runs them from its repository's root (run-dir.ts), which can change under it
  const key = cacheKey(file, text, `${build()}\0${runDirOf(file)}`);
  const display = displayPath(file);
  const hit = readCached(key);
  if (hit) return { ...hit, display };
  const { loadFullOrExit } = await import('./load.js');
  const r = loadFullOrExit(given, err);
  if (typeof r === 'number') return r;
  writeCached(key, r);
  return { ...r, display };
}

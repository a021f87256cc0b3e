/** Loads the runbook for a command, or prints located errors and exits 2. */
import { formatError } from '../runbook/locate.js';
import { loadRunbook, RunbookNotFound } from '../runbook/load.js';
import type { CachedRunbook } from '../runbook/cache.js';
import type { MarkdownLoad } from '../runbook/markdown.js';
import { planLines } from '../runbook/markdown-source.js';
import type { Runbook } from '../runbook/types.js';
import { UsageError } from './args.js';

export function loadOrExit(file: string | undefined, err: (line: string) => void): Runbook | number {
  const r = loadFullOrExit(file, err);
  return typeof r === 'number' ? r : r.runbook;
}

/** The same, with what a run needs beside the Runbook: the raw runbook and a Markdown runbook's hash and uncertain mappings. */
export function loadFullOrExit(file: string | undefined, err: (line: string) => void): CachedRunbook | number {
  let r;
  try {
    r = loadRunbook(file);
  } catch (e) {
    if (e instanceof RunbookNotFound) throw new UsageError(e.message);
    throw e;
  }
  if (r.ok) {
    const report = 'report' in r ? (r as MarkdownLoad).report : undefined;
    const md = r as MarkdownLoad;
    const lines = md.raw && md.lineOf ? planLines(md.raw, md.lineOf) : undefined;
    return { runbook: r.runbook, raw: r.raw, ...(report ? { plan: { hash: report.hash, uncertain: report.uncertain, ...(lines ? { lines } : {}) } } : {}) };
  }
  for (const e of r.errors) err(formatError(e));
  err(`${r.errors.length} error${r.errors.length === 1 ? '' : 's'} in ${r.display}`);
  return 2;
}

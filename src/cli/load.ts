/** Loads the runbook for a command, or prints located errors and exits 2. */
import { formatError } from '../runbook/locate.js';
import { loadRunbook, RunbookNotFound } from '../runbook/load.js';
import type { Runbook } from '../runbook/types.js';
import { UsageError } from './args.js';

export function loadOrExit(file: string | undefined, err: (line: string) => void): Runbook | number {
  let r;
  try {
    r = loadRunbook(file);
  } catch (e) {
    if (e instanceof RunbookNotFound) throw new UsageError(e.message);
    throw e;
  }
  if (r.ok) return r.runbook;
  for (const e of r.errors) err(formatError(e));
  err(`${r.errors.length} error${r.errors.length === 1 ? '' : 's'} in ${r.display}`);
  return 2;
}

// Where a runbook's sessions live, in a module of its own: the team lease, watch, history and the
// wallboard need the directory without loading the session's engine (a refused team run exits
// before any of it is needed, and 12 of them start at once in the team benchmark).
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import type { Runbook } from '../runbook/types.js';

/**
 * Where sessions live: COCKPIT_STATE_DIR, else .cockpit/ beside the runbook, else (a runbook in a
 * read-only place, like a shared docs folder) .cockpit/ in the current directory.
 */
export function stateDir(rb: Runbook, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  if (env.COCKPIT_STATE_DIR) return env.COCKPIT_STATE_DIR;
  const home = rb.home ?? rb.dir;
  try {
    accessSync(home, constants.W_OK);
    return join(home, '.cockpit');
  } catch {
    return join(cwd, '.cockpit');
  }
}

/** Where the runbook is: the path given, or cockpit.yml/.yaml/.json in the directory. No parsing here. */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const DEFAULT_NAMES = ['cockpit.yml', 'cockpit.yaml', 'cockpit.json'];

/** Thrown for problems that are not the runbook's content: no file, unreadable file. */
export class RunbookNotFound extends Error {}

/** The runbook path to use: the one given, or cockpit.yml/.yaml/.json in the directory. */
export function findRunbook(given: string | undefined, cwd = process.cwd()): string {
  if (given !== undefined) {
    const p = resolve(cwd, given);
    if (!existsSync(p)) throw new RunbookNotFound(`no such runbook: ${given}`);
    if (statSync(p).isDirectory()) return findRunbook(undefined, p);
    return p;
  }
  for (const name of DEFAULT_NAMES) {
    const p = join(cwd, name);
    if (existsSync(p)) return p;
  }
  throw new RunbookNotFound(`no runbook here: looked for ${DEFAULT_NAMES.join(', ')} in ${cwd} (give a path, or run "cockpit init")`);
}


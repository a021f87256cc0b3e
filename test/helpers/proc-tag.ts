/**
 * Processes counted in /proc by an environment tag, independently of src/exec/descendants.ts (so
 * a bug there cannot hide a survivor): a test puts COCKPIT_PROC_TAG=<its tag> into what it starts;
 * the cockpit adds its own tags after it (`<test tag>:<step tag>`), so every process the step or
 * command started carries the test's.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

export const testTag = (): string => `test${randomBytes(8).toString('hex')}`;

export type TaggedProc = { readonly pid: number; readonly argv: string };

/** Live (not zombie) processes whose starting environment carries `tag` in COCKPIT_PROC_TAG. */
export function tagged(tag: string): TaggedProc[] {
  const out: TaggedProc[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'latin1');
      const state = stat.charAt(stat.lastIndexOf(')') + 2);
      if (state === 'Z' || state === 'X') continue;
      const vars = readFileSync(`/proc/${e}/environ`, 'latin1').split('\0');
      const v = vars.find((x) => x.startsWith('COCKPIT_PROC_TAG='));
      if (!v?.slice('COCKPIT_PROC_TAG='.length).split(':').includes(tag)) continue;
      out.push({ pid: Number(e), argv: readFileSync(`/proc/${e}/cmdline`, 'latin1').split('\0').join(' ').trim() });
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

/** `tagged` as one line each, for a failure message. */
export const describeTagged = (tag: string): string => tagged(tag).map((p) => `${p.pid} ${p.argv}`).join('; ');

/** SIGKILLs every process carrying the tag (a failed test's leftovers). */
export function killTagged(tag: string): void {
  for (const p of tagged(tag)) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

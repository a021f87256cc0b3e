/** Removes the entries of `dir` that `stale` names (what a crashed process left); a directory that cannot be read is left alone. */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export function sweepDir(dir: string, stale: (name: string) => boolean): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) if (stale(name)) rmSync(join(dir, name), { recursive: true, force: true });
}

/**
 * What cockpit init writes beside the runbook: its first line, the modeline that gives editors the
 * local JSON Schema (runbook/schema-file.ts says which file and why), and `.cockpit/` (the run's
 * journal, lock and history, see session/open.ts) in .gitignore: created, or appended once.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { modelineFor } from '../runbook/schema-file.js';

export const IGNORED = '.cockpit/';

/** The runbook text with the schema modeline first (once: never a second one). */
export function withModeline(text: string, dir: string, running?: string): string {
  if (/^# yaml-language-server:/m.test(text)) return text;
  return modelineFor(dir, running) + text;
}

/** Whether a .gitignore already ignores the cockpit's directory (`.cockpit/`, `.cockpit`, `/.cockpit/`, `/.cockpit`). */
export function ignoresCockpit(gitignore: string): boolean {
  return gitignore.split(/\r?\n/).some((line) => /^\/?\.cockpit\/?$/.test(line.trim()));
}

/** Adds `.cockpit/` to dir/.gitignore unless it is there: 'created', 'added' or 'present'. */
export function ignoreCockpitDir(dir: string): 'created' | 'added' | 'present' {
  const file = join(dir, '.gitignore');
  if (!existsSync(file)) {
    writeFileSync(file, `${IGNORED}\n`);
    return 'created';
  }
  const text = readFileSync(file, 'utf8');
  if (ignoresCockpit(text)) return 'present';
  writeFileSync(file, `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${IGNORED}\n`);
  return 'added';
}

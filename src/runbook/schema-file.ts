/**
 * Where the JSON Schema a runbook's modeline points at is (`# yaml-language-server: $schema=…`).
 * The package ships it as schema/cockpit.schema.json. A project that installs the package
 * (`npm i -D release-cockpit`) has it at ./node_modules/release-cockpit/schema/cockpit.schema.json:
 * that path is the same in every clone, so it is preferred. Otherwise it is the schema of the
 * cockpit that runs (a global install, or this repository), found from the running code's file.
 * The path is always relative to the runbook's directory, as the YAML language server resolves it.
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_NAME = 'release-cockpit';
export const SCHEMA_FILE = join('schema', 'cockpit.schema.json');

/** The schema next to the running code: dist/cli.js (bundle) or src/runbook/*.ts (tests) → ../…/schema/cockpit.schema.json. */
export function runningSchema(from: string = import.meta.url): string | undefined {
  let dir = dirname(fileURLToPath(from));
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, SCHEMA_FILE);
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

/** The schema path to write in a runbook in `dir`, relative to it (`./node_modules/…` when installed there), or undefined when none exists. */
export function schemaPathFor(dir: string, running: string | undefined = runningSchema()): string | undefined {
  const installed = join(dir, 'node_modules', PACKAGE_NAME, SCHEMA_FILE);
  const file = existsSync(installed) ? installed : running;
  if (file === undefined) return undefined;
  const rel = relative(dir, file).split(sep).join('/');
  return rel.startsWith('../') ? rel : `./${rel}`;
}

/** The first line of a runbook in `dir` that gives editors its schema, or '' when no schema file is found. */
export function modelineFor(dir: string, running?: string): string {
  const path = schemaPathFor(dir, running ?? runningSchema());
  return path === undefined ? '' : `# yaml-language-server: $schema=${path}\n`;
}

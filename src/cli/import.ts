/**
 * cockpit import RUNBOOK.md [-o cockpit.yml]: the equivalent cockpit.yml, to stdout or a file.
 * Loading the written YAML gives the same Runbook as loading the Markdown (a cockpit.yml runs commands
 * from its own directory, the Markdown from its directory or its repository's root: a cockpit.yml
 * written elsewhere runs them from there, said on stderr). Comments point at the Markdown's lines.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { notArmed, notArmedCount } from '../runbook/armed.js';
import { formatError } from '../runbook/locate.js';
import { findRunbook, isMarkdown, loadRunbook, RunbookNotFound } from '../runbook/load.js';
import { formatReport, toYaml, type MarkdownLoad } from '../runbook/markdown.js';
import type { RawRunbook } from '../runbook/schema.js';
import type { Runbook } from '../runbook/types.js';
import { parse, usageOf, UsageError } from './args.js';
import { COMMANDS } from './commands.js';
import type { Io } from './io.js';

export const USAGE = usageOf(COMMANDS.import);

export type ImportOutcome = {
  readonly code: number;
  readonly yaml?: string;
  readonly runbook?: Runbook;
  /** The runbook as written (the summary counts what is not armed too). */
  readonly raw?: RawRunbook;
  readonly file?: string;
  /** Guardrails kept in the YAML but not armed ("4 rollback triggers and 1 stage criterion"): its top comment says what to fill in. */
  readonly notArmed?: { readonly count: number; readonly text: string };
};

/** Loads a Markdown runbook for import: the YAML text, or errors printed and exit 2. */
export function importMarkdown(given: string, io: Io, cwd = process.cwd()): ImportOutcome {
  let file: string;
  try {
    file = findRunbook(given, cwd);
  } catch (e) {
    if (e instanceof RunbookNotFound) throw new UsageError(e.message);
    throw e;
  }
  if (!isMarkdown(file)) throw new UsageError(`${given} is not a Markdown runbook (.md): nothing to import\n${USAGE}`);
  const r = loadRunbook(file, cwd) as MarkdownLoad;
  if (!r.ok || !r.raw) {
    if (!r.ok) for (const e of r.errors) io.err(formatError(e));
    if (!r.ok) io.err(`${r.errors.length} error${r.errors.length === 1 ? '' : 's'} in ${r.display}: nothing written`);
    for (const line of formatReport(r.report, r.display)) io.err(line);
    return { code: 2 };
  }
  const missing = notArmed(r.raw);
  return { code: 0, yaml: toYaml(r.raw, r.report, r.display, r.lineOf), runbook: r.runbook, raw: r.raw, file, notArmed: missing.length > 0 ? { count: missing.length, text: notArmedCount(missing) } : undefined };
}

export function importCommand(argv: string[], io: Io): number {
  const { values, positionals } = parse(argv, COMMANDS.import);
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? `which Markdown runbook?\n${USAGE}` : `one runbook at a time (got ${positionals.join(', ')})\n${USAGE}`);
  const source = resolve(positionals[0]);
  const out = values.output;
  if (out !== undefined && out !== '-' && existsSync(out) && !values.force) {
    io.err(`cockpit: ${out} exists: not overwritten (--force to replace it)`);
    return 2;
  }
  const { code, yaml, notArmed: unarmed, runbook } = importMarkdown(positionals[0], io);
  if (yaml === undefined) return code;
  const toStdout = out === undefined || out === '-';
  if (toStdout) io.out(yaml.replace(/\n$/, ''));
  else {
    writeFileSync(out, yaml);
    io.err(`wrote ${out} (cockpit validate ${out} checks it)`);
  }
  // kept as written, watched by nothing yet: the comment at the top of the YAML says what to fill in
  if (unarmed)
    io.err(`note: ${unarmed.text} ${unarmed.count === 1 ? 'is' : 'are'} kept as written but not armed: fill in what the comment at the top of ${toStdout ? 'the YAML' : out} lists`);
  if (toStdout) return 0;
  // where the Markdown ran its commands: its directory, or the root of the repository it is in
  const from = runbook?.dir ?? dirname(source);
  const to = dirname(resolve(out));
  if (from !== to)
    io.err(`note: its commands run from ${relative(process.cwd(), to) || '.'}/ (the Markdown ran them from ${relative(process.cwd(), from) || '.'}/): relative paths like ./scripts/… now resolve there`);
  return 0;
}

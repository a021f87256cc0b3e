/**
 * cockpit init: a runbook for a directory that has none. Imports the Markdown runbook it finds
 * (RUNBOOK.md, release-runbook.md, docs/**\/release-runbook.md) into cockpit.yml, or writes a
 * starter cockpit.yml. Never overwrites a runbook. `--yes` does it; on a terminal it asks y/N;
 * otherwise it prints what it would do and exits 2.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { DEFAULT_NAMES, parseRunbook } from '../runbook/load.js';
import { rollbackCommandProblems } from '../session/rollback-ready.js';
import { parse, usageOf, UsageError } from './args.js';
import { COMMANDS } from './commands.js';
import { importMarkdown } from './import.js';
import type { Io } from './io.js';
import { summary } from './validate.js';
import { ignoreCockpitDir, IGNORED, withModeline } from './init-files.js';

export const USAGE = usageOf(COMMANDS.init);

export const STARTER = `# A starter cockpit runbook: edit the commands, then \`cockpit validate\` and \`cockpit run\`.
# Every key is described in docs/runbook.md (\`cockpit schema --markdown\`); the modeline gives editors the JSON Schema.
name: my-service
version: "{git.describe}"

preflight:
  - title: All tests passing
    run: ./scripts/verify-tests.sh
  - title: No active incidents
    manual: Check the monitoring dashboard

stages:
  - id: staging
    title: Deploy to Staging
    budget: 5m
    steps:
      - { title: Deploy to staging, run: [./scripts/deploy.sh, staging, "{version}"], timeout: 10m }
      - { title: Smoke tests, run: ./scripts/smoke-test.sh staging }

  - id: production
    title: Deploy to Production
    budget: 10m
    steps:
      - { title: Deploy to production, run: [./scripts/deploy.sh, production, "{version}"], timeout: 10m }
      - { title: Health check, run: ./scripts/health-check.sh production }
      - { title: Watch the release, monitor: 5m }

rollback:
  steps:
    - ./scripts/rollback.sh production
  verify:
    - ./scripts/health-check.sh production
  incident: [./scripts/create-incident.sh, "{reason}"]
`;

/** Markdown runbooks cockpit init would import, best first. */
export function findMarkdownRunbooks(dir: string): string[] {
  const found: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  for (const want of ['runbook.md', 'release-runbook.md']) {
    const hit = names.filter((n) => n.toLowerCase() === want).sort();
    found.push(...hit.map((n) => join(dir, n)));
  }
  const walk = (d: string, depth: number) => {
    if (depth > 6) return;
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules') walk(join(d, e.name), depth + 1);
      else if (e.isFile() && e.name.toLowerCase() === 'release-runbook.md') found.push(join(d, e.name));
    }
  };
  if (existsSync(join(dir, 'docs'))) walk(join(dir, 'docs'), 1);
  return found;
}

export type InitDeps = {
  readonly cwd?: string;
  /** Whether a person can answer a question (stdin and stdout are terminals). */
  readonly interactive?: boolean;
  /** Asks a y/N question; resolves with the answer line. */
  readonly ask?: (question: string) => Promise<string>;
};

async function askOnTerminal(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

export async function initCommand(argv: string[], io: Io, deps: InitDeps = {}): Promise<number> {
  const { values, positionals } = parse(argv, COMMANDS.init);
  if (positionals.length > 0) throw new UsageError(`unexpected ${positionals.join(' ')}\n${USAGE}`);
  if (values.from !== undefined && values.starter) throw new UsageError(`--from and --starter: choose one\n${USAGE}`);
  const cwd = deps.cwd ?? process.cwd();
  const existing = DEFAULT_NAMES.find((n) => existsSync(join(cwd, n)));
  if (existing) {
    io.out(`${existing} already exists here: nothing written (cockpit validate checks it, cockpit run runs it)`);
    return 0;
  }
  const target = join(cwd, 'cockpit.yml');

  // what to write
  let text: string;
  let plan: string;
  const markdown = values.starter ? undefined : (values.from ?? findMarkdownRunbooks(cwd)[0]);
  if (markdown !== undefined) {
    const shown = relative(cwd, resolve(cwd, markdown)) || markdown;
    const r = importMarkdown(markdown, io, cwd);
    if (r.yaml === undefined) {
      io.err(`cockpit: ${shown} does not map to a valid runbook (above): nothing written (fix it, or cockpit init --starter)`);
      return 2;
    }
    text = r.yaml;
    plan = `write cockpit.yml imported from ${shown} (${r.runbook ? summary(r.runbook, r.raw) : ''})`;
    const ranFrom = r.runbook?.dir ?? (r.file !== undefined ? dirname(r.file) : cwd);
    if (ranFrom !== cwd) io.out(`note: cockpit.yml runs commands from here; ${shown} ran them from ${relative(cwd, ranFrom) || '.'}/ (relative paths like ./scripts/… resolve here)`);
    const others = values.from === undefined ? findMarkdownRunbooks(cwd).slice(1) : [];
    if (others.length > 0) io.out(`also found: ${others.map((o) => relative(cwd, o)).join(', ')} (cockpit init --from <file> imports another)`);
  } else {
    text = STARTER;
    const check = parseRunbook(STARTER, target, 'cockpit.yml');
    if (!check.ok) throw new Error('the starter runbook does not validate'); // a bug, caught by the tests
    plan = 'write a starter cockpit.yml (pre-flight, staging, production, rollback: edit its commands)';
  }

  // ask, or not
  if (!values.yes) {
    const interactive = deps.interactive ?? (process.stdin.isTTY === true && process.stdout.isTTY === true);
    if (!interactive) {
      io.out(`would ${plan}`);
      io.out('nothing written: run cockpit init --yes to do it');
      return 2;
    }
    const answer = (await (deps.ask ?? askOnTerminal)(`${plan[0].toUpperCase()}${plan.slice(1)}? [y/N] `)).trim().toLowerCase();
    if (answer !== 'y' && answer !== 'yes') {
      io.out('nothing written');
      return 1;
    }
  }
  try {
    writeFileSync(target, withModeline(text, cwd), { flag: 'wx' }); // never over a file that appeared meanwhile
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      io.err('cockpit: cockpit.yml appeared meanwhile: not overwritten');
      return 2;
    }
    throw e;
  }
  const ignored = ignoreCockpitDir(cwd);
  if (ignored !== 'present') io.out(`${ignored === 'created' ? 'wrote .gitignore with' : 'added'} ${IGNORED}${ignored === 'added' ? ' to .gitignore' : ''} (the run's journal, lock and history stay out of git)`);
  const toWrite = rollbackToWrite(text, target);
  if (toWrite.length === 0) {
    io.out(`wrote cockpit.yml: next, cockpit validate, then cockpit run --dry-run`);
    return 0;
  }
  // the rollback's commands are the first thing to write: validate (and the guardrail self-test) refuse the runbook until each can run
  io.out(`wrote cockpit.yml: next, write what the rollback runs (cockpit validate fails until ${toWrite.length === 1 ? 'it exists and is' : 'each exists and is'} executable):`);
  for (const p of toWrite) io.out(`  ${p.where}: ${p.reason}`);
  io.out('then cockpit validate, then cockpit run --dry-run');
  return 0;
}

/** The rollback-pipeline commands of the cockpit.yml just written that cannot run from where it is (the rule validate applies). */
function rollbackToWrite(text: string, target: string): { where: string; reason: string }[] {
  const written = parseRunbook(text, target, 'cockpit.yml');
  return written.ok ? rollbackCommandProblems(written.runbook) : [];
}

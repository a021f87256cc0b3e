/**
 * Terminal escape injection through the CLI, in-process through main(argv, io): what a headless
 * run, `cockpit rollback`, `cockpit history` and `cockpit validate` print holds no escape but
 * colour (SGR), no C1 control, no BEL, no bidi override, whatever the steps print, the runbook
 * says or a git commit subject holds; the step logs on disk keep the raw bytes. Real steps
 * (child processes through the supervisor) and a real git repository.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

/** Anything but text and colour: a non-SGR escape, a C1 control, BEL or another C0 control (tab aside), DEL, a bidi override. */
const UNSAFE = /\x1b(?!\[[0-9;:]*m)|[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

/** What a hostile step prints: colour, OSC 52 (the clipboard: "rm -rf ~"), OSC 0 (the title), clear screen, alternate screen, 8-bit CSI/OSC, BEL, a bidi override. */
const HOSTILE_SCRIPT = `#!/bin/sh
printf '\\033[32mgreen text\\033[0m\\033]52;c;cm0gLXJmIH4=\\007\\033]0;pwned title\\007\\033[2J\\033[?1049h after\\n'
printf 'c1 \\302\\2332J \\302\\2350;c1 title\\007 bell\\007 \\342\\200\\256desrever\\n'
printf 'tail\\033]0;unterminated'
`;

let dir: string;
let state: string;
const saved = { ...process.env };
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cockpit-escapes-'));
  state = join(dir, 'state');
  process.env.COCKPIT_STATE_DIR = state;
  process.env.COCKPIT_CACHE_DIR = join(dir, 'cache');
  writeFileSync(join(dir, 'hostile.sh'), HOSTILE_SCRIPT);
  chmodSync(join(dir, 'hostile.sh'), 0o755);
});
afterEach(() => {
  process.env = { ...saved };
  rmSync(dir, { recursive: true, force: true });
});

async function cockpit(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Every file under `d` (the step logs of a session). */
function files(d: string): string[] {
  return readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? files(join(d, f)) : [join(d, f)]));
}

const RUNBOOK = `name: "esc\\e]0;runbook title\\a-release"
version: "1.0.0"
environment: production
stages:
  - id: deploy
    title: "Deploy \\e[2J\\u009b2J\\u202eevil"
    steps:
      - id: hostile
        title: "hostile \\e]52;c;cm0gLXJmIH4=\\a output"
        run: [./hostile.sh]
      - id: forged
        title: "forged\\n12:00:00 ■ RELEASED"
        run: [./hostile.sh]
rollback:
  steps:
    - id: undo
      title: "undo \\e]0;t\\a"
      run: [./hostile.sh]
    - id: fail
      run: [sh, -c, "printf 'bad \\\\033]52;c;cm0gLXJmIH4=\\\\007 news\\\\n' >&2; exit 3"]
`;

describe('no escape reaches the terminal from the CLI', () => {
  it('headless run: step output keeps its colour and text, loses OSC 52, OSC 0, ESC[2J, ESC[?1049h, C1, BEL, bidi; the step log keeps the raw bytes', async () => {
    writeFileSync(join(dir, 'cockpit.yml'), RUNBOOK);
    const r = await cockpit('run', join(dir, 'cockpit.yml'), '--headless');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).not.toMatch(UNSAFE);
    expect(r.out).toContain('\x1b[32mgreen text\x1b[0m after');
    expect(r.out).toContain('│ c1   bell desrever');
    expect(r.out).toContain('│ tail');
    expect(r.out).toContain('cockpit · esc-release 1.0.0 → production');
    expect(r.out).toContain('▶ stage deploy: Deploy evil');
    expect(r.out).toContain('  ✓ hostile  output');
    // a title cannot forge a line of its own
    expect(r.out).toContain('  ▶ forged 12:00:00 ■ RELEASED: ./hostile.sh');
    expect(r.out.split('\n').filter((l) => /^(\d\d:){2}\d\d ■ RELEASED$/.test(l))).toHaveLength(1);
    expect(r.out).not.toMatch(/^12:00:00/m);
    const logs = files(state).filter((f) => f.endsWith('.log'));
    const raw = logs.map((f) => readFileSync(f, 'latin1')).join('');
    expect(raw).toContain('\x1b]52;c;cm0gLXJmIH4=\x07');
    expect(raw).toContain('\x1b[2J');
    expect(raw).toContain('\xc2\x9b2J');
  });

  it('--json: the same JSON values, with C1 and bidi as \\u escapes: nothing acts on a terminal', async () => {
    writeFileSync(join(dir, 'cockpit.yml'), RUNBOOK);
    const r = await cockpit('run', join(dir, 'cockpit.yml'), '--json');
    expect(r.code).toBe(0);
    expect(r.out).not.toMatch(UNSAFE);
    const lines = r.out.split('\n').map((l) => JSON.parse(l) as { type: string; text?: string });
    expect(lines.filter((l) => l.type === 'step.line').map((l) => l.text)).toContain('c1 \x9b2J \x9d0;c1 title\x07 bell\x07 \u202edesrever');
  });

  it('cockpit rollback: the rollback steps\' output and a failed step\'s reason and the --reason given arrive clean', async () => {
    writeFileSync(join(dir, 'cockpit.yml'), RUNBOOK);
    const r = await cockpit('rollback', join(dir, 'cockpit.yml'), '--reason', 'bad \x1b]0;deploy\x07 \x9b2J release');
    expect(r.code).toBe(1); // ROLLBACK FAILED
    const all = `${r.out}\n${r.err}`;
    expect(all).not.toMatch(UNSAFE);
    expect(r.out).toContain('\x1b[32mgreen text\x1b[0m after');
    expect(r.out).toContain('⟲ ROLLING BACK (command): bad   release');
    expect(r.out).toContain('│ bad  news');
    expect(r.out).toMatch(/✗ ROLLBACK FAILED at fail/);
  });

  it('cockpit history: a contributor\'s commit subject with OSC 52, a clear screen and C1 is printed as text', async () => {
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } }).trim();
    writeFileSync(join(dir, 'cockpit.yml'), RUNBOOK.replace(/run: \[\.\/hostile\.sh\]/g, 'run: [echo, ok]').replace('    title: "Deploy', '    environment: production\n    title: "Deploy'));
    git('init', '-q');
    git('add', '-A');
    git('commit', '-q', '-m', 'first');
    expect((await cockpit('run', join(dir, 'cockpit.yml'), '--headless')).code).toBe(0);
    git('commit', '-q', '--allow-empty', '-m', 'fix \x1b]52;c;cm0gLXJmIH4=\x07cart \x1b[2J\u009b2J\u202eevil\x1f\x07');
    expect((await cockpit('run', join(dir, 'cockpit.yml'), '--headless')).code).toBe(0);
    for (const args of [[], ['--markdown'], ['--json']]) {
      const r = await cockpit('history', join(dir, 'cockpit.yml'), ...args);
      expect(r.code).toBe(0);
      expect(r.err).toBe('');
      expect(r.out).not.toMatch(UNSAFE);
      if (args[0] !== '--json') expect(r.out).toContain('1 commit: fix cart evil');
    }
  });

  it('cockpit validate: runbook strings in its summary and its errors are printable', async () => {
    writeFileSync(join(dir, 'cockpit.yml'), RUNBOOK);
    const ok = await cockpit('validate', join(dir, 'cockpit.yml'));
    expect(ok.code).toBe(0);
    expect(`${ok.out}\n${ok.err}`).not.toMatch(UNSAFE);
    expect(ok.out).toContain('esc-release');
    writeFileSync(join(dir, 'bad.yml'), `name: x\nversion: "1"\nenvironment: production\nstages:\n  - id: "a\\e]52;c;cm0gLXJmIH4=\\a\\u009b2J"\n    stepz: []\n`);
    const bad = await cockpit('validate', join(dir, 'bad.yml'));
    expect(bad.code).toBe(2);
    expect(`${bad.out}\n${bad.err}`).not.toMatch(UNSAFE);
    expect(bad.err).toMatch(/bad\.yml:\d+/);
  });
});


/**
 * End to end, through the BUILT binary (build first: `node scripts/build.mjs`): what a hostile or
 * careless runbook does to cockpit. A step's cwd that is gone fails that step cleanly (a rollback
 * goes on to its incident step); a 600h timeout does not fire at once; a runbook path that is a
 * named pipe, a device or a huge file, a Markdown runbook nested thousands of levels deep and a
 * front matter of YAML aliases that expand a billionfold each get one clear error, at once.
 *
 * Every test has its own temp dir (COCKPIT_STATE_DIR in it); the CPU time each refusal takes (the
 * cockpit's, all its threads, read by bash's `times`) is measured against a generous bound: a
 * guard against a hang or a blow-up, not a benchmark. CPU time, not wall time: on a loaded machine
 * a refusal of 0.3 s of CPU took over 5 s of wall time (seen), and failed a wall-time bound.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bashTimes, splitTimes } from '../../bench/lib/bash-times.mjs';
import { runCockpit } from '../helpers/demo-run.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** A refusal that takes more CPU than this has blown up (it is one read and a stat, or a line scan). */
const QUICK_MS = 5000;
const STACK_LINE = /^\s+at /;
const STAMP = /^\d\d:\d\d:\d\d /;

/** `cpuMs`: the CPU time the cockpit's process took (user + system, its threads included). */
type Result = { code: number | null; stdout: string; stderr: string; out: string[]; err: string[]; text: string[]; cpuMs: number };

const temps: string[] = [];
afterEach(() => {
  for (const p of temps.splice(0)) rmSync(p, { recursive: true, force: true });
});

beforeAll(() => {
  for (const f of ['cockpit.js', 'supervisor.js']) if (!existsSync(join(ROOT, 'dist', f))) throw new Error(`dist/${f} is missing: build first (node scripts/build.mjs)`);
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'cockpit-hostile-'));
  temps.push(d);
  return d;
}

const linesOf = (s: string) => (s === '' ? [] : s.replace(/\n$/, '').split('\n'));

/** Runs the binary in `cwd` to its end (SIGKILLed after 30 s: the test then fails, it does not hang); never a stack trace. */
async function cockpit(args: string[], cwd: string): Promise<Result> {
  const r = await spawnCockpit(args, cwd);
  expect([...r.out, ...r.err].filter((l) => STACK_LINE.test(l) || /internal error/.test(l)), `a stack trace:\n${r.stdout}\n${r.stderr}`).toEqual([]);
  return r;
}

async function spawnCockpit(args: string[], cwd: string): Promise<Result> {
  const env: NodeJS.ProcessEnv = { ...process.env, COCKPIT_STATE_DIR: join(cwd, '.state'), COCKPIT_NO_CACHE: '1', NO_COLOR: '1' };
  delete env.COCKPIT_DEBUG;
  // bash runs the cockpit, then prints the CPU of what it waited for (the cockpit) on stderr
  const r = await runCockpit(args, { cwd, env, launch: (argv) => [...bashTimes({ fd: 2 }), ...argv] });
  const t = splitTimes(r.stderr);
  if (!t) throw new Error(`no CPU times on stderr:\n${r.stderr}`);
  const cpuMs = Math.round((t.user + t.sys) * 1000);
  const stderr = t.before;
  const out = linesOf(r.stdout);
  return { code: r.code, stdout: r.stdout, stderr, out, err: linesOf(stderr), text: out.map((l) => l.replace(STAMP, '')), cpuMs };
}

function expectExit(r: Result, code: number): void {
  expect(r.code, `exit ${r.code}, expected ${code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`).toBe(code);
}

/** Every step supervisor a run started has exited (its status file says so, and its process is gone). */
function expectSupervisorsGone(state: string): void {
  const sessions = join(state, 'sessions');
  for (const d of readdirSync(sessions, { recursive: true, withFileTypes: true })) {
    if (!d.isFile() || !d.name.endsWith('.status.json')) continue;
    const s = JSON.parse(readFileSync(join(d.parentPath, d.name), 'utf8')) as { state: string; supervisorPid: number };
    expect(s.state, d.name).toBe('exited');
    expect(existsSync(`/proc/${s.supervisorPid}`) && !readFileSync(`/proc/${s.supervisorPid}/stat`, 'utf8').includes(') Z'), `supervisor ${s.supervisorPid} still running`).toBe(false);
  }
}

describe('a step whose cwd does not exist', () => {
  it('fails that step (not the cockpit); the rollback step with it fails too and the rollback goes on to the incident', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'build'));
    // valid when loaded (build/ exists); the first step removes it, as a release's clean-up might
    writeFileSync(
      join(dir, 'cockpit.yml'),
      [
        'name: gone-cwd',
        'stages:',
        '  - id: staging',
        '    steps:',
        '      - run: [rm, -rf, build]',
        '        id: clean',
        '      - run: pwd',
        '        id: in-build',
        '        cwd: build',
        'rollback:',
        '  steps:',
        '    - run: echo rolling back',
        '      id: undo',
        '      cwd: build',
        '  incident: [echo, "incident: {reason}"]',
        '',
      ].join('\n'),
    );
    const r = await cockpit(['run', '--headless', '--yes', '--on-failure', 'rollback'], dir);
    expectExit(r, 1);
    expect(r.stderr).toBe('');
    const gone = `cwd does not exist: ${join(dir, 'build')}`;
    expect(r.text).toContain(`  ✗ in-build FAILED: ${gone}`);
    expect(r.text).toContain(`  ✗ undo FAILED: ${gone}`);
    const incident = r.text.findIndex((l) => l.startsWith('  ▶ create incident'));
    expect(incident, r.stdout).toBeGreaterThan(r.text.indexOf(`  ✗ undo FAILED: ${gone}`));
    expect(r.text.slice(incident)).toContain(`  │ incident: ROLLBACK FAILED at undo (${gone}); stage "staging" failed at in-build: ${gone}`);
    expect(r.text.slice(incident).some((l) => /^ {2}✓ create incident \(\d+ms\)$/.test(l)), r.stdout).toBe(true);
    expect(r.text).toContain(`✗ ROLLBACK FAILED at undo: ${gone}`);
    expect(r.text).toContain('■ ROLLBACK FAILED');
    expectSupervisorsGone(join(dir, '.state'));
  });

  it('cockpit validate and cockpit run refuse a cwd that is not there at load, located (exit 2)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'cockpit.yml'), 'name: t\nstages:\n  - id: staging\n    steps:\n      - run: ./deploy.sh\n        cwd: deploy\n');
    const line = 'cockpit.yml:6:14: cwd "deploy" does not exist in the runbook\'s directory (for one an earlier step makes, write run: "cd deploy && …")';
    for (const args of [['validate'], ['run', '--headless', '--yes']]) {
      const r = await cockpit(args, dir);
      expectExit(r, 2);
      expect(r.err).toEqual([line, '1 error in cockpit.yml']);
    }
  });

  it('an absolute cwd is taken as it is (it was joined under the runbook directory)', async () => {
    const dir = tempDir();
    const abs = join(dir, 'elsewhere');
    mkdirSync(abs);
    mkdirSync(join(dir, 'rb'));
    writeFileSync(join(dir, 'rb', 'cockpit.yml'), `name: t\nstages:\n  - id: staging\n    steps:\n      - run: pwd\n        cwd: ${abs}\n`);
    const r = await cockpit(['run', '--headless', '--yes', 'rb/cockpit.yml'], dir);
    expectExit(r, 0);
    expect(r.text).toContain(`  │ ${abs}`);
  });
});

describe('a timeout past 2^31 ms', () => {
  it('timeout: 600h lets a one-second step finish (it fired at once: a 32-bit timer overflow)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'cockpit.yml'), 'name: t\nstages:\n  - id: staging\n    steps:\n      - run: sleep 1; echo ok\n        id: slow\n        timeout: 600h\n');
    const r = await cockpit(['run', '--headless', '--yes'], dir);
    expectExit(r, 0);
    expect(r.text).toContain('  │ ok');
    expect(r.text.some((l) => /^ {2}✓ slow \(1\.\ds\)$/.test(l)), r.stdout).toBe(true);
    expect(r.stdout).not.toMatch(/timeout|timed out/);
  });
});

describe('runbook files that are not runbooks', () => {
  it('a named pipe: refused at once (it hung, waiting for a writer)', async () => {
    const dir = tempDir();
    execFileSync('mkfifo', [join(dir, 'release.yml')]);
    for (const args of [['validate', 'release.yml'], ['run', '--headless', '--yes', 'release.yml']]) {
      const r = await cockpit(args, dir);
      expectExit(r, 2);
      expect(r.err).toEqual(['cockpit: release.yml is a named pipe, not a regular file: a runbook is a YAML, JSON or Markdown file']);
      expect(r.cpuMs).toBeLessThan(QUICK_MS);
    }
  });

  it('/dev/zero: refused at once (it read forever)', async () => {
    const dir = tempDir();
    for (const args of [['validate', '/dev/zero'], ['run', '--headless', '--yes', '/dev/zero']]) {
      const r = await cockpit(args, dir);
      expectExit(r, 2);
      expect(r.err).toEqual(['cockpit: /dev/zero is a character device, not a regular file: a runbook is a YAML, JSON or Markdown file']);
      expect(r.cpuMs).toBeLessThan(QUICK_MS);
    }
  });

  it('a 3.1 MiB file: refused by its size, unread', async () => {
    const dir = tempDir();
    const line = '      - ./deploy.sh # padding padding padding padding padding padding\n';
    const text = 'name: big\nstages:\n  - id: staging\n    steps:\n' + line.repeat(Math.ceil((3.1 * 1024 * 1024) / line.length));
    writeFileSync(join(dir, 'release.yml'), text);
    for (const args of [['validate', 'release.yml'], ['run', '--headless', '--yes', 'release.yml']]) {
      const r = await cockpit(args, dir);
      expectExit(r, 2);
      expect(r.err).toEqual(['cockpit: release.yml is 3.1 MiB: a runbook is at most 2 MiB']);
      expect(r.cpuMs).toBeLessThan(QUICK_MS);
    }
  });
});

describe('Markdown and YAML that blow up parsers', () => {
  const head = '# Release\n\n## Release Process\n\n### Staging\n\n```bash\n./deploy.sh\n```\n\n';

  it('16 KB and 50 KB of nested ">": a located error at once (the stack overflowed; 50 KB took over a minute)', async () => {
    const dir = tempDir();
    for (const [name, kb] of [['deep16.md', 16], ['deep50.md', 50]] as const) {
      const depth = (kb * 1024) / 2;
      writeFileSync(join(dir, name), head + '> '.repeat(depth) + 'x\n');
      const r = await cockpit(['validate', name], dir);
      expectExit(r, 2);
      expect(r.stdout).toBe('');
      expect(r.err).toEqual([`${name}:11:201: nested too deep: ${depth} levels of blockquotes (">") and lists (at most 100)`, `1 error in ${name}`]);
      expect(r.cpuMs).toBeLessThan(QUICK_MS);
    }
  });

  it('lists nested by indentation and by markers count too; 100 levels are fine', async () => {
    const dir = tempDir();
    let indented = head;
    for (let i = 0; i <= 100; i++) indented += `${' '.repeat(2 * i)}- level ${i + 1}\n`;
    writeFileSync(join(dir, 'indented.md'), indented);
    writeFileSync(join(dir, 'mixed.md'), head + '> - '.repeat(60) + 'x\n');
    writeFileSync(join(dir, 'fine.md'), head + '> '.repeat(100) + 'x\n\n```bash\n' + '> '.repeat(500) + '\n```\n');
    const indentedR = await cockpit(['validate', 'indented.md'], dir);
    expectExit(indentedR, 2);
    expect(indentedR.err).toEqual(['indented.md:111:201: nested too deep: 101 levels of blockquotes (">") and lists (at most 100)', '1 error in indented.md']);
    const mixed = await cockpit(['validate', 'mixed.md'], dir);
    expectExit(mixed, 2);
    expect(mixed.err).toEqual(['mixed.md:11:201: nested too deep: 120 levels of blockquotes (">") and lists (at most 100)', '1 error in mixed.md']);
    const fine = await cockpit(['validate', 'fine.md'], dir);
    expectExit(fine, 0);
    expect(fine.out[0]).toMatch(/^ok: Release: /);
  });

  it('a front matter of aliases that expand a billionfold: a located error (it crashed)', async () => {
    const dir = tempDir();
    const bomb = ['name: x', 'a: &a [x, x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]'];
    writeFileSync(join(dir, 'bomb.md'), `---\n${bomb.join('\n')}\n---\n${head}`);
    const r = await cockpit(['validate', 'bomb.md'], dir);
    expectExit(r, 2);
    expect(r.stdout).toBe('');
    expect(r.err.slice(0, 2)).toEqual(['bomb.md:2:1: front matter: cannot read the document: Excessive alias count indicates a resource exhaustion attack', '1 error in bomb.md']);
    expect(r.cpuMs).toBeLessThan(QUICK_MS);
    // the same aliases in a YAML runbook: refused the same way
    writeFileSync(join(dir, 'bomb.yml'), `${bomb.join('\n')}\nstages:\n  - id: staging\n    steps: [./deploy.sh]\n`);
    const y = await cockpit(['validate', 'bomb.yml'], dir);
    expectExit(y, 2);
    expect(y.err).toEqual(['bomb.yml:1:1: cannot read the document: Excessive alias count indicates a resource exhaustion attack', '1 error in bomb.yml']);
  });

  it('20 000 steps load in seconds (ids were made unique in quadratic time: 13 s)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'cockpit.yml'), 'name: big\nstages:\n  - id: staging\n    steps:\n' + '      - ./deploy.sh\n'.repeat(20_000));
    const r = await cockpit(['validate'], dir);
    expectExit(r, 0);
    expect(r.out[0]).toMatch(/^ok: big: 0 checks \(0 automated, 0 manual\), 1 stage, 20000 steps, /);
    expect(r.cpuMs).toBeGreaterThan(0); // measured: a node process takes tens of ms of CPU
    expect(r.cpuMs).toBeLessThan(QUICK_MS);
  });
});

/**
 * End to end: `cockpit wallboard` from the BUILT binary (bin/cockpit.js → dist/) in a real terminal
 * (a detached tmux session, CI=false in the pane) following real demo sessions. Build first:
 * `node scripts/build.mjs`.
 *
 * 1. No live session: the latest (ended) one, saying so; a terminal too small gets a message, not
 *    a broken layout; a session a cockpit starts later (a headless bad-release demo in the same
 *    state directory) replaces the ended one.
 * 2. At 80×24 and at 200×60, side by side, following that same live bad-release: the status word
 *    and runbook, a chart per metric series, the error-rate trigger PENDING then FIRED, ROLLING
 *    BACK, ROLLED BACK, the escalation level, the output tail (checked against the step's log
 *    file); R says read-only (and the journal shows no rollback but the trigger's); idle CPU ~0
 *    once the session ended; q exits 0; no process is left behind.
 * 3. No session at all (exit 1), not a terminal (exit 2), bad usage (exit 2): one clear line each.
 * 4. blessed is only in the wallboard's own chunk: not in the Ink bundle nor the CLI's entry.
 *
 * Every wait is for screen content (or a file, or a process) against a deadline.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, journalEvents, processesUnder, runDemo, until, tempRoots, tmuxServerPid, type DemoResult } from '../helpers/demo-run.js';
import { hasTmux, shq, tmux, TmuxSession } from '../helpers/tmux.js';

/** Slow enough that the error-rate trigger is PENDING for 10 s (its 2m window), quick enough for a test. */
const SPEED = 12;

const tempRoot = tempRoots();


const lines = (screen: string) => screen.split('\n');
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The session directories under a state dir, oldest first. */
const sessionIds = (state: string): string[] => (existsSync(join(state, 'sessions')) ? readdirSync(join(state, 'sessions')).sort() : []);

/** The wallboard's node process in a tmux session (not the pane's shell): the pane's child, by its command line. */
function wallboardPid(root: string, s: TmuxSession): number | undefined {
  const pane = Number(tmux('display-message', '-p', '-t', s.name, '#{pane_pid}').trim());
  const line = processesUnder(root).find((l) => {
    if (!/ wallboard /.test(l) || !l.split(' ').slice(2).join(' ').startsWith(process.execPath)) return false;
    const stat = readFileSync(`/proc/${l.split(' ')[0]}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pane;
  });
  return line ? Number(line.split(' ')[0]) : undefined;
}

/** CPU time (user + system, clock ticks) a process has used. */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** Waits until no process is under `root` but the tmux server; returns what is left. */
async function leftovers(root: string): Promise<string[]> {
  const server = tmuxServerPid();
  let left: string[] = [];
  await until('no process under the temp dir', () => (left = processesUnder(root, server === undefined ? [] : [server])).length === 0, 5000).catch(() => undefined);
  return left;
}

function startWallboard(root: string, state: string, cols: number, rows: number): TmuxSession {
  return TmuxSession.start(`${shq(process.execPath)} ${shq(BIN)} wallboard ws/cockpit.yml`, { cols, rows, cwd: root, env: { COCKPIT_STATE_DIR: state }, name: 'cockpit-wallboard' });
}

const CHARTS = ['latency p95', 'error rate', 'throughput', 'memory'];
/** Every series has a chart whose title (on its top border) starts with the series' label. */
const chartTitles = (screen: string) => CHARTS.every((t) => lines(screen).some((l) => new RegExp(`┌─ ${escape(t)}\\b`).test(l) || l.includes(`┐┌─ ${t}`)));

describe.skipIf(!hasTmux())('cockpit wallboard, built binary', () => {
  /**
   * The checks on a wallboard that follows the live bad-release `id` (started while the session
   * runs), up to q. `demo` is the run; the journal is the session's.
   */
  async function followsLive(s: TmuxSession, o: { cols: number; rows: number; id: string; root: string; state: string; demo: Promise<DemoResult> }): Promise<void> {
    const { cols, rows, id, state } = o;
    const journal = join(state, 'sessions', id, 'journal.jsonl');
    const header = (x: string) => lines(x).slice(0, 8).join('\n');
    let f = await s.waitFor((x) => / RELEASING {2,}demo-web-app 2\.4\.0 → production +read-only · q quit$/m.test(x) && x.includes(`LIVE · session ${id}`) && chartTitles(x), { timeoutMs: 20_000 });
    expect(lines(f)).toHaveLength(rows);
    expect(f).toMatch(/┌─ Stages ─/);
    expect(f).toMatch(/┌─ Triggers · armed ─|┌─ Triggers · not armed ─/);
    expect(f).toMatch(/┌─ Incident · flags ─/);
    // the big word only where there is room for it
    expect(/▀/.test(header(f))).toBe(cols >= 120);

    // R while it is live: a message, never a rollback
    s.keys('R');
    f = await s.waitFor('This wallboard is READ-ONLY: it never rolls back.');
    expect(f).toContain('cockpit rollback ws/cockpit.yml');
    expect(f).toContain('or press R in the cockpit that drives the release.');
    s.keys('x');
    await s.waitForGone('READ-ONLY');

    // the error rate climbs: PENDING counting against its window, the output of a running step
    const pending = new RegExp(`◐ PENDING \\d:\\d\\d/${escape('0:10')} error_rate > 1 %`);
    // (a step that has just started has no line yet: the wait is for both)
    const stamped = /│\d\d:\d\d:\d\d \S/;
    f = await s.waitFor((x) => pending.test(x) && stamped.test(x), { timeoutMs: 30_000 });
    expect(f).toMatch(cols > 100 ? /┌─ Output · .+ · (running|passed) \d:\d\d/ : /┌─ Output · \S/);

    f = await s.waitFor((x) => x.includes('● FIRED error_rate > 1 %') && x.includes(' ROLLING BACK '), { timeoutMs: 30_000 });
    f = await s.waitFor((x) => x.includes(' ROLLED BACK ') && x.includes(`ENDED `), { timeoutMs: 30_000 });
    expect(f).toMatch(new RegExp(`^ ENDED \\d\\d:\\d\\d:\\d\\d: rolled back · incident \\d:\\d\\d · escalation L1/3 · session ${id.slice(0, cols > 100 ? id.length : 5)}`, 'm'));
    expect(f).toMatch(/│incident \d:\d\d · escalation L1\/3/);
    expect(f).toContain('● FIRED error_rate > 1 %');
    // the screen's strip: the stages that ran read rolled back, the rollback passed (session/view/stage-status.ts)
    expect(f).toMatch(/✓ Rollback +passed \d:\d\d/);
    expect(f).toMatch(/↺ Deploy to P\S* +rolled back \d:\d\d/);

    // the output tail is the last step's log: the incident script's line, as stamped in its file
    const r = await o.demo;
    expect(r.code, r.stderr).toBe(3);
    const log = readdirSync(join(state, 'sessions', id)).find((n) => n.startsWith('rollback.') && n.endsWith('.log') && readFileSync(join(state, 'sessions', id, n), 'utf8').includes('incident opened'));
    expect(log).toBeDefined();
    const last = readFileSync(join(state, 'sessions', id, log!), 'utf8').trimEnd().split('\n').at(-1)!;
    expect(last).toMatch(/^\d\d:\d\d:\d\d\.\d{3} incident opened: trigger fired: error_rate > 1 %/);
    const shown = `${last.slice(0, 8)} ${last.slice(13)}`;
    f = await s.waitFor((x) => x.includes(`│${shown.slice(0, 40)}`));

    // R never rolled back: the one rollback is the trigger's
    const rollbacks = journalEvents(journal).filter((e) => e.type === 'rollback.started');
    expect(rollbacks.map((e) => e.source)).toEqual(['trigger']);

    // an ended session on screen costs (next to) no CPU: no busy loop, a 1 s clock
    const pid = wallboardPid(o.root, s);
    expect(pid).toBeDefined();
    const before = cpuTicks(pid!);
    const t0 = Date.now();
    await until('3 s of wallboard', () => Date.now() - t0 >= 3000, 5000);
    expect(cpuTicks(pid!) - before, 'CPU ticks (1/100 s) in 3 s').toBeLessThan(15);

    s.keys('q');
    expect(await s.waitForExit({ timeoutMs: 10_000 })).toBe(0);
  }

  /**
   * One state directory, two demo sessions: a good release that has ended, then a live bad-release.
   * 1. The ended one, on a wallboard started when no session is live (too small a terminal first).
   * 2. The live one: that wallboard switches to it; two more, at 80×24 and 200×60, started while it
   *    runs, follow it to its end (the same checks on each, side by side).
   */
  // this test and the next (no session at all: a wallboard that exits at once, four CLI calls) run
  // side by side (it.concurrent, one group): each its own root and state dir
  it.concurrent('no live session: the latest ended one, saying so; too small a terminal gets a message; a session started later replaces it; follows a live bad-release at 80×24 and 200×60: charts, PENDING then FIRED, ROLLING BACK, ROLLED BACK, escalation, output tail; R is read-only; q exits, nothing left', async () => {
    const root = tempRoot('cockpit-wallboard-');
    const ws = join(root, 'ws');
    const state = join(root, 'state');
    const good = await runDemo(['--scenario', 'good', '--headless', '--speed', '60', '--dir', ws], { state, timeoutMs: 60_000 });
    expect(good.code, `${good.stderr}\n${good.stdout}`).toBe(0);
    const [first] = sessionIds(state);
    const s = startWallboard(root, state, 70, 20);
    const screens: TmuxSession[] = [s];
    try {
      let f = await s.waitFor('cockpit wallboard needs at least 80×24; this terminal is 70×20.', { timeoutMs: 15_000 });
      expect(f).toContain('Enlarge the window or make the font smaller (q quits).');
      expect(f).not.toContain('┌─');
      s.resize(100, 30);
      f = await s.waitFor((x) => x.includes(' RELEASED ') && chartTitles(x), { timeoutMs: 10_000 });
      expect(f).toMatch(new RegExp(`^ ENDED \\d\\d:\\d\\d:\\d\\d: released · session ${first}$`, 'm'));
      expect(f).not.toContain('LIVE');
      expect(f).toContain('│no incident');
      expect(f).toMatch(/✓ Post-Release +passed \d:\d\d \/ \d:\d\d/);
      // the flag the release ramped, at the percentage the provider confirmed
      expect(f).toMatch(/new-checkout +█+ +100 %/);

      // back under the minimum and out again
      s.resize(79, 30);
      await s.waitFor('this terminal is 79×30.');
      s.resize(100, 30);
      await s.waitFor(' RELEASED ');

      // a cockpit starts a new session here: the wallboard follows it
      const bad = runDemo(['--scenario', 'bad-release', '--headless', '--speed', String(SPEED), '--dir', ws], { state, timeoutMs: 80_000 });
      await until('a second session', () => sessionIds(state).length === 2, 20_000);
      const second = sessionIds(state)[1];
      await until('the second session started its journal', () => existsSync(join(state, 'sessions', second, 'journal.jsonl')), 20_000);
      f = await s.waitFor((x) => x.includes(`LIVE · session ${second}`) && x.includes(' RELEASING '), { timeoutMs: 15_000 });
      // two more wallboards, started while it is live, follow it at the smallest size and a large one
      // (side by side; the first one's screen is read again when they are done: two pollers at a time)
      const sizes = [
        [80, 24],
        [200, 60],
      ] as const;
      const live = sizes.map(([cols, rows]) => startWallboard(root, state, cols, rows));
      screens.push(...live);
      const followed = live.map((w, i) => followsLive(w, { cols: sizes[i][0], rows: sizes[i][1], id: second, root, state, demo: bad }));
      // both screens' checks run to their end; the first failure is the test's
      const settled = await Promise.allSettled(followed);
      for (const x of settled) if (x.status === 'rejected') throw x.reason;
      f = await s.waitFor((x) => x.includes(' ROLLED BACK ') && x.includes(`session ${second}`), { timeoutMs: 45_000 });
      expect((await bad).code).toBe(3);
      s.keys('C-c');
      expect(await s.waitForExit({ timeoutMs: 10_000 })).toBe(0);
      expect(await leftovers(root)).toEqual([]);
    } finally {
      for (const w of screens) w.kill();
    }
  }, 150_000);

  it.concurrent('no session at all: one clear line, exit 1; not a terminal: exit 2; bad usage: exit 2', async () => {
    const root = tempRoot('cockpit-wallboard-none-');
    mkdirSync(join(root, 'ws'));
    writeFileSync(join(root, 'ws', 'cockpit.yml'), 'name: tiny\nstages:\n  - id: only\n    steps: [./deploy.sh]\n');
    const state = join(root, 'state');
    const s = startWallboard(root, state, 80, 24);
    try {
      expect(await s.waitForExit({ timeoutMs: 10_000 })).toBe(1);
      expect(s.screen({ history: 100 })).toMatch(new RegExp(`^cockpit: no session to show: ${escape(state)} has none yet \\(a release started with "cockpit run" appears here\\)$`, 'm'));
    } finally {
      s.kill();
    }
    const run = (...args: string[]) => spawnSync(process.execPath, [BIN, 'wallboard', ...args], { cwd: root, env: { ...process.env, COCKPIT_STATE_DIR: state }, encoding: 'utf8' });
    const piped = run('ws/cockpit.yml');
    expect(piped.status).toBe(2);
    expect(piped.stderr).toBe('cockpit: the wallboard is a full-screen dashboard and needs a terminal (stdin and stdout a TTY)\n');
    expect(piped.stdout).toBe('');
    const two = run('a.yml', 'b.yml');
    expect(two.status).toBe(2);
    expect(two.stderr).toMatch(/^cockpit: one runbook at most, got 2: a\.yml b\.yml\nusage: cockpit wallboard \[runbook \| URL\]\n$/);
    const help = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    expect(help.stdout).toMatch(/^ {2}wallboard +a read-only full-screen dashboard of the live or latest session \(a war-room screen\)$/m);
    const missing = run('nope.yml');
    expect(missing.status).toBe(2);
    expect(missing.stderr.split('\n')[0]).toMatch(/^cockpit: .*nope\.yml/);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  }, 30_000);

  it('blessed and blessed-contrib live only in the wallboard chunk: not in the Ink bundle, not in the CLI entry', () => {
    const dist = join(ROOT, 'dist');
    const files = ['cockpit.js', 'tui.cjs', 'supervisor.js', ...readdirSync(join(dist, 'chunks')).map((f) => join('chunks', f))];
    const withBlessed = files.filter((f) => /["']blessed(-contrib)?[/"']/.test(readFileSync(join(dist, f), 'utf8')));
    expect(withBlessed).toHaveLength(1);
    expect(withBlessed[0]).toMatch(/^chunks\/wallboard-[A-Z0-9]+\.js$/);
    // and that chunk is reached only through a dynamic import (the wallboard command's), never a static one
    const name = escape(withBlessed[0].slice('chunks/'.length));
    const importers = files.filter((f) => new RegExp(`["']\\./(chunks/)?${name}["']`).test(readFileSync(join(dist, f), 'utf8')));
    expect(importers).toHaveLength(1);
    expect(readFileSync(join(dist, importers[0]), 'utf8')).toMatch(new RegExp(`import\\(["']\\./${name}["']\\)`));
    expect(readFileSync(join(dist, importers[0]), 'utf8')).not.toMatch(new RegExp(`from\\s*["']\\./${name}["']`));
  });
});

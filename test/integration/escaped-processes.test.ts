/**
 * Steps whose processes leave their process group (`setsid`, as `ssh -f` and daemonising CLIs do),
 * run by the real runner and supervisor (dist/supervisor.js): after the step's timeout, after
 * kill() (what a rollback interrupting a step, Ctrl+C and an interrupting quit do) and after a step
 * that exits leaving one behind, none of its processes is left. Survivors are counted in /proc by
 * the test's own environment tag (test/helpers/proc-tag.ts), which the step's processes inherit.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ProcessRunner } from '../../src/exec/runner.js';
import { parseRunbook } from '../../src/runbook/load.js';
import { Controller } from '../../src/session/controller.js';
import { MemoryJournal } from '../../src/session/journal.js';
import { describeTagged, killTagged, tagged, testTag } from '../helpers/proc-tag.js';
import { until } from '../helpers/demo-run.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dirs: string[] = [];
const tags: string[] = [];
const markers: string[] = [];

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist/supervisor.js'))) throw new Error('dist/supervisor.js is missing: run `npm run build`');
});
afterEach(() => {
  vi.unstubAllEnvs();
  for (const t of tags.splice(0)) killTagged(t);
  for (const m of markers.splice(0)) for (const p of withMarker(m)) process.kill(p, 'SIGKILL');
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Live `sleep`s whose argv carries the marker (for one that started with an empty environment). */
function withMarker(m: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'latin1');
      if ('ZX'.includes(stat.charAt(stat.lastIndexOf(')') + 2))) continue;
      const argv = readFileSync(`/proc/${e}/cmdline`, 'latin1');
      if (argv.startsWith('sleep\0') && argv.includes(m)) out.push(Number(e));
    } catch {
      /* gone */
    }
  }
  return out;
}

/** The session id (field 6 of /proc/<pid>/stat). */
const sessionOf = (pid: number): number => Number(readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1].split(' ')[3]);

// one runner for the file, as a session has: its spare supervisors (spare-pool.ts) are its own
let shared: ProcessRunner | undefined;
const runner = () => (shared ??= new ProcessRunner());

function step(script: string, o: { timeoutMs?: number; graceMs?: number } = {}) {
  const tag = testTag();
  tags.push(tag);
  const dir = mkdtempSync(join(tmpdir(), 'cockpit-escaped-'));
  dirs.push(dir);
  const handle = runner().start({
    key: 'stage.step',
    invocation: { file: 'bash', args: ['-c', script], env: {} },
    cwd: dir,
    env: { COCKPIT_PROC_TAG: tag },
    timeoutMs: o.timeoutMs,
    graceMs: o.graceMs ?? 5000,
    logPath: join(dir, 'stage.step.log'),
    secretNames: [],
  });
  return { tag, handle };
}

/** Both sleeps run, one of them in a session of its own (it left the step's group). */
async function bothSleeping(tag: string): Promise<void> {
  await until('the two sleeps', () => tagged(tag).filter((p) => p.argv.startsWith('sleep 300')).length === 2, 10_000, () => describeTagged(tag));
  const sleeps = tagged(tag).filter((p) => p.argv.startsWith('sleep 300'));
  expect(new Set(sleeps.map((p) => sessionOf(p.pid))).size).toBe(2);
}

const ESCAPING = 'setsid sleep 300 & sleep 300';

describe('a step whose child leaves its process group (setsid)', () => {
  it('its timeout ends the setsid child too', async () => {
    const { tag, handle } = step(ESCAPING, { timeoutMs: 1500 });
    await bothSleeping(tag);
    expect(await handle.done).toMatchObject({ ok: false, timedOut: true });
    await until('no process of the step left', () => tagged(tag).length === 0, 3000, () => describeTagged(tag));
  });

  it('kill() (a rollback interrupting it, an interrupting quit) ends the setsid child too', async () => {
    const { tag, handle } = step(ESCAPING, { graceMs: 20_000 });
    await bothSleeping(tag);
    handle.kill();
    expect(await handle.done).toMatchObject({ ok: false, interrupted: true });
    // SIGTERM is enough (well before the 20 s grace)
    await until('no process of the step left', () => tagged(tag).length === 0, 3000, () => describeTagged(tag));
  });

  it('a step that exits 0 leaving a setsid child: the child is ended', async () => {
    const { tag, handle } = step('setsid sleep 300 & echo started; sleep 2');
    await until('the setsid sleep', () => tagged(tag).some((p) => p.argv.startsWith('sleep 300')), 10_000, () => describeTagged(tag));
    expect(await handle.done).toMatchObject({ ok: true });
    await until('no process of the step left', () => tagged(tag).length === 0, 3000, () => describeTagged(tag));
  });

  it('a setsid child that cleared its environment is found through its parent while that lives', async () => {
    const m = `${Date.now() % 1_000_000}${Math.floor(Math.random() * 1000)}`;
    markers.push(m);
    const { tag, handle } = step(`setsid env -i sleep 300.${m} & sleep 300`, { timeoutMs: 1500 });
    await until('the env -i sleep', () => withMarker(m).length === 1, 10_000);
    expect(tagged(tag).some((p) => p.argv.startsWith('sleep') && p.argv.includes(m))).toBe(false); // the tag cannot find it
    expect(await handle.done).toMatchObject({ ok: false, timedOut: true });
    await until('the env -i sleep ended', () => withMarker(m).length === 0, 3000);
    await until('no process of the step left', () => tagged(tag).length === 0, 3000, () => describeTagged(tag));
  });
});

describe('through a session (Controller, real runner): the step is interrupted, its setsid child ends too', () => {
  /** Tagged processes but the runner's spare supervisors (idle, started with the test's environment). */
  const ofSteps = (tag: string) => tagged(tag).filter((p) => !p.argv.includes('supervisor.js --standby'));

  /** A session whose one step leaves a setsid sleep; every process it starts carries the test's tag. */
  async function running() {
    const tag = testTag();
    tags.push(tag);
    // the step's supervisor and everything under it inherit it (and so are counted until they exit)
    vi.stubEnv('COCKPIT_PROC_TAG', tag);
    const dir = mkdtempSync(join(tmpdir(), 'cockpit-escaped-session-'));
    dirs.push(dir);
    const yaml = ['name: escaped', 'stages:', '  - id: deploy', '    steps:', `      - { id: daemonise, run: [bash, -c, "${ESCAPING}"] }`, 'rollback:', '  steps:', '    - { id: undo, run: [echo, undone] }', ''].join('\n');
    const loaded = parseRunbook(yaml, join(dir, 'cockpit.yml'));
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const c = new Controller({ runbook: loaded.runbook, runner: new ProcessRunner(), journal: new MemoryJournal(), sessionId: 'escaped', sessionDir: dir, values: {}, mode: 'headless', autoAdvance: true, onFailure: 'wait' });
    void c.start();
    await bothSleeping(tag);
    return { c, tag };
  }

  it('a rollback interrupting the step', async () => {
    const { c, tag } = await running();
    expect(c.rollback('the error rate doubled', 'operator')).toEqual({ ok: true });
    expect(await c.settled).toBe('rolled-back');
    await until('no process of the step left', () => ofSteps(tag).length === 0, 3000, () => describeTagged(tag));
  });

  it('an interrupt (Ctrl+C, SIGTERM, quitting with "interrupt and leave")', async () => {
    const { c, tag } = await running();
    await c.interrupt();
    expect(await c.settled).toBe('interrupted');
    await until('no process of the step left', () => ofSteps(tag).length === 0, 3000, () => describeTagged(tag));
  });
});

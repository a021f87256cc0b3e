/**
 * exec/descendants.ts with real processes: what it finds by the environment tag (a nested
 * cockpit's `outer:inner` too, never a variable that merely ends in the name), by the parent
 * links (a child with an emptied environment), what it leaves out (zombies, a skipped group,
 * processes older than `since`), and that killTreeNow ends a tree that keeps forking.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { bootTicks, findTagged, killTreeNow, newTag, tagEnv } from '../../src/exec/descendants.js';
import { until } from '../helpers/demo-run.js';
import { killTagged, tagged } from '../helpers/proc-tag.js';

const tags: string[] = [];
const children: ChildProcess[] = [];
/** Live children of `pid` (/proc parent links): a sleep started with an emptied environment carries no tag. */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'latin1');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(e));
    } catch {
      /* gone */
    }
  }
  return out;
}

afterEach(() => {
  for (const c of children.splice(0)) {
    for (const kid of c.pid === undefined ? [] : childrenOf(c.pid)) process.kill(kid, 'SIGKILL');
    c.kill('SIGKILL');
  }
  for (const t of tags.splice(0)) killTagged(t);
});

function run(script: string, env: Record<string, string>, detached = false): ChildProcess {
  const c = spawn('bash', ['-c', script], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, stdio: 'ignore', detached });
  children.push(c);
  return c;
}
const fresh = (): string => {
  const t = newTag();
  tags.push(t);
  return t;
};

describe('findTagged', () => {
  it('finds a setsid grandchild by its tag, and an outer tag finds it too (nested cockpits)', async () => {
    const outer = fresh();
    const inner = fresh();
    const env = { COCKPIT_PROC_TAG: outer, ...tagEnv(inner, { COCKPIT_PROC_TAG: outer }) };
    expect(env.COCKPIT_PROC_TAG).toBe(`${outer}:${inner}`);
    const c = run('setsid sleep 300 & sleep 300', env);
    await until('bash and its two sleeps', () => findTagged(inner).length === 3, 5000);
    expect(findTagged(outer).sort()).toEqual(findTagged(inner).sort());
    expect(findTagged(inner)).toContain(c.pid);
  });

  it('a variable that only ends in the name does not count', async () => {
    const t = fresh();
    run('sleep 300', { XCOCKPIT_PROC_TAG: t });
    const marked = run('sleep 300', { COCKPIT_PROC_TAG: t });
    await until('the tagged sleep', () => findTagged(t).length === 1, 5000);
    expect(findTagged(t)).toEqual([marked.pid]);
  });

  it('a child with an emptied environment is found through its parent (a root, or a tagged one)', async () => {
    const t = fresh();
    const c = run('env -i sleep 300 & wait', { COCKPIT_PROC_TAG: t });
    await until('bash and its sleep', () => findTagged(t).length === 2, 5000);
    const sleepPid = findTagged(t).find((p) => p !== c.pid)!;
    expect(tagged(t).map((p) => p.pid)).toEqual([c.pid]); // the environment alone finds only bash
    expect(findTagged('no-such-tag', { roots: [c.pid!] }).sort()).toEqual([c.pid, sleepPid].sort());
  });

  it('leaves out a skipped group and processes older than `since`', async () => {
    const t = fresh();
    const c = run('setsid sleep 300 & sleep 300', { COCKPIT_PROC_TAG: t }, true);
    await until('bash and its two sleeps', () => findTagged(t).length === 3, 5000);
    // the group's bash and its sleep are left out; the setsid sleep (a group of its own) is not
    expect(findTagged(t, { skipGroup: c.pid })).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1100));
    expect(findTagged(t, { since: bootTicks() + 200 })).toEqual([]);
  });
});

describe('ending a tree', () => {
  it('killTreeNow ends a tree that keeps forking setsid children', async () => {
    const t = fresh();
    run('for i in $(seq 40); do setsid sleep 300 & sleep 0.01; done; wait', { COCKPIT_PROC_TAG: t });
    await until('some of the sleeps', () => findTagged(t).length >= 5, 5000);
    killTreeNow(t);
    await until('none of the tree left', () => tagged(t).length === 0, 2000, () => tagged(t).map((p) => p.argv).join('; '));
  });
});

/**
 * The driving lock's take-over race between real processes on a real file system: 8 contenders
 * on a stale lock (one naming a dead pid), started as close together as the scheduler allows,
 * 50 times over: exactly one takes the lock over, every other is refused naming the winner (never
 * told to remove the lock), and once the winner releases it nothing is left (no contender's record,
 * no take-over gate).
 *
 * Why here and not only end to end: the race is in src/session/lock.ts between processes (link,
 * rename, the take-over gates). test/e2e/lock.test.ts ran 8 whole cockpits 20 times (160 node
 * start-ups, 67 s on 2 cores) to exercise it; here 8 contender processes (test/helpers/
 * lock-contender.ts, bundled once) are started once and serve every trial, each trial released
 * at one instant (a shared start time the contenders spin to), so trials are milliseconds and
 * there can be more of them. What needs the whole binary (one release run, the refusal's command
 * line, no session folder of a refused cockpit) stays in test/e2e/lock.test.ts, in 2 trials.
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContenderReply, ContenderRequest } from '../helpers/lock-contender.js';

const CONTENDERS = 8;
const TRIALS = 50;
const HELPER = fileURLToPath(new URL('../helpers/lock-contender.ts', import.meta.url));

let root: string;
let contenders: ChildProcess[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cockpit-lock-race-'));
  const bundle = join(root, 'contender.mjs');
  await build({
    entryPoints: [HELPER],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    banner: { js: "import { createRequire as __req } from 'node:module'; const require = __req(import.meta.url);" },
  });
  contenders = Array.from({ length: CONTENDERS }, () => fork(bundle, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
}, 60_000);

afterAll(() => {
  for (const c of contenders) c.kill();
  rmSync(root, { recursive: true, force: true });
});

/** The next reply of contender `c`. */
function next(c: ChildProcess): Promise<ContenderReply> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`contender ${c.pid} exited (${code})`));
    c.once('exit', onExit);
    c.once('message', (m: ContenderReply) => {
      c.off('exit', onExit);
      resolve(m);
    });
  });
}

function ask(c: ChildProcess, m: ContenderRequest): Promise<ContenderReply> {
  const reply = next(c);
  c.send(m);
  return reply;
}

/** A pid no process has: one that has just exited (and been reaped). */
function deadPid(): number {
  const r = spawnSync('true');
  expect(r.pid).toBeGreaterThan(0);
  return r.pid;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('the lock, taken over by many processes at once', () => {
  it(`${CONTENDERS} contenders on a stale lock: exactly one takes it, the others are refused naming it, ${TRIALS} times over`, async () => {
    for (let trial = 0; trial < TRIALS; trial++) {
      const dir = mkdtempSync(join(root, `trial-${trial}-`));
      writeFileSync(join(dir, 'lock'), JSON.stringify({ pid: deadPid(), sessionId: '20260101-000000-gone' }));
      const at = Date.now() + 30;
      const replies = await Promise.all(contenders.map((c, i) => ask(c, { type: 'take', dir, sessionId: `20260101-000000-c${i}`, at })));
      const took = replies.filter((r) => r.type === 'took');
      expect(took, `trial ${trial}: ${JSON.stringify(replies)}`).toHaveLength(1);
      expect(took[0]).toMatchObject({ tookOver: true });
      const winner = took[0].pid;
      const session = `20260101-000000-c${contenders.findIndex((c) => c.pid === winner)}`;
      for (const r of replies.filter((x) => x.type !== 'took')) {
        expect(r.type).toBe('refused');
        const message = r.type === 'refused' ? r.message : '';
        // who, since when, its command, what to do: never to remove the lock of a live holder
        expect(message).toMatch(
          new RegExp(`^another cockpit \\(pid ${winner}, session ${esc(session)}\\) is driving a release here, since [-0-9: ]+ UTC \\([^)]+\\): .+\\. Follow it with cockpit watch, or wait for it to end; nothing was started$`),
        );
        expect(message).not.toContain('remove');
      }
      // the winner releases: nothing of the contenders is left (their records, the take-over gates)
      await ask(contenders.find((c) => c.pid === winner)!, { type: 'release' });
      expect(readdirSync(dir), `trial ${trial}`).toEqual([]);
    }
  }, 120_000);
});

/**
 * A lock holder killed but not yet reaped (a zombie: its parent has not waited for it, or there is
 * no init to do so in a container) runs and holds nothing: processAlive says so (exec/proc.ts), so
 * the lock can be taken, `cockpit watch` and the wallboard say no cockpit drives its session, and a
 * background guard does not wait for it. Before, `kill(pid, 0)` answered for the zombie and a
 * killed driver looked alive until something reaped it.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { processAlive } from '../../src/exec/proc.js';
import { holderAlive } from '../../src/session/lock-holder.js';
import { until } from '../helpers/demo-run.js';

const state = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2)[0];
  } catch {
    return undefined;
  }
};

describe('a zombie lock holder', () => {
  it('is not alive, as a process or as a holder, though kill(pid, 0) still answers for it', async () => {
    // the background sleep's parent becomes `sleep 5` (exec), which never waits for it: once it
    // ends it stays a zombie until its parent does
    const sh = spawn('sh', ['-c', 'sleep 0.1 & echo $!; exec sleep 5'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const pid = await new Promise<number>((r) => sh.stdout.once('data', (d: Buffer) => r(Number(String(d).trim()))));
      await until('the child to be a zombie', () => state(pid) === 'Z', 5000);
      // kill(pid, 0) still answers for it; the process is not running anything
      expect(() => process.kill(pid, 0)).not.toThrow();
      expect(processAlive(pid)).toBe(false);
      expect(holderAlive({ pid, sessionId: 's' } as never)).toBe(false);
      // a live holder still is one
      expect(holderAlive({ pid: process.pid, sessionId: 's' } as never)).toBe(true);
    } finally {
      sh.kill('SIGKILL');
    }
  });
});

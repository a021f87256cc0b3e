/**
 * The spare supervisors a runner owns (src/exec/spare-pool.ts): booted a moment after the runner is
 * made, one slot kept for the rollback's steps, the spare for any step held back while a step
 * floods its output, none with COCKPIT_SPARE_SUPERVISOR=0. The spares here are a stub that says
 * "ready" and waits on stdin, as a `supervisor.js --standby` does.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { SPARE_FIRST_DELAY_MS, SparePool, type Spare } from '../../src/exec/spare-pool.js';

let dir: string;
let stub: string;
const pools: SparePool[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cockpit-spare-pool-'));
  stub = join(dir, 'standby.mjs');
  writeFileSync(stub, "process.stdout.write('ready\\n');\nprocess.stdin.resume();\nprocess.stdin.on('end', () => process.exit(0));\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  // every spare still in a pool ends (its stdin closes, as when the cockpit exits)
  for (const p of pools.splice(0)) for (let s = p.take('rollback.cleanup'); s; s = p.take('rollback.cleanup')) end(s);
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

function pool(): SparePool {
  const p = new SparePool(stub);
  pools.push(p);
  return p;
}

function end(s: Spare): void {
  s.proc.stdin?.end();
  s.proc.kill();
}

const isSpare = (s: Spare | undefined): boolean => s !== undefined && s.proc.spawnargs.slice(1).join(' ') === `${stub} --standby`;

describe('SparePool', () => {
  it('boots nothing before the first delay, then the rollback slot first', () => {
    const p = pool();
    vi.advanceTimersByTime(SPARE_FIRST_DELAY_MS - 1);
    expect(p.take('rollback.undo')).toBeUndefined();
    // the take found none: refills are scheduled, the rollback slot's already is
    vi.advanceTimersByTime(1);
    const s = p.take('rollback.undo');
    expect(isSpare(s)).toBe(true);
    end(s!);
  });

  it('a rollback step takes the spare kept for rollbacks; any other step never does', () => {
    const p = pool();
    vi.advanceTimersByTime(SPARE_FIRST_DELAY_MS);
    expect(p.take('production.deploy')).toBeUndefined();
    const rollback = p.take('rollback.undo');
    expect(isSpare(rollback)).toBe(true);
    // the spare for any step boots 300 ms after the rollback's
    vi.advanceTimersByTime(300);
    const any = p.take('production.deploy');
    expect(isSpare(any)).toBe(true);
    expect(any!.proc.pid).not.toBe(rollback!.proc.pid);
    end(rollback!);
    end(any!);
  });

  it('a rollback step takes the other spare when its own is gone', () => {
    const p = pool();
    vi.advanceTimersByTime(SPARE_FIRST_DELAY_MS + 300);
    const first = p.take('rollback.undo');
    const second = p.take('rollback.verify');
    expect(isSpare(first) && isSpare(second)).toBe(true);
    expect(p.take('rollback.again')).toBeUndefined();
    end(first!);
    end(second!);
  });

  it('while a step floods, the spare for any step waits for 500 ms of quiet; the rollback one does not', () => {
    const p = pool();
    vi.advanceTimersByTime(SPARE_FIRST_DELAY_MS + 200);
    p.noteFlood();
    vi.advanceTimersByTime(100);
    expect(p.take('production.deploy')).toBeUndefined();
    const rollback = p.take('rollback.undo');
    expect(isSpare(rollback)).toBe(true);
    end(rollback!);
    vi.advanceTimersByTime(399);
    expect(p.take('production.deploy')).toBeUndefined();
    vi.advanceTimersByTime(1);
    const any = p.take('production.deploy');
    expect(isSpare(any)).toBe(true);
    end(any!);
  });

  it('each runner owns its pool: one pool taking its spares leaves the other its own', () => {
    const a = pool();
    const b = pool();
    vi.advanceTimersByTime(SPARE_FIRST_DELAY_MS);
    const fromA = a.take('rollback.undo');
    expect(a.take('rollback.undo')).toBeUndefined();
    const fromB = b.take('rollback.undo');
    expect(isSpare(fromA) && isSpare(fromB)).toBe(true);
    expect(fromA!.proc.pid).not.toBe(fromB!.proc.pid);
    end(fromA!);
    end(fromB!);
  });

  it('COCKPIT_SPARE_SUPERVISOR=0: no spare, ever', () => {
    vi.stubEnv('COCKPIT_SPARE_SUPERVISOR', '0');
    const p = pool();
    vi.advanceTimersByTime(10 * SPARE_FIRST_DELAY_MS);
    expect(p.take('rollback.undo')).toBeUndefined();
    expect(p.take('production.deploy')).toBeUndefined();
  });
});

/**
 * SparePool.close (src/exec/spare-pool.ts), when the session ends: the spares booted end (their
 * stdin closes and they exit 0 by themselves), none boots again, and a take finds none. Real spare
 * processes (a stub that says "ready" and waits on stdin, as `supervisor.js --standby` does) on
 * real timers, in a worker of its own: in the unit tier's shared worker no spare booted in 3 of
 * ~6 full runs, though the file alone always passed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { SPARE_FIRST_DELAY_MS, SparePool, type Spare } from '../../src/exec/spare-pool.js';

const dir = mkdtempSync(join(tmpdir(), 'cockpit-spare-close-'));
const stub = join(dir, 'standby.mjs');
writeFileSync(stub, "process.stdout.write('ready\\n');\nprocess.stdin.resume();\nprocess.stdin.on('end', () => process.exit(0));\n");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const isSpare = (s: Spare | undefined): boolean => s !== undefined && s.proc.spawnargs.slice(1).join(' ') === `${stub} --standby`;
const exitCode = (s: Spare) => (s.proc.exitCode !== null ? Promise.resolve(s.proc.exitCode) : new Promise<number | null>((r) => s.proc.once('exit', (code) => r(code))));

it('ends the spares booted (their stdin closes), boots none again, and a take after it finds none', async () => {
  const p = new SparePool(stub);
  const spares = (p as unknown as { spares: Map<string, Spare> }).spares;
  const end = Date.now() + 10_000;
  while (spares.size < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  const booted = [...spares.values()];
  expect(booted.map(isSpare)).toEqual([true, true]);
  p.close();
  // each ends by itself, exit 0: its stdin closed (a kill would read as a signal)
  expect(await Promise.all(booted.map(exitCode))).toEqual([0, 0]);
  // nothing boots again: past the first delay and a refill's
  await new Promise((r) => setTimeout(r, SPARE_FIRST_DELAY_MS + 400));
  expect(p.take('rollback.undo')).toBeUndefined();
  expect(p.take('deploy.x')).toBeUndefined();
  await new Promise((r) => setTimeout(r, 400));
  expect(spares.size).toBe(0);
});

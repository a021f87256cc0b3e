/**
 * `cockpit rollback` while another cockpit drives the release here (the built binary, headless, its
 * step running): it asks that cockpit to roll back over its control socket instead of failing or
 * starting a second driver, prints the rollback as it happens and exits 0 once rolled back; the
 * driver rolls back itself (its step interrupted first, the journal's rollback from "command" with
 * the reason given) and exits 3. Its control socket is gone afterwards, and a second ask finds no
 * driver. The asking cockpit runs in-process (test/helpers/cli.ts).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { askDriver, controlPath } from '../../src/session/control.js';
import { liveSession } from '../../src/session/follow.js';
import { cockpitInProcess } from '../helpers/cli.js';
import { BIN, DRIVEN_RUNBOOK, tempRoots, until } from '../helpers/demo-run.js';

const tempRoot = tempRoots();

describe('cockpit rollback while another cockpit drives', () => {
  it('asks the driver, which rolls back; follows it to ROLLED BACK and exits 0', async () => {
    const root = tempRoot('cockpit-ask-');
    writeFileSync(join(root, 'cockpit.yml'), DRIVEN_RUNBOOK);
    const state = join(root, 'state');
    const env = { COCKPIT_STATE_DIR: state, COCKPIT_SPARE_SUPERVISOR: '0' };
    const driver = spawn(process.execPath, [BIN, 'run', 'cockpit.yml', '--headless', '--yes'], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let driven = '';
    driver.stdout.setEncoding('utf8').on('data', (d: string) => (driven += d));
    const exited = new Promise<number | null>((r) => driver.on('exit', (code) => r(code)));
    try {
      await until('the driver to run its step', () => driven.includes('│ shipping') && existsSync(controlPath(state)), 20_000, () => driven);
      const r = await cockpitInProcess(['rollback', '--reason', 'war room: error budget gone'], { cwd: root, env });
      expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(0);
      expect(r.stderr).toBe(`cockpit: asked the cockpit driving this release (pid ${driver.pid}) to roll back; it does, and this follows it (so does cockpit watch)\n`);
      expect(r.stdout).toMatch(/^\d\d:\d\d:\d\d ⟲ ROLLING BACK \(command\): war room: error budget gone$/m);
      expect(r.stdout).toMatch(/│ rolled back: war room: error budget gone$/m);
      expect(r.stdout).toMatch(/^\d\d:\d\d:\d\d ■ ROLLED BACK$/m);
      // nothing from before the request is printed
      expect(r.stdout).not.toContain('shipping');

      expect(await exited).toBe(3);
      const [id] = readdirSync(join(state, 'sessions'));
      const events = readFileSync(join(state, 'sessions', id, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; source?: string; reason?: string });
      expect(events.filter((e) => e.type === 'rollback.started')).toEqual([expect.objectContaining({ source: 'command', reason: 'war room: error budget gone' })]);
      // the driver is gone, and so is its socket: nobody answers now
      expect(existsSync(controlPath(state))).toBe(false);
      expect(liveSession(state)).toBeUndefined();
      expect(await askDriver(state, { op: 'rollback', reason: 'again', from: 'test' }, 500)).toBeUndefined();
    } finally {
      driver.kill('SIGKILL');
    }
  }, 60_000);
});

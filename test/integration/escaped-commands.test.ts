/**
 * Metrics commands and flag provider commands whose child leaves the process group (`setsid`, as
 * `ssh -f` and daemonising CLIs do) and holds the command's stdout: the command is read as soon as
 * its own process exits (its deadline never waits for the pipe the child holds), a timeout ends
 * the whole tree, and nothing is left. Survivors are counted in /proc by the test's environment tag
 * (test/helpers/proc-tag.ts), which the commands' processes inherit.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { CommandFlagProvider } from '../../src/flags/providers/command.js';
import { CommandSource } from '../../src/metrics/sources/command.js';
import { parseCommand } from '../../src/runbook/command.js';
import { until } from '../helpers/demo-run.js';
import { describeTagged, killTagged, tagged, testTag } from '../helpers/proc-tag.js';

let tag: string;
let dir: string;
beforeEach(() => {
  tag = testTag();
  // every command started from here on inherits it (the cockpit adds its own tags after it)
  vi.stubEnv('COCKPIT_PROC_TAG', tag);
  dir = mkdtempSync(join(tmpdir(), 'cockpit-escaped-cmd-'));
});
afterEach(() => {
  vi.unstubAllEnvs();
  killTagged(tag);
  rmSync(dir, { recursive: true, force: true });
});

const noneLeft = () => until('no process of the command left', () => tagged(tag).length === 0, 3000, () => describeTagged(tag));
const SERIES = [{ name: 'error_rate' }];
/** A child in a session of its own holding stdout, then the answer. */
const METRICS = `setsid sh -c 'sleep 300' & echo '{"error_rate": 0.5}'`;

describe('a metrics command whose setsid child holds its stdout', () => {
  it('every fetch has its value at once (not at the deadline), and leaves nothing behind', async () => {
    const source = new CommandSource(parseCommand(['sh', '-c', METRICS]), dir);
    for (let tick = 0; tick < 4; tick++) {
      const start = performance.now();
      const r = await source.fetch(SERIES, 5000, new AbortController().signal);
      const took = performance.now() - start;
      expect(r).toEqual({ error_rate: { value: 0.5 } });
      expect(took).toBeLessThan(2000);
      await noneLeft();
    }
  });

  it('a command that hangs with such a child: the timeout ends the whole tree and the fetch returns', async () => {
    const source = new CommandSource(parseCommand(['sh', '-c', `setsid sh -c 'sleep 300' & sleep 300`]), dir);
    const start = performance.now();
    const r = await source.fetch(SERIES, 500, new AbortController().signal);
    expect(r).toEqual({ error_rate: { error: 'metrics command: timed out after 500 ms' } });
    expect(performance.now() - start).toBeLessThan(2500);
    await noneLeft();
  });
});

describe('a command that exits while the child it forked is still exec-ing a program', () => {
  it('the child is ended all the same: 40 rounds, none left (its environment is unreadable mid-execve, and its parent is gone)', async () => {
    const source = new CommandSource(parseCommand(['sh', '-c', `setsid sleep 300 & echo '{"error_rate": 1}'`]), dir);
    for (let round = 0; round < 40; round++) {
      expect(await source.fetch(SERIES, 5000, new AbortController().signal)).toEqual({ error_rate: { value: 1 } });
    }
    await noneLeft();
  });
});

describe('a flag provider command whose setsid child holds its stdout', () => {
  it('set returns as soon as the command exits, read back too, and nothing is left', async () => {
    const provider = new CommandFlagProvider(
      parseCommand(['sh', '-c', `setsid sleep 300 & echo "set $0 $1"`, '{flag}', '{percent}']),
      parseCommand(['sh', '-c', `setsid sleep 300 & echo 25`]),
      dir,
      5000,
    );
    const start = performance.now();
    expect(await provider.set('new-checkout', 25)).toEqual({ percent: 25, says: 'set; the read command reports 25 %' });
    expect(performance.now() - start).toBeLessThan(3000);
    await noneLeft();
  });

  it('a set command that hangs with such a child fails at its timeout, with the whole tree ended', async () => {
    const provider = new CommandFlagProvider(parseCommand(['sh', '-c', `setsid sleep 300 & sleep 300`]), undefined, dir, 800);
    const start = performance.now();
    await expect(provider.set('new-checkout', 25)).rejects.toThrow('timed out after 800 ms');
    // the timeout, then at most the 1 s grace
    expect(performance.now() - start).toBeLessThan(3000);
    await noneLeft();
  });

  it('`cockpit flag` returns at once with the change applied, and leaves nothing behind', async () => {
    writeFileSync(
      join(dir, 'cockpit.yml'),
      [
        'name: escaped-flag',
        'stages:',
        '  - id: production',
        '    steps:',
        '      - { id: ramp-25, flag: new-checkout, to: 25 }',
        'flags:',
        `  provider: { type: command, run: [sh, -c, "setsid sleep 300 & echo applied", x], read: [sh, -c, "setsid sleep 300 & echo 5"] }`,
        '  ramps:',
        '    new-checkout: [5, 25, 50, 100]',
        '',
      ].join('\n'),
    );
    vi.stubEnv('COCKPIT_STATE_DIR', join(dir, 'state'));
    const out: string[] = [];
    const err: string[] = [];
    const start = performance.now();
    const code = await main(['flag', 'new-checkout', '25', '--runbook', join(dir, 'cockpit.yml')], { out: (l) => out.push(l), err: (l) => err.push(l) });
    const took = performance.now() - start;
    expect({ code, err }).toEqual({ code: 0, err: [] });
    expect(out.join('\n')).toMatch(/new-checkout/);
    // well within the provider's 30 s timeout (before: held by the pipe, past the timeout too); a
    // cold first \`cockpit flag\` in a test process on a loaded machine takes a few seconds by itself
    expect(took).toBeLessThan(15_000);
    await noneLeft();
  });
});

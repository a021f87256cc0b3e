/**
 * The built binary, headless, sampling a `command` metrics source every second whose script forks
 * a daemon each time (`sleep 300 &`, holding its stdout): every sample is read (none times out),
 * at no moment is more than the current sample's daemon alive, and nothing is left at the end.
 * The daemons are found in /proc by the marker in their argv.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { readJournal } from '../../src/session/journal.js';
import { killProcessesUnder, processesUnder, until } from '../helpers/demo-run.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'cockpit.js');
const SCRIPT = join(ROOT, 'test', 'fixtures', 'integration', 'metrics-daemon.sh');

const dirs: string[] = [];
const markers: string[] = [];
afterEach(() => {
  for (const m of markers.splice(0)) killProcessesUnder(m);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('a metrics command that forks a daemon, sampled by a real session', () => {
  it('every sample has its value, at most one daemon is alive at a time, none is left', async () => {
    const root = mkdtempSync(join(tmpdir(), 'cockpit-daemon-'));
    dirs.push(root);
    const marker = `cockpit-daemon-e2e-${process.pid}-${Date.now()}`;
    markers.push(marker);
    mkdirSync(join(root, 'scripts'));
    copyFileSync(SCRIPT, join(root, 'scripts', 'metrics.sh'));
    writeFileSync(
      join(root, 'cockpit.yml'),
      [
        'name: daemon-e2e',
        'version: "1.0.0"',
        'stages:',
        '  - id: watch',
        '    steps:',
        '      - monitor: 4s',
        'metrics:',
        // a sample is late after one interval: a second leaves room for a loaded machine, and
        // before the daemon's group was ended with the script every sample was late
        '  interval: 1s',
        `  source: { type: command, run: [bash, ./scripts/metrics.sh, "${marker}"] }`,
        '  series:',
        "    error_rate: { unit: '%', warn: 1, critical: 2 }",
        '',
      ].join('\n'),
    );
    const state = join(root, 'state');
    const child = spawn(process.execPath, [BIN, 'run', 'cockpit.yml'], { cwd: root, env: { ...process.env, COCKPIT_STATE_DIR: state }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    // while it runs: how many of the daemons are alive at once (each sample forks one)
    let most = 0;
    const watch = setInterval(() => (most = Math.max(most, processesUnder(`cockpit-daemon-${marker}`).length)), 10);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearInterval(watch);
    expect(code, out).toBe(0);
    const [id] = readdirSync(join(state, 'sessions'));
    const samples = readJournal(join(state, 'sessions', id, 'journal.jsonl')).filter((e) => e.type === 'metric.sampled');
    expect(samples.length).toBeGreaterThanOrEqual(3);
    for (const s of samples) {
      expect(s).toMatchObject({ values: { error_rate: 0.5 } });
      expect((s as { errors: Record<string, string> }).errors).toEqual({});
    }
    expect(most).toBeLessThanOrEqual(1);
    await until('every daemon and script gone', () => processesUnder(marker).length === 0, 2000, () => processesUnder(marker).join('; '));
  });
});

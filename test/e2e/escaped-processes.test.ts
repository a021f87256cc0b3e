/**
 * The built binary, headless, with a step and a metrics command whose children leave their
 * process group (`setsid`) and hold stdout: samples keep coming every interval (before #19: none,
 * every fetch "previous fetch still running"), SIGTERM interrupts the step and the cockpit exits
 * promptly (before: it never exited), and no process of the step or the metrics command is left.
 * Counted in /proc by the test's environment tag (test/helpers/proc-tag.ts), which the cockpit
 * and everything it starts inherit; the cockpit itself is left out of the count.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { readJournal } from '../../src/session/journal.js';
import { until } from '../helpers/demo-run.js';
import { killTagged, tagged, testTag } from '../helpers/proc-tag.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'cockpit.js');

const dirs: string[] = [];
const tags: string[] = [];
afterEach(() => {
  for (const t of tags.splice(0)) killTagged(t);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('setsid children of a step and of a metrics command, in a real session', () => {
  it('samples every interval; SIGTERM ends the step and the cockpit promptly; nothing is left', async () => {
    const root = mkdtempSync(join(tmpdir(), 'cockpit-escaped-e2e-'));
    dirs.push(root);
    const tag = testTag();
    tags.push(tag);
    writeFileSync(
      join(root, 'cockpit.yml'),
      [
        'name: escaped-e2e',
        'version: "1.0.0"',
        'stages:',
        '  - id: deploy',
        '    steps:',
        `      - { id: daemonise, run: [bash, -c, "setsid sleep 300 & sleep 300"] }`,
        'metrics:',
        '  interval: 1s',
        `  source: { type: command, run: [sh, -c, "setsid sh -c 'sleep 300' & echo '{\\"error_rate\\": 0.5}'"] }`,
        '  series:',
        "    error_rate: { unit: '%', warn: 1, critical: 2 }",
        '',
      ].join('\n'),
    );
    const state = join(root, 'state');
    const child = spawn(process.execPath, [BIN, 'run', 'cockpit.yml'], { cwd: root, env: { ...process.env, COCKPIT_STATE_DIR: state, COCKPIT_PROC_TAG: tag }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    const journal = (): { type: string; [k: string]: unknown }[] => {
      const sessions = join(state, 'sessions');
      if (!existsSync(sessions)) return [];
      const [id] = readdirSync(sessions);
      return id && existsSync(join(sessions, id, 'journal.jsonl')) ? readJournal(join(sessions, id, 'journal.jsonl')) : [];
    };
    const samples = () => journal().filter((e) => e.type === 'metric.sampled');
    const others = () => tagged(tag).filter((p) => p.pid !== child.pid);
    // the step's setsid sleep runs, and three samples came with their value
    await until('the step running', () => others().some((p) => p.argv === 'sleep 300'), 15_000, () => out);
    await until('3 samples', () => samples().length >= 3, 15_000, () => `${out}\n${JSON.stringify(samples())}`);
    for (const s of samples()) expect(s).toMatchObject({ values: { error_rate: 0.5 }, errors: {} });

    const sentAt = performance.now();
    child.kill('SIGTERM');
    const exited = await Promise.race([closed, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 10_000))]);
    const took = performance.now() - sentAt;
    expect(exited, out).not.toBe('still running');
    expect(took).toBeLessThan(5000);
    expect(journal().find((e) => e.type === 'step.finished')).toMatchObject({ step: 'daemonise', ok: false });
    await until('no process of the step or the metrics command left', () => tagged(tag).length === 0, 3000, () => tagged(tag).map((p) => `${p.pid} ${p.argv}`).join('; '));
  }, 60_000);
});

/**
 * The journal file when it cannot be written. The stand-in for a full disk: a file size limit on
 * this very process (prlimit; Node ignores SIGXFSZ, so a write past it fails with EFBIG, as one on
 * a full disk fails with ENOSPC), lifted again in the test.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { SessionEvent } from '../../src/core/events.js';
import { FileJournal, readJournal } from '../../src/session/journal.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** This process's file size limit, soft:hard, as prlimit takes it. */
function fsizeLimit(): string {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max file size'))!;
  const [soft, hard] = line.slice('Max file size'.length).trim().split(/\s+/);
  return `${soft}:${hard}`;
}

function prlimitFsize(limit: string): void {
  const r = spawnSync('prlimit', ['--pid', String(process.pid), `--fsize=${limit}`], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
}

it('keeps what it cannot write, in order, and writes it all once it can: with no append to wait for', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cockpit-journal-'));
  dirs.push(dir);
  const path = join(dir, 'journal.jsonl');
  const journal = new FileJournal(path);
  const events: SessionEvent[] = Array.from({ length: 40 }, (_, i) => ({ type: 'stage.skipped', stage: `stage-${i}`, reason: 'x'.repeat(60), at: 1000 + i, t: i }));
  const before = fsizeLimit();
  prlimitFsize('2048:');
  try {
    // appends never throw; the first that fails says why
    for (const e of events) journal.append(e);
    expect(journal.failure).toBe('EFBIG');
    expect(journal.pending).toBeGreaterThan(0);
    const onDisk = readJournal(path);
    expect(onDisk.length).toBeLessThan(events.length);
    expect(onDisk).toEqual(events.slice(0, onDisk.length));
  } finally {
    prlimitFsize(before);
  }
  // nothing more is appended: the journal writes what it kept on its own (a line cut half-way
  // by the limit is completed, not written twice)
  const deadline = Date.now() + 5000;
  while (journal.pending > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(journal.failure).toBeUndefined();
  expect(journal.pending).toBe(0);
  expect(readFileSync(path, 'utf8')).toBe(events.map((e) => `${JSON.stringify(e)}\n`).join(''));
  journal.close();
});

/**
 * The line a step is writing now, published beside its log for the screen (live-line.ts, through
 * output-log.ts) on real files: the held line as the log will have it (redraws applied, secrets
 * masked, a secret's possible start held back), at most every 200 ms, gone at its newline and at
 * the end, capped, never through a symlink. Time is vitest's fake clock (the rate limit).
 */
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { LIVE_MAX_BYTES, LIVE_MIN_MS, liveFile, readLive } from '../../src/exec/live-line.js';
import { maskerFor, secretStartsFor } from '../../src/exec/log-format.js';
import { OutputLog } from '../../src/exec/output-log.js';
import { stepFiles } from '../../src/exec/spec.js';

const dirs: string[] = [];
const fds: number[] = [];
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  for (const fd of fds.splice(0)) closeSync(fd);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function stepLog(secrets: string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), 'cockpit-live-'));
  dirs.push(dir);
  const path = join(dir, 'deploy.rollout.log');
  const fd = openSync(path, 'a');
  fds.push(fd);
  const out = new OutputLog({ fd, cap: 64 * 1024 * 1024, mask: maskerFor(secrets), secretStart: secretStartsFor(secrets), longestSecret: Math.max(0, ...secrets.map((s) => s.length)), livePath: liveFile(path) });
  const feed = (s: string): void => out.feed(Buffer.from(s));
  const log = (): string[] => readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => l.replace(/^\d\d:\d\d:\d\d\.\d{3} /, ''));
  const live = (): string | undefined => (existsSync(liveFile(path)) ? readFileSync(liveFile(path), 'utf8') : undefined);
  return { dir, path, out, feed, log, live };
}

describe('the held line, published', () => {
  test('a line without its newline yet is published at once, and is not in the log', () => {
    const s = stepLog();
    s.feed('waiting for rollout... ');
    expect(s.live()).toBe('waiting for rollout... ');
    expect(readLive(s.path)).toBe('waiting for rollout... ');
    expect(s.log()).toEqual([]);
  });

  test('\\r redraws: the latest state, at most every 200 ms, the last state always published', () => {
    const s = stepLog();
    s.feed('\rprogress 1%');
    expect(s.live()).toBe('progress 1%');
    for (let i = 2; i <= 50; i++) s.feed(`\rprogress ${i}%`);
    // within 200 ms of the last write: not rewritten yet
    expect(s.live()).toBe('progress 1%');
    vi.advanceTimersByTime(LIVE_MIN_MS - 1);
    expect(s.live()).toBe('progress 1%');
    vi.advanceTimersByTime(1);
    expect(s.live()).toBe('progress 50%');
    // unchanged: nothing more to do (no timer left)
    expect(vi.getTimerCount()).toBe(0);
    // every write is a new file renamed over it (a new inode): count them by that
    const ino = statSync(liveFile(s.path)).ino;
    s.feed('\rprogress 9%');
    s.feed('\rprogress 50%'); // back to what is shown: nothing to write
    vi.advanceTimersByTime(LIVE_MIN_MS);
    expect(statSync(liveFile(s.path)).ino).toBe(ino);
    s.feed('\rprogress 51%');
    vi.advanceTimersByTime(LIVE_MIN_MS);
    expect(statSync(liveFile(s.path)).ino).not.toBe(ino);
    expect(s.live()).toBe('progress 51%');
    expect(s.log()).toEqual([]);
  });

  test('the newline ends it: the line in the log once, the sidecar gone at once (not after the rate limit)', () => {
    const s = stepLog();
    s.feed('\rprogress 1%');
    s.feed('\rprogress 100%\n');
    expect(s.live()).toBeUndefined();
    expect(s.log()).toEqual(['progress 100%']);
  });

  test('a line that ended while the next waits its turn: the ended one is not shown beside the log', () => {
    const s = stepLog();
    s.feed('waiting for rollout... ');
    vi.advanceTimersByTime(50);
    s.feed('done\nnext step: ');
    // the next line's text waits for the rate limit; the ended one (now in the log) is not shown
    expect(s.live()).toBeUndefined();
    expect(s.log()).toEqual(['waiting for rollout... done']);
    vi.advanceTimersByTime(LIVE_MIN_MS);
    expect(s.live()).toBe('next step: ');
  });

  test('the end of the output: the held line goes to the log, the sidecar goes', () => {
    const s = stepLog();
    s.feed('no newline at all');
    expect(s.live()).toBe('no newline at all');
    s.out.end();
    expect(s.live()).toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
    expect(s.log()).toEqual(['no newline at all']);
  });

  test('a timeout line of the cockpit ends the held line: sidecar gone', () => {
    const s = stepLog();
    s.feed('half a line');
    s.out.line('cockpit: timeout after 1s');
    expect(s.live()).toBeUndefined();
    expect(s.log()).toEqual(['half a line', 'cockpit: timeout after 1s']);
  });
});

describe('secrets and size', () => {
  test('a secret is masked as in the log; a secret\'s possible start at the end is held back', () => {
    const s = stepLog(['s3cr3t-token']);
    s.feed('login with s3cr3t-token as s3cr');
    expect(s.live()).toBe('login with •••• as ');
    vi.advanceTimersByTime(LIVE_MIN_MS);
    s.feed('3t-token, waiting');
    expect(s.live()).toBe('login with •••• as ••••, waiting');
    expect(s.live()).not.toContain('s3cr');
  });

  test('a held line of 100 KB: its last 4 KiB published, a secret cut in two at the window\'s start not shown', () => {
    const s = stepLog(['abcdefghijklmnop']);
    // the window (the last 4096 characters) starts with the rest of a secret whose start is cut off
    const after = 'y'.repeat(LIVE_MAX_BYTES - 'ghijklmnop'.length - 1) + 'z';
    s.feed(`${'x'.repeat(100_000)}abcdefghijklmnop${after}`);
    const live = s.live()!;
    expect(Buffer.byteLength(live)).toBeLessThanOrEqual(LIVE_MAX_BYTES);
    expect(live.endsWith('yz')).toBe(true);
    expect(live).not.toMatch(/[a-p]/);
    expect(live).toBe(after.slice('abcdefghijklmnop'.length - 1 - 'ghijklmnop'.length));
  });

  test('multi-byte characters: at most 4 KiB, starting at a whole character', () => {
    const s = stepLog();
    s.feed('✓'.repeat(5000));
    const live = s.live()!;
    expect(Buffer.byteLength(live)).toBeLessThanOrEqual(LIVE_MAX_BYTES);
    expect(live).toMatch(/^✓+$/);
  });
});

/** Whether this process may mount a tmpfs (root here; elsewhere the full-disk test is skipped). */
const canMount = ((): boolean => {
  const d = mkdtempSync(join(tmpdir(), 'cockpit-live-mnt-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', d], { stdio: 'ignore' });
    execFileSync('umount', [d], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
})();

describe('a full disk', () => {
  test.skipIf(!canMount)('the sidecar cannot be written (ENOSPC on a full tmpfs): nothing said, nothing thrown, nothing left; the log goes on', () => {
    const full = mkdtempSync(join(tmpdir(), 'cockpit-live-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', full]);
    try {
      const s = stepLog();
      // the log on a disk with room, its sidecar on a full one
      const fd = openSync(s.path, 'a');
      fds.push(fd);
      const livePath = join(full, 'deploy.rollout.log.live');
      const out = new OutputLog({ fd, cap: 1 << 20, mask: (t) => t, secretStart: () => 0, longestSecret: 0, livePath });
      writeFileSync(join(full, 'filler'), Buffer.alloc(64 * 1024));
      expect(() => writeFileSync(join(full, 'more'), 'x')).toThrow(/ENOSPC/);
      expect(() => out.feed(Buffer.from('waiting for rollout... '))).not.toThrow();
      expect(existsSync(livePath)).toBe(false);
      expect(existsSync(`${livePath}.tmp`)).toBe(false);
      out.feed(Buffer.from('done\n'));
      out.end();
      expect(s.log()).toEqual(['waiting for rollout... done']);
      expect(out.lost).toBeUndefined();
    } finally {
      execFileSync('umount', [full]);
      rmSync(full, { recursive: true, force: true });
    }
  });
});

describe('session files', () => {
  test('a symlink planted as the sidecar: removed, its target untouched; one planted as its temporary file: nothing written through it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cockpit-live-target-'));
    dirs.push(dir);
    const target = join(dir, 'bashrc');
    writeFileSync(target, 'original\n');
    const s = stepLog();
    s.out.end();
    symlinkSync(target, liveFile(s.path));
    symlinkSync(target, `${liveFile(s.path)}.tmp`);
    const fd = openSync(s.path, 'a');
    fds.push(fd);
    const out = new OutputLog({ fd, cap: 1 << 20, mask: (t) => t, secretStart: () => 0, longestSecret: 0, livePath: liveFile(s.path) });
    out.feed(Buffer.from('progress 1%'));
    expect(readFileSync(target, 'utf8')).toBe('original\n');
    expect(s.live()).toBe('progress 1%');
    out.end();
    expect(readFileSync(target, 'utf8')).toBe('original\n');
  });

  test('the sidecar and its temporary file are among the step files checked for symlinks', () => {
    expect(stepFiles('/s/deploy.rollout.log')).toEqual(expect.arrayContaining(['/s/deploy.rollout.log.live', '/s/deploy.rollout.log.live.tmp']));
  });

  test('readLive: none is \'\', a symlink is not followed', () => {
    const s = stepLog();
    expect(readLive(s.path)).toBe('');
    const target = join(s.dir, 'elsewhere');
    writeFileSync(target, 'secret text');
    symlinkSync(target, liveFile(s.path));
    expect(readLive(s.path)).toBe('');
  });
});

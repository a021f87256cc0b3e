/**
 * src/core/safe-open.ts with real files: a symlink (to a file, dangling, or where a new file must
 * be made) is refused by name and its target never opened; a FIFO planted in a file's place is
 * refused at once (it never blocks the open); regular files open as asked.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openNoFollow, readNoFollow, unsafeAmong, writeNoFollow } from '../../src/core/safe-open.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cockpit-safe-open-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('safe-open', () => {
  it('a symlink to a file: every mode refuses it by name; the target keeps its content', () => {
    const target = join(dir, 'target');
    writeFileSync(target, 'keep\n');
    const link = join(dir, 'journal.jsonl');
    symlinkSync(target, link);
    for (const mode of ['read', 'append', 'update', 'write', 'create', 'create-rw'] as const) expect(() => openNoFollow(link, mode), mode).toThrow(`refusing to follow a symlink: ${link}`);
    expect(() => writeNoFollow(link, 'x', 'append')).toThrow(`refusing to follow a symlink: ${link}`);
    expect(() => readNoFollow(link)).toThrow(`refusing to follow a symlink: ${link}`);
    expect(readFileSync(target, 'utf8')).toBe('keep\n');
    expect(unsafeAmong([join(dir, 'absent'), link])).toBe(`refusing to follow a symlink: ${link}`);
  });

  it('a dangling symlink: not created through (write would have made its target)', () => {
    const target = join(dir, 'made-through-the-link');
    const link = join(dir, 'deploy.ship.spec.json');
    symlinkSync(target, link);
    expect(() => writeNoFollow(link, '{}')).toThrow(`refusing to follow a symlink: ${link}`);
    expect(() => writeNoFollow(link, '{}', 'create')).toThrow(`refusing to follow a symlink: ${link}`);
    expect(existsSync(target)).toBe(false);
  });

  it('a FIFO in a file\'s place: refused at once, for reading and writing', () => {
    const fifo = join(dir, 'deploy.ship.log');
    execFileSync('mkfifo', [fifo]);
    expect(() => readNoFollow(fifo)).toThrow(`refusing to use ${fifo}: not a regular file`);
    expect(unsafeAmong([fifo])).toBe(`refusing to use ${fifo}: not a regular file`);
  });

  it('regular files: written, appended, read; create refuses one that exists', () => {
    const f = join(dir, 'status.json');
    writeNoFollow(f, 'a');
    writeNoFollow(f, 'b', 'append');
    expect(readNoFollow(f)).toBe('ab');
    writeNoFollow(f, 'c');
    expect(readNoFollow(f)).toBe('c');
    expect(() => writeNoFollow(f, 'd', 'create')).toThrow(/EEXIST/);
  });
});

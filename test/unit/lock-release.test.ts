/**
 * A lock is released once: the screen releases it early when its terminal closes after the session
 * ended (SIGHUP), and again when the session closes. By then another cockpit may hold the lock, in
 * a file whose inode number is the one our record had (the file system reuses a freed inode): the
 * second release must leave that lock alone. The reuse is made certain here with a hard link kept
 * to our record and linked back as "the other cockpit's" lock.
 */
import { linkSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { takeLock, type Lock } from '../../src/session/lock.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cockpit-lock-release-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const take = (id: string): Lock => {
  const l = takeLock(dir, id);
  if (typeof l === 'string') throw new Error(l);
  return l;
};

describe('releasing the lock', () => {
  it('a second release leaves alone a lock taken since, even in a file with our inode number', () => {
    const ours = take('20260101-000000-ours');
    const path = join(dir, 'lock');
    const kept = join(dir, 'kept');
    linkSync(path, kept);
    ours.release();
    expect(() => statSync(path)).toThrow();
    // another cockpit's lock, in a file with our record's inode number
    writeFileSync(kept, JSON.stringify({ pid: process.pid, sessionId: '20260101-000001-theirs' }));
    linkSync(kept, path);
    ours.release();
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ sessionId: '20260101-000001-theirs' });
    expect(ours.handOver(process.pid)).toBe(false);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ sessionId: '20260101-000001-theirs' });
  });

  it('released, the lock is taken by the next cockpit at once', () => {
    const ours = take('20260101-000000-ours');
    ours.release();
    const next = take('20260101-000002-next');
    expect(JSON.parse(readFileSync(join(dir, 'lock'), 'utf8'))).toMatchObject({ sessionId: '20260101-000002-next' });
    next.release();
  });
});

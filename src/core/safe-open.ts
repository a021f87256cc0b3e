/**
 * Opening the files of a session directory (.cockpit/: journals, step logs, spec and status files,
 * the lock, plan records) without following a symlink. Someone who can write the directory could
 * plant `journal.jsonl -> ~/.bashrc`: a plain open would truncate and append to the target. Here
 * every open carries O_NOFOLLOW (a symlink as the last component fails with ELOOP), a file that
 * must be new carries O_EXCL, and what is found is refused by name ("refusing to follow a symlink:
 * <path>"), its target untouched. Only regular files are used: a FIFO or a device planted in their
 * place is refused too (opened O_NONBLOCK, so a FIFO never blocks the open).
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, writeSync } from 'node:fs';

const { O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_APPEND, O_TRUNC } = constants;
// not defined on every platform (Windows): there, no symlink is planted by a plain open anyway
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;

/** A symlink (or another file that is not a regular one) where a session file is: refused by name. */
export class UnsafeFile extends Error {
  constructor(
    readonly path: string,
    what: 'symlink' | 'special',
  ) {
    super(what === 'symlink' ? `refusing to follow a symlink: ${path}` : `refusing to use ${path}: not a regular file`);
  }
}

/**
 * read: an existing file. append: created if missing, written at its end. update: an existing file,
 * read and written in place. write: created if missing, truncated. create / create-rw: must be new.
 */
export type OpenMode = 'read' | 'append' | 'update' | 'write' | 'create' | 'create-rw';

const FLAGS: Record<OpenMode, number> = {
  read: O_RDONLY,
  append: O_WRONLY | O_CREAT | O_APPEND,
  update: O_RDWR,
  write: O_WRONLY | O_CREAT | O_TRUNC,
  create: O_WRONLY | O_CREAT | O_EXCL,
  'create-rw': O_RDWR | O_CREAT | O_EXCL,
};

export function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * Opens `path` without following a symlink; throws UnsafeFile for a symlink or a file that is not a
 * regular one (the target is never opened), else what openSync throws (ENOENT, ENOSPC…).
 */
export function openNoFollow(path: string, mode: OpenMode, perm = 0o666): number {
  let fd: number;
  try {
    fd = openSync(path, FLAGS[mode] | O_NOFOLLOW | O_NONBLOCK, perm);
  } catch (e) {
    // ELOOP: the last component is a symlink; EEXIST from O_EXCL: it may be one too
    const code = (e as NodeJS.ErrnoException).code;
    if ((code === 'ELOOP' || code === 'EEXIST') && isSymlink(path)) throw new UnsafeFile(path, 'symlink');
    throw e;
  }
  if (!fstatSync(fd).isFile()) {
    closeSync(fd);
    throw new UnsafeFile(path, 'special');
  }
  return fd;
}

/** The whole file as text, read without following a symlink. */
export function readNoFollow(path: string): string {
  const fd = openNoFollow(path, 'read');
  try {
    const chunks: Buffer[] = [];
    const buf = Buffer.allocUnsafe(64 * 1024);
    for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) chunks.push(Buffer.from(buf.subarray(0, n)));
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Writes `data` whole to `path` opened by `mode` (write, append, create), without following a symlink. */
export function writeNoFollow(path: string, data: string | Buffer, mode: 'write' | 'append' | 'create' = 'write', perm = 0o666): void {
  const fd = openNoFollow(path, mode, perm);
  try {
    const b = typeof data === 'string' ? Buffer.from(data) : data;
    for (let done = 0; done < b.length; ) done += writeSync(fd, b, done);
  } finally {
    closeSync(fd);
  }
}

/** The first of `paths` that is a symlink (or a file that is not a regular one), as a refusal; else undefined. */
export function unsafeAmong(paths: readonly string[]): string | undefined {
  for (const p of paths) {
    try {
      const st = lstatSync(p);
      if (st.isSymbolicLink()) return new UnsafeFile(p, 'symlink').message;
      if (!st.isFile()) return new UnsafeFile(p, 'special').message;
    } catch {
      /* not there: it is created safely */
    }
  }
  return undefined;
}

/** A directory of the session state (sessions/, sessions/<id>/) that is a symlink: refused by name. */
export function unsafeDir(path: string): string | undefined {
  return isSymlink(path) ? new UnsafeFile(path, 'symlink').message : undefined;
}

/** The refusal's words when `e` is an UnsafeFile, else undefined (some other error). */
export function refusalOf(e: unknown): string | undefined {
  return e instanceof UnsafeFile ? e.message : undefined;
}

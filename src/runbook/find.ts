/** Where the runbook is: the path given, or cockpit.yml/.yaml/.json in the directory. No parsing here. */
import { closeSync, constants, existsSync, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';

export const DEFAULT_NAMES = ['cockpit.yml', 'cockpit.yaml', 'cockpit.json'];

/** How a runbook path is shown: relative to `cwd` when it is under it, else absolute. */
export function displayPath(abs: string, cwd = process.cwd()): string {
  const rel = relative(cwd, abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}

/** Thrown for problems that are not the runbook's content: no file, unreadable file. */
export class RunbookNotFound extends Error {}

/** The runbook path to use: the one given, or cockpit.yml/.yaml/.json in the directory. */
export function findRunbook(given: string | undefined, cwd = process.cwd()): string {
  if (given !== undefined) {
    const p = resolve(cwd, given);
    if (!existsSync(p)) throw new RunbookNotFound(`no such runbook: ${given}`);
    if (statSync(p).isDirectory()) return findRunbook(undefined, p);
    return p;
  }
  for (const name of DEFAULT_NAMES) {
    const p = join(cwd, name);
    if (existsSync(p)) return p;
  }
  throw new RunbookNotFound(`no runbook here: looked for ${DEFAULT_NAMES.join(', ')} in ${cwd} (give a path; "cockpit init" starts one here; "cockpit demo" runs a whole release against a demo service, nothing to set up)`);
}

/** A runbook is at most this big: more is not a runbook, and would only make the parsers crawl. */
export const MAX_RUNBOOK_BYTES = 2 * 1024 * 1024;

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a named pipe';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a directory';
  return 'not a regular file';
}

/** Bytes over the cap in MiB, one decimal: rounded, but never down to the cap itself ("2.0 MiB: at most 2 MiB"). */
function mib(bytes: number): string {
  const x = (bytes / 1024 / 1024) * 10;
  const shown = Math.round(x) / 10 > MAX_RUNBOOK_BYTES / 1024 / 1024 ? Math.round(x) : Math.ceil(x);
  return `${(shown / 10).toFixed(1)} MiB`;
}

/**
 * Reads a runbook file: a regular file of at most MAX_RUNBOOK_BYTES. A named pipe or a device
 * (/dev/zero) is refused before a byte is read (opened non-blocking, checked on the open file), so
 * it can neither hang the cockpit nor fill its memory. `display` names it in the message.
 */
export function readRunbookFile(file: string, display = file): Buffer {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new RunbookNotFound(`cannot read ${display}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      const kind = kindOf(st);
      throw new RunbookNotFound(`${display} is ${kind === 'not a regular file' ? kind : `${kind}, not a regular file`}: a runbook is a YAML, JSON or Markdown file`);
    }
    if (st.size > MAX_RUNBOOK_BYTES) throw new RunbookNotFound(`${display} is ${mib(st.size)}: a runbook is at most ${MAX_RUNBOOK_BYTES / 1024 / 1024} MiB`);
    // read to the end, never past the cap (a file growing while it is read)
    const buf = Buffer.allocUnsafe(MAX_RUNBOOK_BYTES + 1);
    let size = 0;
    for (;;) {
      const n = readSync(fd, buf, size, buf.length - size, null);
      if (n <= 0) break;
      size += n;
      if (size > MAX_RUNBOOK_BYTES) throw new RunbookNotFound(`${display} is over ${MAX_RUNBOOK_BYTES / 1024 / 1024} MiB: a runbook is at most ${MAX_RUNBOOK_BYTES / 1024 / 1024} MiB`);
    }
    return Buffer.from(buf.subarray(0, size));
  } catch (e) {
    if (e instanceof RunbookNotFound) throw e;
    throw new RunbookNotFound(`cannot read ${display}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  } finally {
    closeSync(fd);
  }
}

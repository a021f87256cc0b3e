/**
 * The last lines of a step's log file, read from its end (a flooding step's log can be large) and
 * read again only when the file has grown: the wallboard asks on every redraw.
 */
import { closeSync, fstatSync, readSync } from 'node:fs';
import { openNoFollow } from '../core/safe-open.js';

const TAIL_BYTES = 64 * 1024;

export class LogTail {
  private path = '';
  private size = -1;
  private lines: string[] = [];

  /** The file's last `max` lines (none when it cannot be read). */
  read(path: string, max: number): string[] {
    let fd: number | undefined;
    try {
      fd = openNoFollow(path, 'read');
      const size = fstatSync(fd).size;
      if (path !== this.path || size !== this.size) {
        const start = Math.max(0, size - TAIL_BYTES);
        const buf = Buffer.alloc(size - start);
        const n = readSync(fd, buf, 0, buf.length, start);
        let lines = buf.toString('utf8', 0, n).split('\n');
        if (start > 0) lines = lines.slice(1); // the first line read from the middle of the file is partial
        if (lines.at(-1) === '') lines.pop();
        [this.path, this.size, this.lines] = [path, size, lines];
      }
    } catch {
      [this.path, this.size, this.lines] = [path, -1, []];
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    return this.lines.slice(-max);
  }
}

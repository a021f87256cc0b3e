/** One driving cockpit per repository: .cockpit/lock holds the pid of the session that drives. */
import { openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { processAlive as alive } from '../exec/proc.js';

export type Lock = { release(): void };


/** Takes the lock or returns a message naming the session that holds it. A stale lock is taken over. */
export function takeLock(cockpitDir: string, sessionId: string): Lock | string {
  const path = join(cockpitDir, 'lock');
  for (let tries = 0; tries < 2; tries++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, JSON.stringify({ pid: process.pid, sessionId }));
      closeSync(fd);
      return { release: () => rmSync(path, { force: true }) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return `cannot take ${path}: ${(e as Error).message}`;
      let holder: { pid?: number; sessionId?: string } = {};
      try {
        holder = JSON.parse(readFileSync(path, 'utf8')) as typeof holder;
      } catch {
        /* torn lock file: treat as stale */
      }
      if (holder.pid && alive(holder.pid)) return `another cockpit (pid ${holder.pid}, session ${holder.sessionId}) is driving a release here; remove ${path} if that is wrong`;
      rmSync(path, { force: true });
    }
  }
  return `cannot take ${path}`;
}

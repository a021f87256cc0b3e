/**
 * The supervisor's status file (spec.ts StepStatus), and its last resort: the runner that started
 * this supervisor reads its stdout.
 */
import { closeSync, ftruncateSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { openNoFollow, writeNoFollow } from '../../core/safe-open.js';
import type { StepStatus } from '../spec.js';

export class StatusFile {
  /** The status said on stdout (see toRunner): the supervisor exits once it is out. */
  private told: Promise<void> = Promise.resolve();

  constructor(private readonly path: string) {}

  /**
   * A tmp file renamed over it, so a reader never sees half of one. When that fails (a full
   * disk), the file is rewritten in place: its block is there already, a rewrite needs no new one.
   * When even that fails, the status goes to stdout: the runner that started this supervisor reads
   * it there.
   */
  write(status: StepStatus): void {
    const text = `${JSON.stringify(status)}\n`;
    if (this.replace(text) || this.rewrite(text)) return;
    if (status.state === 'exited') this.toRunner(text);
  }

  private replace(text: string): boolean {
    const tmp = `${this.path}.tmp`;
    try {
      writeNoFollow(tmp, text);
      renameSync(tmp, this.path);
      return true;
    } catch {
      try {
        unlinkSync(tmp);
      } catch {
        /* not there */
      }
      return false;
    }
  }

  private rewrite(text: string): boolean {
    try {
      const fd = openNoFollow(this.path, 'update');
      try {
        if (writeSync(fd, text, 0) !== Buffer.byteLength(text)) throw new Error('short write');
        ftruncateSync(fd, Buffer.byteLength(text));
        return true;
      } finally {
        closeSync(fd);
      }
    } catch {
      return false; // no status file, or no room even there
    }
  }

  /**
   * The status for the runner when no file could hold it: on stdout, a pipe the runner reads
   * (nobody's, ignored, when the cockpit is gone).
   */
  private toRunner(text: string): void {
    this.told = new Promise((resolve) => {
      process.stdout.on('error', () => resolve());
      try {
        process.stdout.write(`status ${text}`, () => resolve());
      } catch {
        resolve();
      }
    });
  }

  /** Exits once the status said on stdout is out (at most a second). */
  exitWhenTold(): void {
    const bye = setTimeout(() => process.exit(0), 1000);
    void this.told.then(() => {
      clearTimeout(bye);
      process.exit(0);
    });
  }
}

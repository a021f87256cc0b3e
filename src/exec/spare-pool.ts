/**
 * Spare supervisors (`supervisor.js --standby`), booted ahead of time: a step handed to one starts
 * in a few ms instead of after a node start-up (~50-150 ms), which matters most for a rollback.
 * A runner owns one pool: two spares (one kept for rollbacks: see Slot), refilled after each use.
 * Idle, each is a node process waiting on a pipe (~40 MB RSS). A spare still booting is used too
 * (it reads the step once up: sooner than a new one would); if it dies before it could, the step
 * starts on a new supervisor. It exits when this process does (its stdin closes).
 * COCKPIT_SPARE_SUPERVISOR=0 turns spares off.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export type Spare = {
  readonly proc: ChildProcess;
  /** It said "ready": it is reading its stdin (a step handed over is then its to run). */
  ready: boolean;
  /** Resolves once it has gone (stdout read to the end), with whether it ever said "ready". */
  gone: Promise<boolean>;
  /** What it said on stdout: "ready", then (no file could hold it) its step's status. */
  said: string;
};

/** The first spare waits this long after a runner is made (the screen's start-up comes first). */
export const SPARE_FIRST_DELAY_MS = 1000;
/** A used spare is replaced this long after (not on the path of the step it just started). */
const SPARE_REFILL_DELAY_MS = 300;
/** See SparePool.noteFlood. */
const FLOOD_QUIET_MS = 500;

/**
 * Spares are kept per slot: one for any step, and one kept for the rollback's steps (stage
 * `rollback`, keys "rollback.<step>"), which nothing else takes: a rollback, the moment it matters
 * most, finds a booted supervisor even right after a step has used the other one (a spare booting
 * beside a step that floods the CPU can take a second).
 */
type Slot = 'any' | 'rollback';
const ROLLBACK_KEY = /^rollback\./;

function alive(s: Spare | undefined): s is Spare {
  return s !== undefined && s.proc.exitCode === null && s.proc.signalCode === null && s.proc.stdin?.writable === true;
}

export class SparePool {
  private readonly spares = new Map<Slot, Spare>();
  private readonly refills = new Map<Slot, NodeJS.Timeout>();
  /** When a step last flooded its output (see noteFlood). */
  private lastFloodAt = -Infinity;
  private closed = false;

  constructor(private readonly supervisor: string) {
    this.schedule('rollback', SPARE_FIRST_DELAY_MS);
    this.schedule('any', SPARE_FIRST_DELAY_MS + SPARE_REFILL_DELAY_MS);
  }

  private wanted(): boolean {
    return process.env.COCKPIT_SPARE_SUPERVISOR !== '0';
  }

  /**
   * A step flooded its output (its tail skipped ahead). The spare for any step boots (~150 ms of a
   * CPU) only once no step has flooded for FLOOD_QUIET_MS: beside a flooding step on a small
   * machine, a booting node takes CPU from the step. The rollback's spare does not wait.
   */
  noteFlood(): void {
    this.lastFloodAt = Date.now();
  }

  /**
   * Takes a spare, booted or booting, for the step `key` (it is then no one else's): a rollback
   * step its own first (else the other), any other step only the other. The slot taken is refilled.
   */
  take(key: string): Spare | undefined {
    const rollback = ROLLBACK_KEY.test(key);
    for (const slot of rollback ? (['rollback', 'any'] as const) : (['any'] as const)) {
      const s = this.spares.get(slot);
      if (!alive(s)) continue;
      this.spares.delete(slot);
      this.schedule(slot, SPARE_REFILL_DELAY_MS);
      return s;
    }
    // none alive: have them ready for next time
    this.schedule('any', SPARE_REFILL_DELAY_MS);
    if (rollback) this.schedule('rollback', SPARE_REFILL_DELAY_MS);
    return undefined;
  }

  /** No more spares: the ones booted or booting end (their stdin closes), none is booted again. */
  close(): void {
    this.closed = true;
    for (const t of this.refills.values()) clearTimeout(t);
    this.refills.clear();
    for (const s of this.spares.values()) s.proc.stdin?.end();
    this.spares.clear();
  }

  private schedule(slot: Slot, delayMs: number): void {
    if (this.closed || !this.wanted() || this.refills.has(slot)) return;
    const t = setTimeout(() => {
      this.refills.delete(slot);
      // the rollback's spare boots whatever runs: it is what a rollback during a flood needs
      const quietIn = slot === 'any' ? this.lastFloodAt + FLOOD_QUIET_MS - Date.now() : 0;
      if (quietIn > 0) this.schedule(slot, quietIn);
      else this.boot(slot);
    }, delayMs);
    t.unref();
    this.refills.set(slot, t);
  }

  private boot(slot: Slot): void {
    if (this.closed || !this.wanted() || alive(this.spares.get(slot))) return;
    let proc: ChildProcess;
    try {
      proc = spawn(process.execPath, [this.supervisor, '--standby'], { detached: true, stdio: ['pipe', 'pipe', 'ignore'], cwd: '/' });
    } catch {
      return; // no spare: steps start cold
    }
    const spare: Spare = { proc, ready: false, gone: Promise.resolve(false), said: '' };
    spare.gone = new Promise((resolve) => {
      proc.on('error', () => resolve(spare.ready));
      proc.on('close', () => resolve(spare.ready));
    });
    const forget = () => this.spares.get(slot) === spare && this.spares.delete(slot);
    proc.on('error', forget);
    proc.on('exit', forget);
    proc.stdin!.on('error', () => {});
    proc.stdout!.on('error', () => {});
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
      spare.ready = true;
      spare.said += d;
    });
    // a spare never keeps this process alive
    proc.unref();
    (proc.stdout as unknown as { unref?: () => void }).unref?.();
    (proc.stdin as unknown as { unref?: () => void }).unref?.();
    this.spares.set(slot, spare);
  }
}

/**
 * What Linux's /proc says about a step's processes: the supervisor and the runner both need to
 * know whether a process group still runs (a zombie does not count: it has exited, only its
 * parent has not collected it yet) and how a process ended. Elsewhere than Linux: signal 0.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';

export type ProcInfo = {
  /** R, S, D, Z (exited, not yet reaped), … */
  readonly state: string;
  readonly pgrp: number;
  /** For a zombie: its wait status (exit code << 8, or the signal number). */
  readonly waitStatus: number;
  /** When it started, in clock ticks after boot (field 22; USER_HZ ticks a second). */
  readonly start: number;
};

/** Clock ticks a second in /proc's times: 100 on every Linux platform cockpit runs on. */
export const USER_HZ = 100;

export function procInfo(pid: number): ProcInfo | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: f[0], pgrp: Number(f[2]), waitStatus: Number(f[49]), start: Number(f[19]) };
}

export const exited = (p: ProcInfo | undefined): boolean => p === undefined || p.state === 'Z' || p.state === 'X';

/** Whether any process of the group exists at all (zombies included). */
export function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a process of the group still runs. A zombie does not count: an orphan (a `sleep` whose
 * `sh` died first) waits for init to reap it, which some inits (containers, VMs) do seconds late.
 */
export function groupRunning(pgid: number): boolean {
  if (!groupExists(pgid)) return false;
  if (process.platform !== 'linux') return true;
  try {
    for (const e of readdirSync('/proc')) {
      const c = e.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      const p = procInfo(Number(e));
      if (p && p.pgrp === pgid && !exited(p)) return true;
    }
    return false;
  } catch {
    return true;
  }
}

const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, n]) => [n, name]));

/** A wait status as the exit code and signal name node reports. */
export function fromWaitStatus(status: number): { exitCode: number | null; signal: string | null } {
  const sig = status & 0x7f;
  return sig === 0 ? { exitCode: (status >> 8) & 0xff, signal: null } : { exitCode: null, signal: SIGNAL_NAMES.get(sig) ?? `signal ${sig}` };
}

/** Whether a process runs (a zombie does not; EPERM: it exists, not ours to signal). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // kill(pid, 0) answers for a zombie too (killed, not yet reaped by its parent, or by no init in a
  // container): it runs nothing and holds nothing. Where /proc cannot be read, kill's answer stands.
  const info = procInfo(pid);
  return !(info && (info.state === 'Z' || info.state === 'X'));
}

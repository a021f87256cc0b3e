/**
 * The step's processes: its process group, and those that left it (`setsid`), found by the step's
 * environment tag (exec/descendants.ts).
 */
import { killTreeNow, signalTree } from '../descendants.js';
import { groupExists, groupRunning } from '../proc.js';

export class StepGroup {
  constructor(
    /** The step's pid, its group's id (undefined: the spawn failed). */
    private readonly pgid: number | undefined,
    private readonly tag: string,
    /** Boot ticks at the step's start: older processes are never the step's. */
    private readonly since: number,
  ) {}

  /** Signals the group and what left it. */
  kill(sig: NodeJS.Signals): void {
    if (this.pgid === undefined) return;
    // first, while the group lives: a child that cleared its environment is found through its parent
    this.killOutside(sig);
    try {
      process.kill(-this.pgid, sig);
    } catch {
      /* the group is gone */
    }
  }

  /** The step's processes that left its group (`setsid`): found by its tag. */
  killOutside(sig: NodeJS.Signals): void {
    const q = { roots: this.pgid === undefined ? [] : [this.pgid], skipGroup: this.pgid, since: this.since };
    if (sig === 'SIGKILL') killTreeNow(this.tag, q);
    else signalTree(this.tag, sig, q);
  }

  /** Anything of the group is there (a zombie too). */
  alive(): boolean {
    return this.pgid !== undefined && groupExists(this.pgid);
  }

  /** Anything of the group still runs. */
  running(): boolean {
    return this.pgid !== undefined && groupRunning(this.pgid);
  }
}

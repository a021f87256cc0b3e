/**
 * A multi-command shell step (CommandStep.block) runs as ONE script in ONE bash, as its author
 * wrote it (variables, `cd`, functions, `source` carry from command to command), wrapped so that:
 * before command i it appends `i<TAB>epoch_ms` to the progress file ($COCKPIT_PROGRESS_FILE,
 * beside the step's log, never its output); after command i it stops the script with that
 * command's exit status if it is not 0 (fail-fast: a release never goes on after a failed line).
 * The author's own `set -e`, `exit`, traps and `$?` still work; `PIPESTATUS` of a pipeline line is
 * restored for the next line (up to 4 elements). If the wrapped script does not parse (bash -n)
 * the original runs unwrapped, untracked: our wrapping never fails a step.
 */
import { spawnSync } from 'node:child_process';
import { readNoFollow } from '../core/safe-open.js';
import { resolveInvocation, shellReferences, type Invocation, type PlaceholderValues } from '../runbook/placeholders.js';
import type { CommandStep } from '../runbook/types.js';

export const PROGRESS_ENV = 'COCKPIT_PROGRESS_FILE';

/** The progress file of a step's log: `<stage>.<step>.progress` beside `<stage>.<step>.log`. */
export const progressPathOf = (logPath: string): string => `${logPath.replace(/\.log$/, '')}.progress`;

const MARK = [
  '__cockpit_mark() {',
  '  local __cockpit_t="${EPOCHREALTIME:-}"',
  '  __cockpit_t="${__cockpit_t/[.,]/}"',
  '  if [ -n "$__cockpit_t" ]; then __cockpit_t="${__cockpit_t%???}"; else __cockpit_t="$(date +%s)000"; fi',
  `  builtin printf '%s\\t%s\\n' "$1" "$__cockpit_t" >> "\${${PROGRESS_ENV}:-/dev/null}" 2>/dev/null || :`,
  '}',
].join('\n');

const CHECK = '__cockpit_rc=$? __cockpit_ps=("${PIPESTATUS[@]}")\nif [ "$__cockpit_rc" -ne 0 ]; then exit "$__cockpit_rc"; fi';

/** Puts the last line's PIPESTATUS back (a plain pipeline at the top level is the only way to set it). */
const RESTORE_PIPESTATUS = [2, 3, 4]
  .map((n, k) => `${k === 0 ? 'if' : 'elif'} [ "\${#__cockpit_ps[@]}" -eq ${n} ]; then ${Array.from({ length: n }, (_, i) => `(exit "\${__cockpit_ps[${i}]}")`).join(' | ')}`)
  .join('\n')
  .concat('\nfi');

/** A line that may leave a pipeline's statuses behind: an unquoted-looking single `|`. */
const hasPipe = (text: string): boolean => /(^|[^|])\|(?!\|)/.test(text);

/** The wrapped script: each command verbatim, a progress mark before it, a fail-fast check after it. */
export function wrapBlock(commands: readonly string[]): string {
  const parts = [MARK];
  commands.forEach((text, i) => {
    parts.push(`__cockpit_mark ${i}`);
    if (i > 0 && hasPipe(commands[i - 1])) parts.push(RESTORE_PIPESTATUS);
    parts.push(text, CHECK);
  });
  return `${parts.join('\n')}\n`;
}

/** Whether bash parses the script (bash -n: nothing runs). */
export function parsesAsBash(script: string): boolean {
  const r = spawnSync('bash', ['-n', '-c', script], { stdio: 'ignore', timeout: 5000 });
  return r.status === 0;
}

/**
 * What runs for a block step: the wrapped script (tracked), or, when it would not parse while the
 * original does (or neither does: bash then says why, about the author's script), the original.
 */
export function blockInvocation(step: CommandStep, values: PlaceholderValues): { invocation: Invocation; tracked: boolean } {
  const plain = resolveInvocation(step.command, values);
  if (!step.block || step.command.kind !== 'shell') return { invocation: plain, tracked: false };
  const script = wrapBlock(step.block.commands.map((c) => shellReferences(c.text)));
  if (!parsesAsBash(script)) return { invocation: plain, tracked: false };
  return { invocation: { ...plain, args: ['-c', script] }, tracked: true };
}

export type CommandStart = { readonly index: number; readonly startedAt: number };

const LINE = /^(\d{1,6})\t(\d{10,16})$/;

/**
 * The command starts a progress file records, strictly: `i<TAB>epoch_ms` lines with i a command of
 * the block, each later than the one before; anything else (garbage, a line the step wrote there
 * itself that goes backwards) is ignored.
 */
export function parseProgress(text: string, count: number, after = -1): CommandStart[] {
  const out: CommandStart[] = [];
  let last = after;
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const index = Number(m[1]);
    if (index <= last || index >= count) continue;
    out.push({ index, startedAt: Number(m[2]) });
    last = index;
  }
  return out;
}

/** Reads a step's progress file anew each time; hands out the command starts not seen yet. */
export class ProgressReader {
  private last: number;
  constructor(
    private readonly path: string,
    private readonly count: number,
    seen = 0,
  ) {
    this.last = seen - 1;
  }

  read(): CommandStart[] {
    let text: string;
    try {
      text = readNoFollow(this.path);
    } catch {
      return [];
    }
    const fresh = parseProgress(text, this.count, this.last);
    if (fresh.length > 0) this.last = fresh[fresh.length - 1].index;
    return fresh;
  }
}

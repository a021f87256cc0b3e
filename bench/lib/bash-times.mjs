// The CPU of a command and everything it waited for, as bash's `times` reports it: one wrapper, one
// reader, for bench/suite-cpu.mjs and the hostile-input tests' CPU bounds.

export const TIMES_MARK = '--- times ---';

/**
 * An argv prefix: bash runs the command after it ("$@", with `redirect` applied, e.g. `> log 2>&1`),
 * then prints TIMES_MARK and `times` on `fd` (1 or 2), and exits with the command's status.
 */
export function bashTimes({ fd = 1, redirect = '' } = {}) {
  const to = fd === 2 ? ' >&2' : '';
  return ['bash', '-c', `"$@"${redirect ? ` ${redirect}` : ''}; rc=$?; echo '${TIMES_MARK}'${to}; times${to}; exit $rc`, 'bash'];
}

/** "0m1.250s" → 1.25 (seconds) */
export function timesSeconds(t) {
  const m = /^(\d+)m([\d.]+)s$/.exec(t);
  if (!m) throw new Error(`bash's times printed ${JSON.stringify(t)}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/**
 * What bash printed on the stream `times` went to: the text before the mark, and the CPU of the
 * processes it waited for (times' second line: user, system; in seconds). Undefined without a mark.
 */
export function splitTimes(text) {
  const at = text.lastIndexOf(`${TIMES_MARK}\n`);
  if (at < 0) return undefined;
  const children = text.slice(at + TIMES_MARK.length + 1).split('\n')[1] ?? '';
  const [user, sys] = children.trim().split(' ').map(timesSeconds);
  return { before: text.slice(0, at), user, sys };
}

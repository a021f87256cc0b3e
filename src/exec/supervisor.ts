/**
 * The step supervisor: a small detached process (its own session) that runs one step in its own
 * process group, writes its merged output line-stamped (and secret-masked) to the step's log file,
 * enforces the timeout, and writes the exit status to a status file. The cockpit only tails
 * those files, so a slow or crashed cockpit can neither slow nor kill a running deploy.
 *
 *   node dist/supervisor.js <spec.json>
 *   node dist/supervisor.js --standby     (a spare: see below)
 *
 * The step's output (stdout and stderr, merged) goes where a full disk cannot make the step fail
 * (step-output.ts): a private, unlinked scratch file on a memory-backed filesystem the step writes
 * at memory speed, never waiting for anybody, read by this process at a lower CPU priority; or,
 * with no such filesystem, a pipe this process drains. The log (output-log.ts) is written from
 * it: stamped, masked, `\r` redraws and lines written in pieces made into what a terminal shows,
 * capped by bytes. Unmasked output never has a name on disk.
 *
 * SIGTERM/SIGINT/SIGHUP to the supervisor interrupt the step: SIGTERM to its group, SIGKILL after
 * the grace period. Processes the step left behind in its group are ended when it exits. Whatever
 * is signalled, the step's processes that left its group (`setsid`) get it too: they are found by
 * the step's environment tag (exec/descendants.ts). SIGUSR2
 * says the cockpit has already sent the group its SIGTERM (it does, at its own priority, to
 * interrupt a running step at once): the same interrupt, without a second SIGTERM.
 *
 * --standby: a spare supervisor the runner starts ahead of time, so a step (a rollback above all)
 * does not wait for a node process to boot. It prints "ready" and waits on stdin for one line,
 * {"spec": path, "env": {...}, "handover": {...}}: the cockpit's environment at the step's start
 * (a cold supervisor inherits it; the spare takes it over, so the step sees the same). Then it
 * moves to the step's cwd and supervises the step exactly as above; stdin is not read again.
 * Stdin closing before a spec (the cockpit went away), or a signal before it, ends the spare with
 * nothing started.
 *
 * The parts, in supervise/: supervise.ts (one step, start to exit), step-env.ts (its environment
 * and masking), step-group.ts (its processes), status-file.ts (its status), standby.ts (the spare).
 *
 * The hand-over (spec.ts): what never goes into the spec file, the secrets' values (and the whole
 * spec when its file could not be written). A cold supervisor finds it in its environment.
 *
 * The log is capped (COCKPIT_LOG_MAX_BYTES): the head, a marker, then at the end the output's last
 * part and the count of bytes dropped; memory stays bounded whatever the output's shape (a 1 GB
 * line). Nothing here throws on a write: on a full disk the log loses lines (counted, and said:
 * "disk full: N bytes of output not kept"), the status goes where it can (supervise/status-file.ts), the
 * step runs on.
 */
import { coldStep, standby } from './supervise/standby.js';
import { supervise, type SignalHooks } from './supervise/supervise.js';

// What SIGTERM/SIGINT/SIGHUP (onSignal) and SIGUSR2 (onSignalled: interrupted, and the group has
// had its SIGTERM already) do now: nothing started yet (a spare), so nothing to interrupt.
// Before anything is spawned, supervise() sets them: a SIGTERM arriving right after the spawn must
// interrupt the step, not kill the supervisor (its default action) and leave the step running
// unsupervised. One handler for the process's whole life: the OS-level handler is never
// uninstalled in between.
const signals: SignalHooks = { onSignal: () => process.exit(0), onSignalled: () => process.exit(0) };
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => signals.onSignal());
process.on('SIGUSR2', () => signals.onSignalled());

if (process.argv[2] === '--standby') standby((spec, handover) => supervise(spec, handover, signals));
else {
  const { spec, handover } = coldStep(process.argv[2]);
  supervise(spec, handover, signals);
}

/**
 * The step supervisor: a small detached process (its own session) that runs one step in its own
 * process group, writes its merged output line-stamped (and secret-masked) to the step's log file,
 * enforces the timeout, and writes the exit status to a status file. The cockpit only tails
 * those files, so a slow or crashed cockpit can neither slow nor kill a running deploy.
 *
 *   node dist/supervisor.js <spec.json>
 *   node dist/supervisor.js --standby     (a spare: see below)
 *
 * The step writes stdout and stderr (one file descriptor: true merged order) straight into an
 * unlinked scratch file, at file speed: it never waits for anybody to read a pipe. The supervisor,
 * at a lower CPU priority than the step, reads that file as it grows and writes the stamped,
 * masked log. Unmasked output therefore never has a name on disk.
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
 * The hand-over (spec.ts): what never goes into the spec file, the secrets' values (and the whole
 * spec when its file could not be written). A cold supervisor finds it in its environment.
 *
 * The log is capped (COCKPIT_LOG_MAX_BYTES): the head, a marker, then at the end the output's last
 * part and the count of bytes dropped. Nothing here throws on a write (a full disk): the log stops,
 * the status goes where it can (see writeStatus), the step runs on.
 */
import { spawn } from 'node:child_process';
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { openNoFollow, readNoFollow, writeNoFollow } from '../core/safe-open.js';
import { setPriority } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import { longTimeout, type TimerHandle } from '../core/clock.js';
import { bootTicks, killTreeNow, newTag, signalTree, tagEnv } from './descendants.js';
import { maskerFor, secretStartsFor, stampOf } from './log-format.js';
import { groupExists, groupRunning as groupRunningOf } from './proc.js';
import { checkCwd } from './program.js';
import { HANDOVER_ENV, type Handover, type StepStatus, type SupervisorSpec } from './spec.js';

const FOLLOW_MS = 25;
/** Reads (of 1 MiB) per follow() before it lets signals and the step's exit in. */
const FOLLOW_CHUNKS = 2;

/** A step's log is capped at COCKPIT_LOG_MAX_BYTES (this by default; at least LOG_MIN_BYTES). */
export const LOG_MAX_BYTES = 64 * 1024 * 1024;
const LOG_MIN_BYTES = 4096;
/** Of the cap, kept for the output's end (written when the step ends): at most this, a quarter of a small cap. */
const LOG_TAIL_BYTES = 1024 * 1024;
/** Once capped, the scratch file's blocks are given back whenever this much unread output (at most; the cap, at least 4 MiB) has piled up in it. */
const RECLAIM_BYTES = 64 * 1024 * 1024;

const MIB = 1024 * 1024;
function sizeText(bytes: number): string {
  if (bytes >= MIB) return `${Number((bytes / MIB).toFixed(1))} MiB`;
  if (bytes >= 1024) return `${Number((bytes / 1024).toFixed(1))} KiB`;
  return `${bytes} bytes`;
}

function logCap(text: string | undefined): number {
  const n = Number(text);
  return text && Number.isInteger(n) && n > 0 ? Math.max(LOG_MIN_BYTES, n) : LOG_MAX_BYTES;
}

const codeOf = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/** What SIGTERM/SIGINT/SIGHUP do now: nothing started yet (a spare), so nothing to interrupt. */
let onSignal: () => void = () => process.exit(0);
// Before anything is spawned: a SIGTERM arriving right after the spawn must interrupt the step, not
// kill the supervisor (its default action) and leave the step running unsupervised. One handler
// for the process's whole life: the OS-level handler is never uninstalled in between.
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => onSignal());
/** SIGUSR2: interrupted, and the group has had its SIGTERM already. */
let onSignalled: () => void = () => process.exit(0);
process.on('SIGUSR2', () => onSignalled());

function supervise(spec: SupervisorSpec, handover: Handover): void {
  const startedAt = Date.now();
  // the secrets' values were handed over beside the spec (which has them masked)
  const env = { ...process.env, ...spec.env, ...handover.env };
  // the step's processes are found by this even once they leave its group (exec/descendants.ts)
  const tag = newTag();
  const since = bootTicks();
  const stepEnv = { ...env, ...tagEnv(tag, env) };
  // the step's own env may carry a secret too: mask what the step can see
  const secrets = spec.secretNames.flatMap((n) => [process.env[n] ?? '', env[n] ?? '']);
  const mask = maskerFor(secrets);
  const secretStart = secretStartsFor(secrets);

  // The log. Writing it never throws: a full disk loses output, never the step's exit status.
  let log: number | undefined;
  let logError: string | undefined;
  let lostBytes = 0;
  try {
    log = openNoFollow(spec.logPath, 'append');
  } catch (e) {
    logError = codeOf(e);
  }
  let logBytes = 0;
  function append(text: string): void {
    const b = Buffer.from(text);
    let done = 0;
    try {
      if (log === undefined) throw Object.assign(new Error('no log'), { code: logError });
      while (done < b.length) done += writeSync(log, b, done);
      logBytes += b.length;
    } catch (e) {
      logError ??= codeOf(e);
      lostBytes += b.length - done;
    }
  }

  /**
   * The status file: a tmp file renamed over it, so a reader never sees half of one. When that
   * fails (a full disk), the file is rewritten in place: its block is there already, a rewrite
   * needs no new one. When even that fails, the status goes to stdout: the runner that started
   * this supervisor reads it there.
   */
  function writeStatus(status: StepStatus): void {
    const text = `${JSON.stringify(status)}\n`;
    const tmp = `${spec.statusPath}.tmp`;
    try {
      writeNoFollow(tmp, text);
      renameSync(tmp, spec.statusPath);
      return;
    } catch {
      try {
        unlinkSync(tmp);
      } catch {
        /* not there */
      }
    }
    try {
      const fd = openNoFollow(spec.statusPath, 'update');
      try {
        if (writeSync(fd, text, 0) !== Buffer.byteLength(text)) throw new Error('short write');
        ftruncateSync(fd, Buffer.byteLength(text));
        return;
      } finally {
        closeSync(fd);
      }
    } catch {
      /* no status file, or no room even there */
    }
    if (status.state === 'exited') toRunner(text);
  }

  let timedOut = false;
  let interrupted = false;
  // a timeout or grace period past 2^31 ms (a `timeout: 600h`) is a chain of timers: one would fire at once
  let killTimer: TimerHandle | undefined;

  // before the spawn (see onSignal above)
  onSignal = () => {
    interrupted = true;
    stop();
  };
  onSignalled = () => {
    interrupted = true;
    killOutside('SIGTERM'); // the cockpit signalled the group only
    killTimer ??= longTimeout(() => killGroup('SIGKILL'), spec.graceMs);
  };

  // The scratch file: created private, unlinked at once; the step and this process hold it open.
  const rawPath = `${spec.logPath}.${process.pid}.raw`;
  let raw: number;
  try {
    raw = openNoFollow(rawPath, 'create-rw', 0o600);
    unlinkSync(rawPath);
  } catch (e) {
    // no room for it: the step runs all the same, its output is lost
    logError ??= codeOf(e);
    raw = openSync('/dev/null', 'r+');
  }

  const child = spawn(spec.file, [...(handover.args ?? spec.args)], {
    cwd: spec.cwd,
    env: stepEnv,
    stdio: ['ignore', raw, raw],
    detached: true,
  });
  const pgid = child.pid;
  let exitCode: number | null = null;
  let signal: string | null = null;
  let spawnError: string | undefined;

  // the step keeps the CPU it needs; following its output can wait
  try {
    setPriority(10);
  } catch {
    /* not permitted here: run at the same priority */
  }

  writeStatus({ state: 'running', supervisorPid: process.pid, pid: pgid ?? null, startedAt });

  function killGroup(sig: NodeJS.Signals): void {
    if (pgid === undefined) return;
    // first, while the group lives: a child that cleared its environment is found through its parent
    killOutside(sig);
    try {
      process.kill(-pgid, sig);
    } catch {
      /* the group is gone */
    }
  }
  /** The step's processes that left its group (`setsid`): found by its tag (exec/descendants.ts). */
  function killOutside(sig: NodeJS.Signals): void {
    const q = { roots: pgid === undefined ? [] : [pgid], skipGroup: pgid, since };
    if (sig === 'SIGKILL') killTreeNow(tag, q);
    else signalTree(tag, sig, q);
  }

  const groupAlive = (): boolean => pgid !== undefined && groupExists(pgid);
  const groupRunning = (): boolean => pgid !== undefined && groupRunningOf(pgid);

  function stop(): void {
    killGroup('SIGTERM');
    killTimer ??= longTimeout(() => killGroup('SIGKILL'), spec.graceMs);
  }

  const timeout = spec.timeoutMs
    ? longTimeout(() => {
        timedOut = true;
        follow(true);
        writeLine(`cockpit: timeout after ${Math.round(spec.timeoutMs! / 1000)}s, sending SIGTERM to the step's process group`);
        stop();
      }, spec.timeoutMs)
    : undefined;

  const decoder = new StringDecoder('utf8');
  const buf = Buffer.allocUnsafe(1024 * 1024);
  let offset = 0;
  /** Read, not written yet: a line without its newline, or the start of a secret (masked, but for that). */
  let pending = '';
  let pendingSince = 0;

  // The cap: the log's head up to headRoom, then (the step ended) its output's last tailRoom.
  const cap = logCap(process.env.COCKPIT_LOG_MAX_BYTES);
  const tailRoom = Math.min(LOG_TAIL_BYTES, Math.floor(cap / 4));
  const headRoom = cap - tailRoom;
  const reclaimAt = Math.min(RECLAIM_BYTES, Math.max(4 * MIB, cap));
  let capped = false;
  /** Bytes of output the cap left out of the log. */
  let dropped = 0;
  const stamped = (stamp: string, text: string): string => `${stamp}${text.replaceAll('\n', `\n${stamp}`)}\n`;

  /** Writes masked text as stamped lines, up to the cap (where it says so, once). */
  function writeLines(masked: string): void {
    if (capped) {
      dropped += Buffer.byteLength(masked) + 1;
      return;
    }
    const stamp = stampOf(new Date());
    const out = stamped(stamp, masked);
    const size = Buffer.byteLength(out);
    if (logBytes + size <= headRoom) return append(out);
    // the lines that fit, then the marker; the rest is dropped
    const lines = masked.split('\n');
    let fit = '';
    let room = headRoom - logBytes;
    let i = 0;
    for (; i < lines.length; i++) {
      const line = `${stamp}${lines[i]}\n`;
      const n = Buffer.byteLength(line);
      if (n > room) break;
      fit += line;
      room -= n;
    }
    if (fit) append(fit);
    dropped += Buffer.byteLength(lines.slice(i).join('\n')) + 1;
    capped = true;
    append(stamped(stamp, `cockpit: log capped at ${sizeText(cap)}; the output is dropped from here but for its last ${sizeText(tailRoom)}, at the end of the log`));
  }

  /** A line of the cockpit's own (a timeout): written whatever the cap. */
  function writeLine(text: string): void {
    flushPartial();
    append(stamped(stampOf(new Date()), mask(text)));
  }

  /** How much of masked text may be written now: all of it but a secret's possible start at its end. */
  const writable = (masked: string): number => masked.length - secretStart(masked);

  /** Writes pending's whole lines; keeps the rest pending. True when it wrote any. */
  function writeWholeLines(): boolean {
    const masked = mask(pending);
    const safe = writable(masked);
    const nl = safe === 0 ? -1 : masked.lastIndexOf('\n', safe - 1);
    pending = masked;
    if (nl < 0) return false;
    writeLines(masked.slice(0, nl));
    pending = masked.slice(nl + 1);
    return true;
  }

  /** Writes pending as it is (a prompt, a progress bar), but for a secret's possible start. */
  function flushPartial(): void {
    if (pending === '' || capped) return;
    const masked = mask(pending);
    const safe = writable(masked);
    if (safe > 0) writeLines(masked.slice(0, safe));
    pending = masked.slice(safe);
  }

  /**
   * Once capped nothing more is read until the step ends (then only its last tailRoom). So that
   * the scratch file does not fill the disk meanwhile, what will never be read is given back now
   * and then: its blocks are punched out (util-linux `fallocate --punch-hole`, on the file as this
   * process holds it), the step goes on writing at its offset, untouched. Where that cannot be
   * done (no fallocate, a filesystem without holes), the scratch file grows until the step ends.
   */
  let punching = false;
  let punchFailed = false;
  function reclaim(): void {
    if (punching || punchFailed || process.platform !== 'linux') return;
    let size: number;
    try {
      size = fstatSync(raw).size;
    } catch {
      return;
    }
    const upTo = size - tailRoom;
    if (upTo - offset < reclaimAt) return;
    // dropped from the log whatever becomes of the punch
    dropped += upTo - offset;
    offset = upTo;
    punching = true;
    const done = (ok: boolean): void => {
      punching = false;
      if (!ok) punchFailed = true;
    };
    try {
      const p = spawn('fallocate', ['--punch-hole', '--offset', '0', '--length', String(upTo), '/proc/self/fd/3'], { stdio: ['ignore', 'ignore', 'ignore', raw] });
      p.on('error', () => done(false));
      p.on('exit', (code) => done(code === 0));
    } catch {
      done(false);
    }
  }

  /**
   * The step ended and the log was capped: the output's last part (from a line's start, as much
   * as the cap leaves room for), then the count of bytes dropped.
   */
  function writeTail(): void {
    let size = offset;
    try {
      size = Math.max(offset, fstatSync(raw).size);
    } catch {
      /* nothing more to read */
    }
    const from = Math.max(offset, size - tailRoom);
    const b = Buffer.alloc(size - from);
    let n = 0;
    try {
      n = readSync(raw, b, 0, b.length, from);
    } catch {
      /* what was not read is dropped */
    }
    dropped += from - offset + (b.length - n);
    let text = new StringDecoder('utf8').write(b.subarray(0, n));
    // the line the tail starts in the middle of (maybe in a secret) is dropped
    const nl = text.indexOf('\n');
    const cut = nl < 0 ? text.length : nl + 1;
    dropped += Buffer.byteLength(text.slice(0, cut));
    text = text.slice(cut);
    if (text.endsWith('\n')) text = text.slice(0, -1);
    const stamp = stampOf(new Date());
    const lines = text === '' ? [] : mask(text).split('\n');
    // the room left: the cap, less the head, the marker and the count's line (its digits at most 20)
    let room = cap - logBytes - Buffer.byteLength(stamped(stamp, `cockpit: log capped at ${sizeText(cap)}; ${'9'.repeat(20)} bytes dropped`));
    let first = lines.length;
    while (first > 0) {
      const size = Buffer.byteLength(stamp) + Buffer.byteLength(lines[first - 1]) + 1;
      if (size > room) break;
      room -= size;
      first--;
    }
    for (const l of lines.slice(0, first)) dropped += Buffer.byteLength(l) + 1;
    if (first < lines.length) append(stamped(stamp, lines.slice(first).join('\n')));
    append(stamped(stamp, `cockpit: log capped at ${sizeText(cap)}; ${dropped} bytes dropped`));
  }

  let catchingUp = false;
  /**
   * Reads what the step wrote since last time and writes it to the log, whole lines stamped. At
   * most FOLLOW_CHUNKS reads a call (then it goes on at once, between events) unless `all`: a
   * flooding step never keeps a SIGTERM or its own exit waiting behind the output.
   */
  function follow(all = false): void {
    if (capped) return reclaim();
    for (let i = 0; ; i++) {
      if (!all && i === FOLLOW_CHUNKS) {
        if (!catchingUp) {
          catchingUp = true;
          setImmediate(() => {
            catchingUp = false;
            if (!finished) follow();
          });
        }
        break;
      }
      const n = readSync(raw, buf, 0, buf.length, offset);
      if (n <= 0) break;
      offset += n;
      const before = pending;
      pending += decoder.write(buf.subarray(0, n));
      const wrote = pending.includes('\n') && writeWholeLines();
      if (capped) {
        // what was left of this read goes with the rest
        dropped += Buffer.byteLength(pending);
        pending = '';
        return;
      }
      if (pending !== '' && (before === '' || wrote)) pendingSince = Date.now();
    }
    // a line without its newline for a while (a prompt, a progress bar) is written as it is
    if (pending !== '' && (pending.length > 65536 || Date.now() - pendingSince >= 250)) flushPartial();
  }

  const follower = setInterval(follow, FOLLOW_MS);

  child.on('error', (e) => {
    // a cwd gone since the cockpit checked it fails the spawn with ENOENT: say which
    spawnError = checkCwd(spec.cwd) ?? e.message;
    exited = true;
    finish();
  });

  let exited = false;
  let exitedAt: number | undefined;

  child.on('exit', (code, sig) => {
    exitedAt = Date.now();
    exitCode = code;
    signal = sig;
    exited = true;
    // Whatever the step left running in its group (a `sleep 1000 &`) ends with it.
    if (groupAlive()) {
      killGroup('SIGTERM');
      setTimeout(() => killGroup('SIGKILL'), Math.min(spec.graceMs, 1000)).unref();
    } else killOutside('SIGTERM'); // what left the group (SIGKILL in finish())
    // give what the group was writing as it ended a moment to land (until nothing of the group
    // runs, at most 50 ms: an interrupted `sh` whose `sleep` dies a moment later finishes at once)
    const settleBy = Date.now() + 50;
    // killed by a signal nobody told this supervisor of (yet): the cockpit's SIGUSR2, sent just
    // before its SIGTERM to the group, may still be on its way (signals are not ordered across threads)
    const hearBy = Date.now() + 20;
    const settle = (): void => {
      const now = Date.now();
      if ((groupRunning() && now < settleBy) || (sig !== null && !interrupted && now < hearBy)) setTimeout(settle, 5);
      else finish();
    };
    setTimeout(settle, 0);
  });

  let finished = false;
  function finish(): void {
    if (finished || !exited) return;
    finished = true;
    clearInterval(follower);
    const exitedStatus = (): StepStatus => ({
      state: 'exited',
      supervisorPid: process.pid,
      pid: pgid ?? null,
      startedAt,
      endedAt: Date.now(),
      exitedAt,
      exitCode,
      signal,
      timedOut,
      interrupted,
      error: spawnError,
      logError: logError === undefined ? undefined : { code: logError, lostBytes },
    });
    // An interrupted step is over: the cockpit may go on (to the rollback) at once, while the rest
    // of its output is written out below (the runner reads this status after a kill()).
    const early = interrupted ? exitedStatus() : undefined;
    if (early) writeStatus(early);
    follow(true);
    if (capped) writeTail();
    else {
      // the end: all of it, masked (no secret's rest is coming)
      pending += decoder.end();
      if (pending !== '') writeLines(mask(pending));
      pending = '';
    }
    timeout?.cancel();
    killTimer?.cancel();
    if (log !== undefined) closeSync(log);
    closeSync(raw);
    if (!early) writeStatus(exitedStatus());
    // The group was signalled above; make sure nothing of it (in the group or out of it) survives the supervisor.
    if (groupAlive()) killGroup('SIGKILL');
    else killOutside('SIGKILL');
    exitWhenTold();
  }
}

/**
 * The status for the runner when no file could hold it (see writeStatus): on stdout, a pipe the
 * runner reads (nobody's, ignored, when the cockpit is gone).
 */
let told: Promise<void> = Promise.resolve();
function toRunner(text: string): void {
  told = new Promise((resolve) => {
    process.stdout.on('error', () => resolve());
    try {
      process.stdout.write(`status ${text}`, () => resolve());
    } catch {
      resolve();
    }
  });
}
function exitWhenTold(): void {
  const bye = setTimeout(() => process.exit(0), 1000);
  void told.then(() => {
    clearTimeout(bye);
    process.exit(0);
  });
}

/** The spare: waits for its step (see the top of this file). */
function standby(): void {
  let input = '';
  const stdin = process.stdin;
  stdin.setEncoding('utf8');
  const onEnd = () => process.exit(0);
  const onData = (d: string) => {
    input += d;
    const nl = input.indexOf('\n');
    if (nl < 0) return;
    stdin.off('data', onData);
    stdin.off('end', onEnd);
    stdin.destroy();
    const msg = JSON.parse(input.slice(0, nl)) as { spec: string; env: Record<string, string>; handover?: Handover };
    // the cockpit's environment now, exactly: what a supervisor started now would inherit
    for (const k of Object.keys(process.env)) if (!(k in msg.env)) delete process.env[k];
    Object.assign(process.env, msg.env);
    const handover = msg.handover ?? {};
    const spec = handover.spec ?? (JSON.parse(readNoFollow(msg.spec)) as SupervisorSpec);
    try {
      process.chdir(spec.cwd); // where a cold supervisor starts (the step gets spec.cwd either way)
    } catch {
      /* the spawn reports a bad cwd */
    }
    supervise(spec, handover);
  };
  stdin.on('data', onData);
  stdin.on('end', onEnd);
  process.stdout.write('ready\n');
}

/** A cold supervisor's hand-over (spec.ts), taken out of the environment before the step sees it. */
function takeHandover(): Handover {
  const text = process.env[HANDOVER_ENV];
  delete process.env[HANDOVER_ENV];
  return text ? (JSON.parse(text) as Handover) : {};
}

if (process.argv[2] === '--standby') standby();
else {
  const handover = takeHandover();
  supervise(handover.spec ?? (JSON.parse(readNoFollow(process.argv[2])) as SupervisorSpec), handover);
}

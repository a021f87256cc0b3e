/** Opens the cockpit screen on a terminal and runs the session under it. */
import type { Sharing } from '../share/share-session.js';
import type { TeamLease } from '../core/events.js';
import { render, type Instance } from 'ink';
import type { Runbook } from '../runbook/types.js';
import type { FailurePolicy } from '../session/controller.js';
import type { Session } from '../session/session.js';
import { EXIT_CODES, type LeaveBy, type Outcome } from '../core/events.js';
import { handOver } from '../session/hand-over.js';
import { screenSignals } from './screen-signals.js';
import { openSession } from '../session/open.js';
import type { SessionInfo } from '../session/follow.js';
import { followSession, type Follower } from '../session/follower.js';
import { App } from './App.js';
import { OutputStore } from './output-store.js';
import { summaryLines } from './summary.js';
import type { Prepared, RunPlan } from './plan/prepare.js';
import type { Theme } from './theme.js';
import { ThemeContext } from './theme-context.js';
import { sanitizeOutput } from '../core/terminal-text.js';
import { errorMessage } from '../core/error-message.js';

// A write past the file size limit (ulimit -f) raises SIGXFSZ. Node ignores it (the write fails
// with EFBIG: the journal keeps its events in memory, the release goes on); Ink's signal-exit
// would re-raise it and kill the cockpit mid-release, unless someone else listens too.
process.on('SIGXFSZ', () => {});

export type TuiOptions = {
  readonly theme: Theme;
  readonly onFailure: FailurePolicy;
  readonly confirm?: readonly string[];
  readonly yes?: boolean;
  readonly fromStage?: string;
  readonly story?: string;
  /** The operator's own learning, added to the end-of-release review. */
  readonly learning?: string;
  /** What the plan needs before the session (choices, inputs, a Markdown runbook's review): plan/prepare.tsx. */
  readonly plan?: RunPlan;
  /** Why no background guard can take this session over (the demo: its service lives in this process). */
  readonly noHandOver?: string;
  /** The team's lease taken before the session (cli/team.ts), for session.started. */
  readonly teamLease?: TeamLease;
  readonly onLeaseLost?: (tell: (why: string) => void) => void;
  /** --share: the session served to followers elsewhere (share/share-session.ts), its URL on the notice line. */
  readonly share?: Sharing;
};

const ALT_ON = '\x1b[?1049h';
const ALT_OFF = '\x1b[?1049l';

/** Whether anything must be asked or reviewed before the session: only then is plan/prepare.tsx evaluated. */
function planNeeded(rb: Runbook, plan: RunPlan | undefined): boolean {
  return plan !== undefined && (plan.review !== undefined || rb.choices.length > 0 || rb.inputs.length > 0);
}

export async function runTui(rb0: Runbook, o: TuiOptions, err: (line: string) => void): Promise<number> {
  let rb = rb0;
  let plan: Prepared['event'];
  if (planNeeded(rb0, o.plan)) {
    const { preparePlan } = await import('./plan/prepare.js');
    const prepared = await preparePlan(rb0, o.plan!, o.theme);
    if (!prepared) {
      err('cockpit: left before the run: nothing ran');
      return 0;
    }
    ({ runbook: rb, event: plan } = prepared);
  }
  const opened = openSession(rb, { mode: 'tui', onFailure: o.onFailure, confirm: o.confirm, yes: o.yes, fromStage: o.fromStage, resume: true, learning: o.learning, ...(plan ? { plan } : {}), ...(o.teamLease ? { teamLease: o.teamLease } : {}), ...(o.onLeaseLost ? { onLeaseLost: o.onLeaseLost } : {}) });
  if (typeof opened === 'string') {
    err(`cockpit: ${opened}`);
    return 1;
  }
  const { controller } = opened;
  o.share?.attach({ session: controller, sessionId: opened.sessionId, journalPath: opened.journalPath, runbook: rb });
  const store = new OutputStore(controller);
  let handed: { pid: number; log: string } | undefined;
  const handOverTo =
    o.noHandOver === undefined
      ? (watching: string, by: LeaveBy = 'operator') => {
          const r = handOver(opened, { by, watching });
          if (typeof r === 'string') return r;
          handed = r;
          return undefined;
        }
      : undefined;
  let offSignals = () => {};
  let hungUp = false;
  const hangUp = () => {
    hungUp = true;
    opened.releaseLock();
    // writes to the closed terminal fail (EIO): the session's records are still written
    for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
  };
  const story = o.share ? `⇄ shared read-only: ${o.share.url} (cockpit watch URL)${o.story ? ` · ${o.story}` : ''}` : o.story;
  await onScreen(controller, store, o.theme, { story, handOver: handOverTo, noHandOver: o.noHandOver }, (ink) => {
    offSignals = screenSignals(controller, { handOver: handOverTo, leave: () => ink.unmount(), say: err, hungUp: hangUp }, o.noHandOver);
    // the first frame goes out before the pre-flight checks start their processes
    setTimeout(() => {
      void controller.start().catch((e: unknown) => {
        ink.unmount();
        err(`cockpit: ${errorMessage(e)}`);
      });
    }, 0);
  });
  if (handed) {
    offSignals();
    // the session is the background guard's now: this cockpit's followers of its steps end with it
    process.stdout.write(`cockpit: guarded in the background by cockpit pid ${handed.pid}: it keeps sampling and rolls back on its own; cockpit watch follows it; its output: ${handed.log}\n`);
    // followers of the shared session get everything up to the hand-over before the stream ends
    await o.share?.close();
    process.exit(0);
  }
  await controller.idle();
  await opened.drain();
  const s = controller.state;
  // the terminal is gone (SIGHUP): nobody reads a summary
  if (!hungUp) for (const line of summaryLines(s, opened.journalPath)) process.stdout.write(`${sanitizeOutput(line)}\n`);
  opened.close();
  // the policy's handlers stay on until here: a closed terminal ends the screen (its input ends)
  // and its SIGHUP comes a moment later, while the records are written; with no handler of ours
  // signal-exit (Ink's) re-raised it and the process died holding the lock
  offSignals();
  if (hungUp) endHungUp();
  if (process.env.COCKPIT_DEBUG) lingering();
  return EXIT_CODES[s.outcome ?? 'aborted'];
}

/**
 * The terminal is gone and the session is closed: the process ends as a hung-up process does, by
 * SIGHUP. Left to exit normally, node restores the terminal's settings on the dead tty, which
 * fails (EIO) and aborts the process (an assertion in node::ResetStdio: a native stack trace and,
 * where core dumps are on, a core file in the repository).
 */
function endHungUp(): void {
  process.removeAllListeners('SIGHUP');
  process.kill(process.pid, 'SIGHUP');
}

/** COCKPIT_DEBUG: what still holds the process half a second after its session closed (it should be gone by then). */
function lingering(): void {
  setTimeout(() => process.stderr.write(`cockpit: still running 500 ms after the session closed, held by: ${process.getActiveResourcesInfo().join(', ')}\n`), 500).unref();
}

/**
 * `cockpit watch`: the same screen, read-only, following another cockpit's session (its journal
 * and its steps' logs). Nothing runs; R says how to roll back; q leaves (the release goes on).
 */
export async function runWatch(rb: Runbook, info: SessionInfo, theme: Theme): Promise<number> {
  return watchOnScreen(followSession(rb, info), theme, `session ${info.id}`, `journal: ${info.journalPath}`);
}

/** A follower (of a local journal, or of a shared session's stream) on the screen until q; then where it was left. */
export async function watchOnScreen(follower: Follower, theme: Theme, what: string, where: string): Promise<number> {
  const { session } = follower;
  const store = new OutputStore(session);
  follower.start();
  try {
    await onScreen(session, store, theme);
  } finally {
    follower.stop();
  }
  process.stdout.write(`${watchLeftLine(session.state.outcome, what, where)}\n`);
  return 0;
}

/** What `cockpit watch` prints when q leaves its screen: what it followed, whether that ended, and where it was. */
export function watchLeftLine(outcome: Outcome | undefined, what: string, where: string): string {
  return sanitizeOutput(`cockpit watch: left ${what} (${outcome ? `it ended: ${outcome}` : 'it goes on'}); ${where}`);
}

/** The screen on the alternate buffer until it exits (q): the terminal is given back whatever happens. */
async function onScreen(controller: Session, store: OutputStore, theme: Theme, o: { story?: string; handOver?: (watching: string) => string | undefined; noHandOver?: string } = {}, started?: (ink: Instance) => void): Promise<void> {
  const out = process.stdout;
  out.write(ALT_ON);
  const restore = () => out.write(ALT_OFF);
  process.once('exit', restore);
  const ink = render(
    <ThemeContext.Provider value={theme}>
      <App controller={controller} store={store} story={o.story} handOver={o.handOver} noHandOver={o.noHandOver} />
    </ThemeContext.Provider>,
    { exitOnCtrlC: false, patchConsole: false, maxFps: 20 },
  );
  started?.(ink);
  try {
    await ink.waitUntilExit();
  } finally {
    ink.cleanup();
    restore();
    process.off('exit', restore);
    store.close();
  }
}

/**
 * `cockpit rollback` while another cockpit drives the session here: it asks that cockpit to roll
 * back (its control socket, session/control.ts) instead of failing or becoming a second driver,
 * then follows the rollback from the journal as `cockpit watch` would, printing it as headless
 * does, and exits with its outcome. Undefined when no driver answers (the caller goes on as before).
 */
import { EXIT_CODES, type Outcome } from '../core/events.js';
import { attachJson, attachPlain } from '../headless/plain.js';
import type { Runbook } from '../runbook/types.js';
import { askDriver } from '../session/control.js';
import { liveSession } from '../session/follow.js';
import { followSession } from '../session/follower.js';
import { stateDir } from '../session/state-dir.js';
import type { OutputListener } from '../session/session.js';
import type { Io } from './io.js';

export async function askDriverToRollBack(rb: Runbook, reason: string, json: boolean | undefined, io: Io): Promise<number | undefined> {
  const root = stateDir(rb);
  const info = liveSession(root);
  if (!info?.driverPid || info.started?.file !== rb.file) return undefined;
  // followed from before the request (what it does next is printed), the journal so far folded, not printed
  const follower = followSession(rb, info);
  follower.start();
  const session = follower.session;
  const s = session.state;
  const stages = [...[s.preflight, ...s.stages].map((st) => ({ id: st.id, steps: st.steps })), { id: 'rollback', steps: s.rollback.steps }];
  const ran = new Set(stages.flatMap((st) => st.steps.filter((x) => x.status !== 'pending').map((x) => `${st.id}.${x.id}`)));
  const shown = {
    runbook: rb,
    subscribe: session.subscribe.bind(session),
    // the output of steps that ran before the request is the driver's past, not this command's
    onOutput: (fn: OutputListener) => session.onOutput((stage, step, lines) => (ran.has(`${stage}.${step}`) ? undefined : fn(stage, step, lines))),
  };
  const reply = await askDriver(root, { op: 'rollback', reason, from: `cockpit rollback (pid ${process.pid})` });
  if (!reply?.ok) {
    follower.stop();
    if (reply) io.err(`cockpit: the cockpit driving this release (pid ${info.driverPid}) did not roll back: ${reply.reason}`);
    return reply ? 1 : undefined;
  }
  const detach = json ? attachJson(shown, io.out) : attachPlain(shown, io.out);
  io.err(`cockpit: asked the cockpit driving this release (pid ${info.driverPid}) to roll back; it does, and this follows it (so does cockpit watch)`);
  let off = (): void => {};
  const outcome = await new Promise<Outcome>((resolve) => {
    void follower.session.settled.then(resolve);
    // a screen whose rollback failed keeps its session open for the operator: the failure is the answer
    off = follower.session.subscribe((_s, e) => {
      if (e.type === 'rollback.finished' && !e.ok) resolve('rollback-failed');
    });
  });
  off();
  detach();
  follower.stop();
  return outcome === 'rolled-back' ? 0 : EXIT_CODES[outcome];
}

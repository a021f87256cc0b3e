/**
 * `cockpit watch URL`: a ReadOnlySession fed by a shared session's stream (share/stream.ts)
 * instead of a local journal: the runbook comes in the stream's hello, then every journal event is
 * folded by the same reducer and every batch of output relayed, so the screen is the one a local
 * follower shows. A cut stream is said while it reconnects; a driver found gone (nothing listens
 * at the URL any more) is said with what to do, as a local follower says it.
 */
import { timeOfDay } from '../exec/log-format.js';
import { ReadOnlySession } from '../session/read-only-session.js';
import { noDriverText, type Follower } from '../session/follower.js';
import { sanitizeLine } from '../core/terminal-text.js';
import type { ShareHello, ShareMessage, ShareUrl } from './protocol.js';
import { LeaseWatch } from './lease-watch.js';
import { connectStream, type LinkState, type ShareStream } from './stream.js';

export type RemoteFollower = Follower & { readonly hello: ShareHello; readonly url: ShareUrl; readonly stream: Pick<ShareStream, 'last' | 'counts'> };

/** The driving cockpit in one line: "alice@laptop, pid 4242" (its words were written on another machine). */
export function driverName(h: ShareHello): string {
  return sanitizeLine(`${h.driver.user}@${h.driver.host}, pid ${h.driver.pid}`);
}

/** What R says on a remote follower: where to roll back. */
export function remoteRollbackHow(h: ShareHello): string {
  // what to do first: a narrow terminal cuts the end of the line
  return `read-only: roll back where it runs: R there, or cockpit rollback (${driverName(h)})`;
}

/** What a remote follower says once nothing listens at the URL and the session has not ended. */
export function remoteDriverGoneAdvice(h: ShareHello, s: ReadOnlySession, why: string): string {
  const left = s.state.left;
  if (left?.how === 'background')
    // what to do before the why: at 100 columns the old wording's end, the command, was cut
    return `handed over to a background guard (pid ${left.pid ?? '?'} on ${sanitizeLine(h.driver.host)}): cockpit watch there follows it; it does not share (${why})`;
  return remoteNoDriver(h, why);
}

/**
 * "no driver" (session/follower.ts noDriverText) on a remote follower: on the driver's machine,
 * whose cockpit and why (nothing listens at the URL, or its lease shows nobody drives).
 */
export function remoteNoDriver(h: ShareHello, why: string): string {
  return noDriverText({ where: 'on its machine' }, `${driverName(h)}: ${sanitizeLine(why)}`);
}

/** What a cut stream says while it reconnects. */
export function linkText(l: Extract<LinkState, { state: 'cut' }>): string {
  return `⚠ stream cut since ${timeOfDay(l.since)} (${sanitizeLine(l.why)}): reconnecting; this screen may be behind the release`;
}

/** Connects to a shared session: the follower once its hello came, or why it could not. */
export function connectFollower(url: ShareUrl): Promise<RemoteFollower | string> {
  return connectStream(url, (h, stream) => {
    const session = new ReadOnlySession({ runbook: h.runbook, sessionDir: '', how: remoteRollbackHow(h) });
    let started = false;
    const queued: ShareMessage[] = [];
    const apply = (m: ShareMessage) => {
      if (m.kind === 'journal') {
        session.applyExternal([m.event]);
        if (m.event.type === 'session.ended') stream.endedHere();
      } else if (m.kind === 'output') session.relayOutput(m.output.stage, m.output.step, m.output.lines);
    };
    let cut = '';
    // while the stream is cut, the lease tells whether the driver lives (a team's session)
    const lease = h.lease
      ? new LeaseWatch(h.lease, (v) => {
          if ('held' in v) session.markLink(`${cut} · its lease was renewed until ${timeOfDay(v.held)}: its cockpit lives`);
          else if ('gone' in v) session.markDriverGone(remoteNoDriver(h, v.gone));
        })
      : undefined;
    const follower: RemoteFollower = {
      session,
      hello: h,
      url,
      stream,
      start() {
        started = true;
        for (const m of queued.splice(0)) apply(m);
      },
      stop: () => {
        stream.stop();
        lease?.close();
      },
    };
    return {
      value: follower,
      onMessage: (m) => (started ? apply(m) : queued.push(m)),
      onLink(l) {
        lease?.follow(l);
        if (l.state === 'up') {
          session.markDriverBack();
          return session.markLink(undefined);
        }
        if (l.state === 'refused') return session.markDriverGone(remoteDriverGoneAdvice(h, session, l.why));
        session.markLink((cut = linkText(l)));
      },
    };
  });
}

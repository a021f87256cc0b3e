/**
 * `cockpit run --share [host:port]`: the driving cockpit serves its session to followers on other
 * machines (share/server.ts). The server listens before the session opens (an address in use
 * refuses the run before anything starts); once the session is open, its journal so far (a resumed
 * session's) and then every event and every batch of output it journals or shows go to the stream,
 * in order. Followers that connect before that wait for the session (503). The token is never
 * journalled: the journal is shared with the team's history; the URL is said where it runs.
 */
import { holderHere } from '../team/holder.js';
import { readJournal } from '../session/journal.js';
import type { Session } from '../session/session.js';
import type { Runbook } from '../runbook/types.js';
import { PROTOCOL_VERSION, parseShareAddress, type ShareHello } from './protocol.js';
import { startShareServer } from './server.js';
import { ShareLog } from './share-log.js';

export type Sharing = {
  readonly url: string;
  /** Starts serving the session just opened: its journal so far, then everything as it comes. */
  attach(s: { readonly session: Session; readonly sessionId: string; readonly journalPath: string; readonly runbook: Runbook }): void;
  /** Ends every follower's stream (after the session's last record) and stops listening. */
  close(): Promise<void>;
};

/** This cockpit as the hello names it (the lease's holder, without its CI URL). */
function driverHere(): ShareHello['driver'] {
  const { user, host, pid } = holderHere();
  return { user, host, pid };
}

/** The lease a team's session holds, as its session.started journalled it, with the remote's URL. */
function leaseOf(log: ShareLog, remoteUrl: string | undefined): ShareHello['lease'] {
  const first = log.since(0)[0];
  const lease = first?.kind === 'journal' && first.event.type === 'session.started' ? first.event.teamLease : undefined;
  return remoteUrl && lease && 'token' in lease ? { url: remoteUrl, ref: lease.ref, token: lease.token } : undefined;
}

/**
 * Listens at `address` (`--share`'s value; "" for 127.0.0.1 and a free port), or says why not.
 * `remoteUrl`: a team runbook's git remote, named in the hello with the session's lease.
 */
export async function startSharing(address: string, o: { token?: string; remoteUrl?: string } = {}): Promise<Sharing | string> {
  const at = parseShareAddress(address);
  if (typeof at === 'string') return at;
  const log = new ShareLog();
  let hello: Omit<ShareHello, 'last'> | undefined;
  const offs: (() => void)[] = [];
  const helloNow = () => {
    const lease = hello && leaseOf(log, o.remoteUrl);
    return hello && { ...hello, ...(lease ? { lease } : {}) };
  };
  const server = await startShareServer({ ...at, log, hello: helloNow, ...(o.token ? { token: o.token } : {}) });
  if (typeof server === 'string') return server;
  return {
    url: server.url,
    attach(s) {
      // the journal so far and the subscription in one turn: no event between them is missed or doubled
      for (const e of readJournal(s.journalPath)) log.journal(e);
      offs.push(s.session.subscribe((_state, e) => log.journal(e)));
      offs.push(s.session.onOutput((stage, step, lines) => log.output({ stage, step, lines: [...lines] })));
      hello = { v: PROTOCOL_VERSION, sessionId: s.sessionId, runbook: s.runbook, driver: driverHere() };
    },
    async close() {
      for (const off of offs.splice(0)) off();
      await server.close();
    },
  };
}

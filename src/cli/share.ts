/** `--share` on `cockpit run` and `cockpit demo`: the session's share server (share/share-session.ts), its URL said. */
import type { Sharing } from '../share/share-session.js';
import type { Io } from './io.js';
import { UsageError } from './args.js';
import { sanitizeLine } from '../core/terminal-text.js';
import type { Runbook } from '../runbook/types.js';
import { parseShareUrl, type ShareUrl } from '../share/protocol.js';

/** A shared session's URL as `cockpit watch`, `wallboard` and `rollback` take it; a usage error (exit 2) says why not. */
export function shareUrlArg(text: string): ShareUrl {
  const url = parseShareUrl(text);
  if (typeof url === 'string') throw new UsageError(url);
  return url;
}

/** `--share`: the session's share server listening, its URL said; exit 2 after saying why not. */
export async function startShare(address: string, io: Io, rb?: Runbook): Promise<Sharing | number> {
  // a team's session names its lease to followers: the remote's URL as this clone knows it
  const url = rb?.team ? await (await import('../team/git.js')).git({ cwd: process.cwd(), remote: rb.team.remote }, ['remote', 'get-url', rb.team.remote]) : undefined;
  const s = await (await import('../share/share-session.js')).startSharing(address, url?.ok ? { remoteUrl: url.out.trim() } : {});
  if (typeof s === 'string') {
    io.err(`cockpit: ${s}`);
    io.err('cockpit: nothing ran');
    return 2;
  }
  io.err(`cockpit: sharing this session read-only at ${s.url}`);
  io.err(`cockpit: follow it with: cockpit watch ${s.url} (or cockpit wallboard ${s.url}); anyone who has the URL can follow`);
  return s;
}

/**
 * `cockpit rollback URL`: a shared session is read-only from here (no command reaches its driver
 * over the stream): refused, exit 1, naming where to roll back; the driver is asked for its name.
 */
export async function refuseRemoteRollback(text: string, io: Io): Promise<number> {
  const url = shareUrlArg(text);
  const { connectStream } = await import('../share/stream.js');
  const { remoteRollbackHow } = await import('../share/remote-follower.js');
  const hello = await connectStream(url, (h, stream) => {
    stream.stop();
    return { value: h, onMessage: () => {}, onLink: () => {} };
  });
  if (typeof hello === 'string') {
    io.err(`cockpit: ${hello}`);
  } else {
    io.err(`cockpit: ${url.href} is a shared session of ${sanitizeLine(hello.runbook.name)}: read-only, nothing reaches its driver from here`);
    io.err(`cockpit: ${remoteRollbackHow(hello)}`);
  }
  io.err('cockpit: nothing rolled back');
  return 1;
}

/**
 * A remote follower whose stream is cut cannot tell a network cut from a dead driver; the team's
 * lease can (`team:` runbooks). The driver's hello names its lease (the remote's URL, the ref, its
 * generation); while the stream is cut the follower reads that ref every LEASE_CHECK_MS through a
 * scratch bare repository of its own: still held by that generation and renewed → the driver lives
 * (the cut is the network's); given up, taken over or expired without renewal → no driver.
 *
 * The URL and ref come from the network: only plain forms are taken (git://, ssh://, http(s)://,
 * user@host:path; a ref under refs/cockpit/locks/), so that nothing the driver says can become a
 * git option or a command-running transport.
 */
import { timeOfDay } from '../exec/log-format.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { git, readRemoteRef, type RemoteRef } from '../team/git.js';
import { CLOCK_SKEW_MS, decodeLease, describeHolder } from '../team/lease-record.js';

/** How often a cut follower reads the lease. */
export const LEASE_CHECK_MS = 2000;

export type LeaseInfo = { readonly url: string; readonly ref: string; readonly token: number };

/** held: the driver renewed it (until when); gone: why nobody drives any more; unknown: the remote could not say. */
export type LeaseVerdict = { readonly held: number } | { readonly gone: string } | { readonly unknown: string };

const URL_FORMS = [/^(?:git|ssh|https?):\/\/[A-Za-z0-9._~%@[\]:-]+(?::\d+)?\/[A-Za-z0-9._~%/+-]*$/, /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[A-Za-z0-9._~/+-]+$/];

/** A lease as a hello may name it: plain forms only (see above), else undefined. */
export function leaseInfoOf(x: unknown): LeaseInfo | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  const { url, ref, token } = x as Record<string, unknown>;
  if (typeof url !== 'string' || typeof ref !== 'string' || typeof token !== 'number' || !Number.isSafeInteger(token)) return undefined;
  if (!URL_FORMS.some((re) => re.test(url)) || /^-|\/\/-/.test(url)) return undefined;
  if (!/^refs\/cockpit\/locks\/[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+$/.test(ref) || ref.includes('..')) return undefined;
  return { url, ref, token };
}

/** What the lease ref says about the driver of generation `token` at `now`. Pure. */
export function leaseVerdict(seen: RemoteRef, token: number, now: number): LeaseVerdict {
  if ('unreachable' in seen) return { unknown: seen.unreachable };
  if ('absent' in seen) return { gone: 'its lease is gone from the remote' };
  const r = decodeLease(seen.message);
  if (typeof r === 'string') return { unknown: r };
  if (r.generation !== token)
    return { gone: r.kind === 'lease' ? `its lease was taken over by ${describeHolder(r.holder)} (generation ${r.generation})` : `its lease was given up (generation ${r.generation})` };
  if (r.kind === 'released') return { gone: 'its lease was given up: its session ended there' };
  if (now > r.expires + CLOCK_SKEW_MS) return { gone: `its lease expired at ${timeOfDay(r.expires)} without renewal` };
  return { held: r.expires };
}

/** Reads the lease every LEASE_CHECK_MS while started; tells `onVerdict` each time. */
export class LeaseWatch {
  private timer: NodeJS.Timeout | undefined;
  private scratch: string | undefined;
  private busy = false;

  constructor(
    private readonly info: LeaseInfo,
    private readonly onVerdict: (v: LeaseVerdict) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The one rule both remote followers (screen and wallboard) read the lease by: while their
   * stream is cut, and not once it is up again or refused (nothing listens: the driver is gone).
   */
  follow(link: { readonly state: 'up' | 'cut' | 'refused' }): void {
    if (link.state === 'cut') this.start();
    else this.stop();
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.check(), LEASE_CHECK_MS);
    this.timer.unref();
    void this.check();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Ends the watch and removes its scratch repository. */
  close(): void {
    this.stop();
    if (this.scratch) rmSync(this.scratch, { recursive: true, force: true });
    this.scratch = undefined;
  }

  private async check(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      if (!this.scratch) {
        const dir = mkdtempSync(join(tmpdir(), 'cockpit-lease-'));
        const made = await git({ cwd: dir, remote: '' }, ['init', '--bare', '-q']);
        if (!made.ok) return this.onVerdict({ unknown: made.error });
        this.scratch = dir;
      }
      const seen = await readRemoteRef({ cwd: this.scratch, remote: this.info.url, timeoutMs: LEASE_CHECK_MS * 2 }, this.info.ref);
      if (this.timer) this.onVerdict(leaseVerdict(seen, this.info.token, this.now()));
    } finally {
      this.busy = false;
    }
  }
}

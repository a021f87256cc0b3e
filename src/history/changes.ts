/**
 * Each release's changes, from git: the commits between the commit of the deployment before it
 * and its own (`prev..this`), as Four Keys counts a deployment's changes. Without a commit, an
 * earlier deployment or git itself, the reason instead.
 */
import { commitsBetween, resolveCommit } from './git.js';
import { previousDeployment, type Release } from './log.js';
import type { Changes } from './report.js';

/** A release's commit: the one journalled when it started deploying, else its version when that names one (a tag). */
export function withCommits(releases: readonly Release[], dir: string): Release[] {
  const byVersion = new Map<string, string | undefined>();
  return releases.map((r) => {
    if (r.sha) return r;
    if (!byVersion.has(r.version)) byVersion.set(r.version, resolveCommit(dir, r.version));
    const sha = byVersion.get(r.version);
    return sha ? { ...r, sha } : r;
  });
}

/** `releases` with their commits (withCommits). */
export function changesFor(releases: readonly Release[], since: number, dir: string): Map<string, Changes> {
  const out = new Map<string, Changes>();
  for (const r of releases) {
    if (r.startedAt < since) continue;
    if (r.kind === 'rollback') {
      out.set(r.session, { why: 'a rollback only' });
      continue;
    }
    if (!r.sha) {
      out.set(r.session, { why: 'no commit recorded' });
      continue;
    }
    const prev = previousDeployment(releases, r);
    if (!prev) {
      out.set(r.session, { why: 'first deployment in the log' });
      continue;
    }
    const commits = commitsBetween(dir, prev.sha!, r.sha);
    out.set(r.session, commits ? { commits } : { why: 'git unavailable' });
  }
  return out;
}

/**
 * What git says about a release: the commit it deploys and the commits since the one before.
 * Outside a repository, or without git, every answer is undefined (history then says "—").
 */
import { execFile, execFileSync } from 'node:child_process';

export type Commit = { readonly sha: string; readonly at: number; readonly subject: string };

function git(args: string[], cwd: string): string | undefined {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000, maxBuffer: 64 * 1024 * 1024 });
  } catch {
    return undefined;
  }
}

/** HEAD of the repository `dir` is in (asynchronously: a release does not wait for it). */
export function headSha(dir: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', ['rev-parse', '--verify', '-q', 'HEAD'], { cwd: dir, timeout: 5000 }, (err, stdout) => resolve(err ? undefined : stdout.trim() || undefined));
  });
}

/** A version that names a commit (a tag, `git describe` output, a sha) → its full sha. */
export function resolveCommit(dir: string, ref: string): string | undefined {
  if (!ref || ref.startsWith('-') || ref.includes('{')) return undefined;
  return git(['rev-parse', '--verify', '-q', '--end-of-options', `${ref.replace(/-dirty$/, '')}^{commit}`], dir)?.trim() || undefined;
}

/** The commits reachable from `to` but not from `from` (`from..to`), newest first, with committer times. */
export function commitsBetween(dir: string, from: string, to: string): Commit[] | undefined {
  const out = git(['log', '--format=%H%x1f%ct%x1f%s', `${from}..${to}`, '--'], dir);
  if (out === undefined) return undefined;
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      // a subject may hold a \x1f of its own: it is the rest of the line
      const [sha, ct, ...subject] = line.split('\x1f');
      return { sha, at: Number(ct) * 1000, subject: subject.join('\x1f') };
    });
}

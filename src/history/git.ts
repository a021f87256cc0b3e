/**
 * What git says about a release: the commit it deploys and the commits since the one before.
 * Outside a repository, or without git, every answer is undefined (history then says "—").
 */
import { execFile, execFileSync } from 'node:child_process';

export type Commit = { readonly sha: string; readonly at: number; readonly subject: string };

function git(args: string[], cwd: string, input?: string): string | undefined {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', ...(input !== undefined ? { input } : {}), stdio: [input !== undefined ? 'pipe' : 'ignore', 'pipe', 'ignore'], timeout: 30_000, maxBuffer: 512 * 1024 * 1024 });
  } catch {
    return undefined;
  }
}

/** Whether `ref` may be handed to git as a revision (never an option, never a reflog or range expression). */
const revisionOk = (ref: string) => ref !== '' && !ref.startsWith('-') && !/[{\s\0]/.test(ref);

/** HEAD of the repository `dir` is in (asynchronously: a release does not wait for it). */
export function headSha(dir: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', ['rev-parse', '--verify', '-q', 'HEAD'], { cwd: dir, timeout: 5000 }, (err, stdout) => resolve(err ? undefined : stdout.trim() || undefined));
  });
}

/** A version that names a commit (a tag, `git describe` output, a sha) → its full sha. */
export function resolveCommit(dir: string, ref: string): string | undefined {
  if (!revisionOk(ref)) return undefined;
  return git(['rev-parse', '--verify', '-q', '--end-of-options', `${ref.replace(/-dirty$/, '')}^{commit}`], dir)?.trim() || undefined;
}

/**
 * resolveCommit for many versions in one git call (`cat-file --batch-check`, one line each):
 * version → sha, absent when it names no commit. Undefined without git or a repository.
 */
export function resolveCommits(dir: string, refs: readonly string[]): Map<string, string> | undefined {
  const asked = [...new Set(refs)].filter(revisionOk);
  const out = new Map<string, string>();
  if (asked.length === 0) return out;
  const answer = git(['cat-file', '--batch-check=%(objectname) %(objecttype)'], dir, asked.map((r) => `${r.replace(/-dirty$/, '')}^{commit}\n`).join(''));
  if (answer === undefined) return undefined;
  const lines = answer.split('\n');
  asked.forEach((ref, i) => {
    const m = /^([0-9a-f]{40,64}) commit$/.exec(lines[i] ?? '');
    if (m) out.set(ref, m[1]);
  });
  return out;
}

/** A commit with its parents, as one walk of the history lists it (order: git log's). */
export type GraphCommit = Commit & { readonly parents: readonly string[]; readonly order: number };

/**
 * Every commit reachable from `tips` and from none of `boundary` (one `git log`): the commits of a
 * window of deployments, from which each deployment's own (prev..this) is taken (changes.ts).
 */
export function commitGraph(dir: string, tips: readonly string[], boundary: readonly string[]): Map<string, GraphCommit> | undefined {
  const good = (l: readonly string[]) => [...new Set(l)].filter(revisionOk);
  if (good(tips).length === 0) return new Map();
  // the revisions on stdin: thousands of them do not fit a command line
  const revs = [...good(tips), '--not', ...good(boundary)].map((r) => `${r}\n`).join('');
  // --date-order: no parent before all its children (changes.ts walks the graph in this order)
  const out = git(['log', '--date-order', '--format=%H%x1f%ct%x1f%P%x1f%s', '--stdin', '--'], dir, revs);
  if (out === undefined) return undefined;
  const graph = new Map<string, GraphCommit>();
  let order = 0;
  for (const line of out.split('\n')) {
    if (!line) continue;
    const [sha, ct, parents, ...subject] = line.split('\x1f');
    graph.set(sha, { sha, at: Number(ct) * 1000, subject: subject.join('\x1f'), parents: parents ? parents.split(' ') : [], order: order++ });
  }
  return graph;
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

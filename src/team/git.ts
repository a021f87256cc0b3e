/**
 * The few git plumbing calls the team features need, against a clone's remote: read one remote ref
 * (its commit's id and message), write a commit of the empty tree, and push it with a
 * compare-and-swap (`--force-with-lease=<ref>:<expected>`: the server's receive-pack updates the
 * ref only if it still has the expected value, or is absent for ""). argv only, never a shell;
 * no prompt ever waits for a password (GIT_TERMINAL_PROMPT=0, ssh BatchMode, stdin closed); every
 * call has a deadline.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sweepDir } from '../core/sweep-dir.js';
import { processAlive } from '../exec/proc.js';
import { objectDir, readLooseCommit, readLooseRef, SHA1, writeLooseCommit } from './git-objects.js';

export type GitOptions = { readonly cwd: string; readonly remote: string; readonly timeoutMs?: number };
/** One call's extras: what its stdin reads, and how much output it may give (4 MB unless said). */
export type CallOptions = { readonly input?: string | Buffer; readonly maxBuffer?: number };
export type GitResult = { readonly ok: true; readonly out: string } | { readonly ok: false; readonly error: string; readonly output: string };

const ENV: Record<string, string> = {
  GIT_TERMINAL_PROMPT: '0',
  GIT_SSH_COMMAND: 'ssh -o BatchMode=yes -o ConnectTimeout=5',
  GIT_AUTHOR_NAME: 'cockpit',
  GIT_AUTHOR_EMAIL: 'cockpit@localhost',
  GIT_COMMITTER_NAME: 'cockpit',
  GIT_COMMITTER_EMAIL: 'cockpit@localhost',
  LC_ALL: 'C',
};

/** The last non-empty line of git's output: its reason. */
const lastLine = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean).at(-1) ?? '';

/** Runs git with `args` under `o`; its stdout as text, or as bytes (`cat-file --batch`: its sizes are bytes). */
function run<E extends 'utf8' | 'buffer'>(o: GitOptions, args: readonly string[], call: CallOptions, encoding: E): Promise<{ ok: true; out: E extends 'utf8' ? string : Buffer } | { ok: false; error: string; output: string }> {
  const timeout = o.timeoutMs ?? 10_000;
  return new Promise((resolve) => {
    const child = execFile('git', [...args], { cwd: o.cwd, env: { ...process.env, ...ENV }, timeout, killSignal: 'SIGKILL', maxBuffer: call.maxBuffer ?? 4 * 1024 * 1024, encoding: encoding as BufferEncoding }, (e, stdout: string | Buffer, stderr: string | Buffer) => {
      if (!e) return resolve({ ok: true, out: stdout as E extends 'utf8' ? string : Buffer });
      const [out, errText] = [String(stdout), String(stderr)];
      const err = e as NodeJS.ErrnoException & { killed?: boolean; code?: unknown };
      const why = err.code === 'ENOENT' ? 'git is not installed (not on PATH)' : err.killed ? `git ${args[0]} timed out after ${timeout} ms` : lastLine(errText) || lastLine(out) || `git ${args[0]} failed`;
      resolve({ ok: false, error: why, output: `${out}\n${errText}` });
    });
    child.stdin?.on('error', () => undefined); // git may exit before it reads it all: its exit says why
    child.stdin?.end(call.input);
  });
}

export const git = (o: GitOptions, args: readonly string[], call: CallOptions = {}): Promise<GitResult> => run(o, args, call, 'utf8');

/** Like git() with stdout as bytes. */
export const gitBytes = (o: GitOptions, args: readonly string[], call: CallOptions = {}) => run(o, args, call, 'buffer');

/** The ids of those of `refs` the remote has (one ls-remote), or why it could not be read. */
export async function lsRemote(o: GitOptions, refs: readonly string[]): Promise<Map<string, string> | { unreachable: string }> {
  const listed = await git(o, ['ls-remote', '--refs', o.remote, ...refs]);
  if (!listed.ok) return { unreachable: `${o.remote}: ${listed.error}` };
  const ids = new Map<string, string>();
  for (const line of listed.out.split('\n')) {
    const [sha, name] = line.split('\t');
    if (sha && name && refs.includes(name)) ids.set(name, sha);
  }
  return ids;
}

/** A remote ref's commit, absent, or the remote could not be read (unreachable, no such remote, refused). */
export type RemoteRef = { readonly sha: string; readonly message: string } | { readonly absent: true } | { readonly unreachable: string };

/**
 * Reads `refs` on the remote, whatever their number: in a plain clone one fetch (fetchRemoteRefs)
 * and the messages read from the object store; otherwise ls-remote, a fetch by id and git log.
 */
export async function readRemoteRefs(o: GitOptions, refs: readonly string[]): Promise<Map<string, RemoteRef> | { unreachable: string }> {
  const objects = objectDir(o.cwd);
  const ids = objects ? await fetchRemoteRefs(o, dirname(objects), refs) : await lsRemote(o, refs);
  if (!(ids instanceof Map)) return ids;
  const out = new Map<string, RemoteRef>(refs.map((r) => [r, { absent: true }]));
  if (ids.size === 0) return out;
  const shas = [...new Set(ids.values())];
  // commits in the clone's store are read in place (git-objects.ts): no process
  const messages = new Map<string, string>();
  for (const sha of objects ? shas : []) {
    const m = readLooseCommit(objects!, sha);
    if (m !== undefined) messages.set(sha, m);
  }
  if (!objects) {
    const fetched = await git(o, ['fetch', '--no-tags', '--no-write-fetch-head', '--no-auto-maintenance', '--quiet', o.remote, ...shas]);
    // the ref moved between the two calls (its old commit is no longer advertised): read again
    if (!fetched.ok) return /not our ref|no such remote ref|couldn't find remote ref/i.test(fetched.output) ? readRemoteRefs(o, refs) : { unreachable: `${o.remote}: ${fetched.error}` };
  }
  const rest = shas.filter((sha) => !messages.has(sha));
  if (rest.length > 0) {
    // packed, or not the plain case: git reads them
    const shown = await git(o, ['log', '--no-walk=unsorted', '--format=%H%x00%B%x01', ...rest]);
    if (!shown.ok) return { unreachable: `${o.remote}: ${shown.error}` };
    for (const entry of shown.out.split('\x01')) {
      const at = entry.indexOf('\0');
      if (at > 0) messages.set(entry.slice(0, at).trim(), entry.slice(at + 1).trim());
    }
  }
  for (const [name, sha] of ids) out.set(name, { sha, message: messages.get(sha) ?? '' });
  return out;
}

/**
 * The ids of those of `refs` the remote has, with their commits fetched, in one call: each ref is
 * fetched (a one-star pattern, exactPattern, so an absent ref is no error) into a namespace of this process's own
 * under `refs/cockpit/seen/`, read from its loose ref file, then renamed to `refs/cockpit/known/…`
 * (rename(2): the last reader wins, no ref lock). Several cockpits in one clone never share a ref
 * lock or FETCH_HEAD. The known ref is what the next fetch offers as "have": a lease's commits form
 * a chain (its log is the environment's history of holders), and without it every read fetched the
 * whole chain again, growing with every renewal. Before, ls-remote and then a fetch: two round trips.
 */
async function fetchRemoteRefs(o: GitOptions, gitDir: string, refs: readonly string[]): Promise<Map<string, string> | { unreachable: string }> {
  const seen = ['refs', 'cockpit', 'seen', `${process.pid}-${randomBytes(4).toString('hex')}`];
  const specs = refs.map((r, i) => `+${exactPattern(r)}:${seen.join('/')}/${i}*`);
  const fetched = await git(o, ['fetch', '--no-tags', '--no-write-fetch-head', '--no-auto-maintenance', '--no-recurse-submodules', '--quiet', o.remote, ...specs]);
  try {
    if (!fetched.ok) return { unreachable: `${o.remote}: ${fetched.error}` };
    const ids = new Map<string, string>();
    refs.forEach((r, i) => {
      const file = join(gitDir, ...seen, String(i));
      const sha = readLooseRef(file);
      if (!sha) return;
      ids.set(r, sha);
      keepKnown(file, knownPath(gitDir, r));
    });
    return ids;
  } finally {
    rmSync(join(gitDir, ...seen), { recursive: true, force: true });
    sweepSeen(join(gitDir, 'refs', 'cockpit', 'seen'));
  }
}

/**
 * `ref` as a one-star pattern that matches only itself among the refs cockpit writes: the star
 * right after the namespace word (for refs/cockpit/locks/web/prod: `locks`, the star, then
 * `/web/prod`), where it can only match "". A trailing star (web/prod then the star) also fetched
 * web/prod-eu, and history/web a runbook web-api's whole history. An absent ref matches nothing:
 * no error.
 */
function exactPattern(ref: string): string {
  const parts = ref.split('/');
  return parts.length > 3 ? [...parts.slice(0, 2), `${parts[2]}*`, ...parts.slice(3)].join('/') : `${ref}*`;
}

/** Namespaces a killed cockpit left mid-fetch (its pid runs no more): removed, so no ref of theirs stays. */
function sweepSeen(dir: string): void {
  sweepDir(dir, (name) => {
    const pid = Number(/^(\d+)-[0-9a-f]+$/.exec(name)?.[1]);
    return pid > 0 && pid !== process.pid && !processAlive(pid);
  });
}

/** One remote ref (see readRemoteRefs). */
export async function readRemoteRef(o: GitOptions, ref: string): Promise<RemoteRef> {
  const r = await readRemoteRefs(o, [ref]);
  return r instanceof Map ? r.get(ref)! : r;
}

/** Git's empty tree: every lease commit's tree (commit-tree accepts it without writing it first). */
export const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

/** A commit of the empty tree with `message`, on `parent` when given; its id. */
export async function writeCommit(o: GitOptions, message: string, parent?: string): Promise<GitResult> {
  const objects = objectDir(o.cwd);
  const sha = objects ? writeLooseCommit(objects, message, parent) : undefined;
  if (sha) return { ok: true, out: `${sha}\n` };
  // the empty tree written too, as writeLooseCommit does: fsck wants it there
  const tree = await git(o, ['hash-object', '-t', 'tree', '-w', '--stdin'], { input: '' });
  if (!tree.ok) return tree;
  return git(o, ['commit-tree', EMPTY_TREE, ...(parent ? ['-p', parent] : []), '-m', message]);
}

/** The push's outcome: done, lost the compare-and-swap (the ref moved), or the remote failed. */
export type PushResult = { readonly ok: true } | { readonly ok: false; readonly stale: boolean; readonly error: string };

/** Sets the remote's `ref` to `sha` only if it is still `expected` (absent for undefined). */
export async function casPush(o: GitOptions, ref: string, sha: string, expected: string | undefined): Promise<PushResult> {
  const r = await git(o, ['push', '--porcelain', '--no-verify', '--quiet', `--force-with-lease=${ref}:${expected ?? ''}`, o.remote, `${sha}:${ref}`]);
  if (r.ok) return { ok: true };
  // rejected because the ref moved (or appeared): another contender won; a failed ref lock on the
  // server (two pushes at once) is the same race
  const stale = /stale info|\[rejected\]|\[remote rejected\]|failed to (update|lock)|cannot lock ref|reference already exists|fetch first/i.test(r.output);
  return { ok: false, stale, error: r.error };
}

/** Where a plain clone keeps the last commit it read of `ref` (refs/cockpit/x/y → refs/cockpit/known/x/y). */
const knownPath = (gitDir: string, ref: string) => join(gitDir, 'refs', 'cockpit', 'known', ...ref.split('/').slice(2));

/** Moves a ref file to where it stays as the next fetch's "have"; a hint only: any failure is ignored. */
function keepKnown(file: string, known: string): void {
  try {
    mkdirSync(dirname(known), { recursive: true });
    renameSync(file, known);
  } catch {
    // a name taken by a directory, a read-only .git: the next fetch takes a little longer
  }
}

/**
 * Keeps `sha` as the last commit read of the remote's `ref` (a plain clone; elsewhere nothing), so
 * that the next fetch offers it as "have" and only what is newer travels (see fetchRemoteRefs).
 */
export function rememberRead(o: GitOptions, ref: string, sha: string): void {
  const objects = objectDir(o.cwd);
  if (!objects || !SHA1.test(sha)) return;
  const gitDir = dirname(objects);
  // written beside refs/, then moved in: git never sees a half-written ref
  const tmp = join(gitDir, `cockpit-known-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(tmp, `${sha}\n`);
  } catch {
    return;
  }
  keepKnown(tmp, knownPath(gitDir, ref));
  rmSync(tmp, { force: true });
}

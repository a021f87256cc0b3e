/**
 * The team's release history on its git remote: `refs/cockpit/history/<runbook>`, a commit whose
 * tree holds one summary per session (`<session>.json`: the release as `cockpit history` folds it)
 * and its journal (`<session>.jsonl.gz`). A session's cockpit adds its two files when the session
 * ends, with a compare-and-swap push (team/git.ts) retried over concurrent pushes: each retry
 * re-reads the tree and adds the files again, and since no two sessions write the same file no
 * push ever undoes another's. Every summary is also a line of `index.jsonl` in the same tree,
 * rewritten by each push, so `cockpit history` reads them all in two git calls whatever their
 * number (ls-remote, one cat-file of the index; a fetch first when this clone lacks it, which
 * sends only what is newer than the tip the last read kept: git.ts rememberRead).
 */
import { gzipSync } from 'node:zlib';
import { casPush, git, gitBytes, lsRemote, readRemoteRef, rememberRead, type GitOptions } from './git.js';
import { refPart } from './git-lease.js';

export const historyRef = (runbook: string) => `refs/cockpit/history/${refPart(runbook)}`;

/** The summary file's format; a reader skips (and counts) the ones it does not know. */
export const SUMMARY_FORMAT = 1;
export type SharedSummary = { readonly v: typeof SUMMARY_FORMAT; readonly session: string; readonly release: unknown };

/**
 * Pushes that lose the compare-and-swap retry after a random pause that grows (each round only one
 * of the sessions ending together wins: without the pause the same few kept losing; 9 at once
 * lost 8 rounds in a row in a test).
 */
const ATTEMPTS = 20;
const pause = (attempt: number) => new Promise((r) => setTimeout(r, Math.random() * Math.min(1000, 50 * 2 ** attempt)));
/** Output of the whole-history reads: 10,000 summaries are ~10 MB. */
const BIG = 256 * 1024 * 1024;

/** A session id as a file name: what a ref's tree allows. */
const fileOf = (session: string) => refPart(session);

/**
 * Adds `session`'s summary and journal to the runbook's shared history. Undefined when done, else
 * why not (the remote unreachable, refusing, or lost the race ATTEMPTS times).
 */
export async function shareSession(o: GitOptions, runbook: string, session: string, release: unknown, journal: Buffer): Promise<string | undefined> {
  const ref = historyRef(runbook);
  const name = fileOf(session);
  const line = JSON.stringify({ v: SUMMARY_FORMAT, session, release } satisfies SharedSummary);
  const summary = await git(o, ['hash-object', '-w', '--stdin'], { input: line });
  if (!summary.ok) return summary.error;
  const log = await git(o, ['hash-object', '-w', '--stdin'], { input: gzipSync(journal) });
  if (!log.ok) return log.error;
  const mine = [`100644 blob ${summary.out.trim()}\t${name}.json`, `100644 blob ${log.out.trim()}\t${name}.jsonl.gz`];
  let lastError = '';
  for (let i = 0; i < ATTEMPTS; i++) {
    const seen = await readRemoteRef(o, ref);
    if ('unreachable' in seen) return seen.unreachable;
    const parent = 'sha' in seen ? seen.sha : undefined;
    const tree = await treeWith(o, parent, name, mine, session, line);
    if (typeof tree !== 'string') return tree.error;
    const commit = await git(o, ['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', `cockpit history: ${session}`]);
    if (!commit.ok) return commit.error;
    const pushed = await casPush(o, ref, commit.out.trim(), parent);
    if (pushed.ok) return undefined;
    if (!pushed.stale) return `${o.remote}: ${pushed.error}`;
    lastError = pushed.error;
    await pause(i);
  }
  return `${o.remote}: ${ATTEMPTS} attempts lost the race to update ${ref}: ${lastError}`;
}

/** Every summary in one file, a line each: what `cockpit history` reads (one blob, not one a session). */
const INDEX = 'index.jsonl';

/**
 * The parent's tree with this session's two files put in (or replaced: a session shared again) and
 * its line in the index (the index rebuilt from the summaries when the tree has none yet). The new
 * tree's id, or why not.
 */
async function treeWith(o: GitOptions, parent: string | undefined, name: string, mine: readonly string[], session: string, line: string): Promise<string | { error: string }> {
  const listed = parent ? await git(o, ['ls-tree', '--full-tree', parent], { maxBuffer: BIG }) : { ok: true as const, out: '' };
  if (!listed.ok) return { error: listed.error };
  const entries = listed.out.split('\n').filter(Boolean);
  const indexEntry = entries.find((l) => l.endsWith(`\t${INDEX}`));
  let lines: string[];
  if (indexEntry) {
    const index = await git(o, ['cat-file', 'blob', indexEntry.split(/\s+/)[2]], { maxBuffer: BIG });
    if (!index.ok) return { error: index.error };
    lines = index.out.split('\n').filter(Boolean);
  } else {
    const blobs = entries.filter((l) => l.endsWith('.json')).map((l) => l.split(/\s+/)[2]);
    const read = blobs.length > 0 ? await gitBytes(o, ['cat-file', '--batch'], { input: blobs.join('\n') + '\n', maxBuffer: BIG }) : { ok: true as const, out: Buffer.alloc(0) };
    if (!read.ok) return { error: read.error };
    lines = parseBatch(read.out).summaries.map((x) => JSON.stringify(x));
  }
  const kept = lines.filter((l) => sessionOf(l) !== session);
  const index = await git(o, ['hash-object', '-w', '--stdin'], { input: [...kept, line].join('\n') + '\n' });
  if (!index.ok) return { error: index.error };
  const others = entries.filter((l) => !l.endsWith(`\t${name}.json`) && !l.endsWith(`\t${name}.jsonl.gz`) && !l.endsWith(`\t${INDEX}`));
  const tree = await git(o, ['mktree'], { input: [...others, ...mine, `100644 blob ${index.out.trim()}\t${INDEX}`].join('\n') + '\n' });
  return tree.ok ? tree.out.trim() : { error: tree.error };
}

/** The session an index line is of (undefined: not a summary line). */
function sessionOf(line: string): string | undefined {
  try {
    const v = JSON.parse(line) as { session?: unknown };
    return typeof v.session === 'string' ? v.session : undefined;
  } catch {
    return undefined;
  }
}

export type SharedRead = { readonly summaries: SharedSummary[]; readonly unreadable: number };

/** Every session summary the runbook's shared history holds (none when it has none yet). */
export async function readSharedHistory(o: GitOptions, runbook: string): Promise<SharedRead | { unreachable: string }> {
  const ref = historyRef(runbook);
  const ids = await lsRemote(o, [ref]);
  if (!(ids instanceof Map)) return ids;
  const sha = ids.get(ref);
  if (!sha) return { summaries: [], unreadable: 0 };
  // the objects fetched only when this clone lacks them (read before: nothing to fetch)
  let index = await git(o, ['cat-file', 'blob', `${sha}:${INDEX}`], { maxBuffer: BIG });
  if (!index.ok) {
    const fetched = await git(o, ['fetch', '--no-tags', '--no-write-fetch-head', '--no-auto-maintenance', '--quiet', o.remote, sha], { maxBuffer: BIG });
    if (!fetched.ok) return { unreachable: `${o.remote}: ${fetched.error}` };
    index = await git(o, ['cat-file', 'blob', `${sha}:${INDEX}`], { maxBuffer: BIG });
  }
  if (!index.ok) return { unreachable: `${o.remote}: ${sha} has no ${INDEX}: ${index.error}` };
  // the next read's fetch says "have" for it: only the sessions added since travel (without it,
  // every read after a new session fetched every session's summary and journal again)
  rememberRead(o, ref, sha);
  return parseIndex(index.out);
}

/** The index's lines: one summary each. */
export function parseIndex(text: string): SharedRead {
  const summaries: SharedSummary[] = [];
  let unreadable = 0;
  for (const line of text.split('\n')) {
    if (!line) continue;
    const v = summaryOf(line);
    if (v) summaries.push(v);
    else unreadable++;
  }
  return { summaries, unreadable };
}

function summaryOf(text: string): SharedSummary | undefined {
  try {
    const v = JSON.parse(text) as Partial<SharedSummary>;
    return v.v === SUMMARY_FORMAT && typeof v.session === 'string' && v.release && typeof v.release === 'object' ? (v as SharedSummary) : undefined;
  } catch {
    return undefined;
  }
}

/** `git cat-file --batch` output: "<sha> blob <size>\n<size bytes>\n", one after the other. */
export function parseBatch(out: Buffer): SharedRead {
  const summaries: SharedSummary[] = [];
  let unreadable = 0;
  let at = 0;
  while (at < out.length) {
    const eol = out.indexOf(0x0a, at);
    if (eol < 0) break;
    const head = /^[0-9a-f]+ blob (\d+)$/.exec(out.toString('latin1', at, eol));
    if (!head) {
      // "<sha> missing": that summary is gone
      unreadable++;
      at = eol + 1;
      continue;
    }
    const size = Number(head[1]);
    const v = summaryOf(out.toString('utf8', eol + 1, eol + 1 + size));
    at = eol + 1 + size + 1;
    if (v) summaries.push(v);
    else unreadable++;
  }
  return { summaries, unreadable };
}

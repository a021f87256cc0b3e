/**
 * Each release's changes, from git: the commits between the commit of the deployment before it
 * and its own (`prev..this`), as Four Keys counts a deployment's changes. Without a commit, an
 * earlier deployment or git itself, the reason instead.
 *
 * Two git calls for the whole history, not one per release: the versions are resolved in one
 * batch, and one `git log` lists every commit the window's deployments reach and the deployment
 * before the window does not; each release's range is then walked in that graph (rangeIn). Where
 * the graph cannot prove a range exact (a deployment of a side history that does not descend from
 * the window's first base), that release asks git itself, as before.
 */
import { commitGraph, commitsBetween, resolveCommits, type Commit, type GraphCommit } from './git.js';
import { type Release } from './log.js';
import type { Changes } from './report.js';

/** A release's commit: the one journalled when it started deploying, else its version when that names one (a tag). */
export function withCommits(releases: readonly Release[], dir: string): Release[] {
  const resolved = resolveCommits(
    dir,
    releases.filter((r) => !r.sha).map((r) => r.version),
  );
  return releases.map((r) => {
    if (r.sha) return r;
    const sha = resolved?.get(r.version);
    return sha ? { ...r, sha } : r;
  });
}

/** Each release's deployment before it (log.ts previousDeployment), from one sort of the deployments. */
function previousDeployments(releases: readonly Release[]): Map<Release, Release | undefined> {
  const deployments = releases.filter((d) => d.deployedAt !== undefined && d.sha !== undefined).sort((a, b) => a.startedAt - b.startedAt);
  const out = new Map<Release, Release | undefined>();
  const byStart = [...releases].sort((a, b) => a.startedAt - b.startedAt);
  let i = 0;
  let last: Release | undefined;
  let lastButOne: Release | undefined;
  for (const r of byStart) {
    // every deployment started strictly before r
    while (i < deployments.length && deployments[i].startedAt < r.startedAt) {
      lastButOne = last;
      last = deployments[i++];
    }
    out.set(r, last === r ? lastButOne : last);
  }
  return out;
}

/** `releases` with their commits (withCommits). */
export function changesFor(releases: readonly Release[], since: number, dir: string): Map<string, Changes> {
  const out = new Map<string, Changes>();
  const prevOf = previousDeployments(releases);
  const ranges: { r: Release; from: string; to: string }[] = [];
  for (const r of releases) {
    if (r.startedAt < since) continue;
    if (r.kind === 'rollback') out.set(r.session, { why: 'a rollback only' });
    else if (!r.sha) out.set(r.session, { why: 'no commit recorded' });
    else {
      const prev = prevOf.get(r);
      if (!prev) out.set(r.session, { why: 'first deployment in the log' });
      else ranges.push({ r, from: prev.sha!, to: r.sha });
    }
  }
  const tips = new Set(ranges.map((x) => x.to));
  const boundary = [...new Set(ranges.map((x) => x.from).filter((s) => !tips.has(s)))];
  const graph = boundary.length === 1 ? commitGraph(dir, [...tips], boundary) : undefined;
  for (const { r, from, to } of ranges) {
    const commits = (graph && rangeIn(graph, from, to, boundary[0])) ?? commitsBetween(dir, from, to);
    out.set(r.session, commits ? { commits } : { why: 'git unavailable' });
  }
  return out;
}

/**
 * The graph's commits that descend from `base` (or are it): one pass, oldest first (the graph is in
 * `--date-order`: no parent before its children, so reversed, every parent comes first).
 */
function descendants(graph: Map<string, GraphCommit>, base: string): Set<string> {
  const out = new Set<string>([base]);
  for (const g of [...graph.values()].reverse()) if (g.parents.some((p) => out.has(p))) out.add(g.sha);
  return out;
}

const bases = new WeakMap<Map<string, GraphCommit>, Set<string>>();

/**
 * `from..to` within the graph: the commits reachable from `to` and not from `from`, in git log's
 * order; undefined when the graph cannot tell it exactly (then git is asked). Exact when `from` is
 * the window's base or descends from it: whatever the graph leaves out is the base's ancestry, so
 * `from`'s too.
 */
function rangeIn(graph: Map<string, GraphCommit>, from: string, to: string, base: string): Commit[] | undefined {
  if (!graph.has(to)) return to === from ? [] : undefined;
  let fromBase = bases.get(graph);
  if (!fromBase) bases.set(graph, (fromBase = descendants(graph, base)));
  if (!fromBase.has(from)) return undefined;
  return paint(graph, from, to);
}

const TO = 1;
const FROM = 2;
/**
 * Paints from both ends in the graph's order (git's --date-order: a commit is taken only after all
 * its children, so its paint is final when taken) and stops once nothing painted by `to` alone is
 * left to walk: what is painted by `to` alone is the range.
 */
function paint(graph: Map<string, GraphCommit>, from: string, to: string): Commit[] {
  const colour = new Map<string, number>();
  const queue: GraphCommit[] = [];
  const push = (sha: string, c: number) => {
    const g = graph.get(sha);
    if (!g) return; // the base's ancestry: painted FROM by definition
    const was = colour.get(sha) ?? 0;
    if ((was | c) === was) return;
    colour.set(sha, was | c);
    queue.push(g);
  };
  push(from, FROM);
  push(to, TO);
  const onlyTo = () => queue.some((g) => colour.get(g.sha) === TO);
  while (queue.length > 0 && onlyTo()) {
    let at = 0;
    for (let i = 1; i < queue.length; i++) if (queue[i].order < queue[at].order) at = i;
    const g = queue.splice(at, 1)[0];
    for (const p of g.parents) push(p, colour.get(g.sha)!);
  }
  return [...colour]
    .filter(([, c]) => c === TO)
    .map(([sha]) => graph.get(sha)!)
    .sort((a, b) => a.order - b.order)
    .map(({ sha, at, subject }) => ({ sha, at, subject }));
}

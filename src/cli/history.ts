/**
 * cockpit history [runbook] [--markdown | --json] [--since 30d]: the release history log and the
 * DORA four keys from every journal under the runbook's state directory.
 */
import { jsonLine } from '../core/json-line.js';
import { changesFor, withCommits } from '../history/changes.js';
import { sinceOf } from '../history/window.js';
import { jsonReport, markdownTable, plainReport } from '../history/format.js';
import { linkRollbacks, readRelease, type Names, type Release } from '../history/log.js';
import { report } from '../history/report.js';
import type { Runbook } from '../runbook/types.js';
import { listSessions } from '../session/follow.js';
import { refusalOf } from '../core/safe-open.js';
import { readJournal } from '../session/journal.js';
import { stateDir } from '../session/state-dir.js';
import { rollbackSteps } from '../session/reduce.js';
import { parse, usageOf, UsageError } from './args.js';
import { COMMANDS } from './commands.js';
import type { Io } from './io.js';
import { loadRunbookCached } from './load-cached.js';
import { errorCode } from '../core/error-message.js';

export const USAGE = usageOf(COMMANDS.history);

/** Titles from the runbook as it is now; an id it no longer has is shown as the id. */
export function namesOf(rb: Runbook): Names {
  const steps = new Map<string, string>();
  for (const p of rb.preflight) steps.set(`preflight/${p.id}`, p.title);
  for (const st of rb.stages) for (const s of st.steps) steps.set(`${st.id}/${s.id}`, s.title);
  for (const s of rollbackSteps(rb)) steps.set(`rollback/${s.id}`, s.title);
  const pseudo: Record<string, string> = { preflight: 'Pre-flight', rollback: 'Rollback' };
  return {
    stage: (id) => rb.stages.find((s) => s.id === id)?.title ?? pseudo[id] ?? id,
    step: (stage, id) => steps.get(`${stage}/${id}`) ?? id,
    isTarget: (stage, environment) => {
      const st = rb.stages.find((s) => s.id === stage);
      return st ? st.environment === environment : stage === environment;
    },
  };
}

export async function historyCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, COMMANDS.history);
  if (positionals.length > 1) throw new UsageError(`one runbook at a time (got ${positionals.join(', ')})\n${USAGE}`);
  if (values.markdown && values.json) throw new UsageError(`--markdown or --json, not both\n${USAGE}`);
  const now = Date.now();
  const since = sinceOf(values.since ?? '90d', now);
  if (since === undefined) throw new UsageError(`--since: "${values.since}" is not a window (30d, 12w, 2024-05-01 or all)`);
  const rb = await loadRunbookCached(positionals[0], io.err);
  if (typeof rb === 'number') return rb;

  const root = stateDir(rb);
  const names = namesOf(rb);
  const releases: Release[] = [];
  for (const s of listSessions(root)) {
    if (s.started?.runbook !== rb.name) continue;
    let events;
    try {
      events = readJournal(s.journalPath);
    } catch (e) {
      io.err(`cockpit: skipping ${s.journalPath}: ${refusalOf(e) ?? errorCode(e)}`);
      continue;
    }
    const r = readRelease({ id: s.id, journal: s.journalPath, events, live: s.driverPid !== undefined }, names);
    if (r) releases.push(r);
  }
  if (rb.team) releases.push(...(await teamReleases(rb, releases, io)));
  const all = withCommits(linkRollbacks(releases), rb.dir);
  const rep = report({ releases: all, changes: changesFor(all, since.at, rb.dir), since: since.at, now, targets: rb.targets });
  if (values.markdown) for (const line of markdownTable(rep)) io.out(line);
  else if (values.json) io.out(jsonLine(jsonReport(rep, { runbook: rb.name, since: since.label, now, stateDir: root }), 2));
  else for (const line of plainReport(rep, { runbook: rb.name, since: since.label, stateDir: root })) io.out(line);
  return 0;
}

/**
 * The releases the team's shared history holds (team: in the runbook) that this clone has no
 * journal of: every operator's and CI's. Unreachable: said, and this clone's releases shown.
 */
async function teamReleases(rb: Runbook, local: readonly Release[], io: Io): Promise<Release[]> {
  const { readSharedHistory } = await import('../team/shared-history.js');
  const read = await readSharedHistory({ cwd: process.cwd(), remote: rb.team!.remote }, rb.name);
  if ('unreachable' in read) {
    io.err(`cockpit: the team's shared history could not be read (${read.unreachable}): this clone's releases only`);
    return [];
  }
  if (read.unreadable > 0) io.err(`cockpit: ${read.unreadable} shared session summaries could not be read (another cockpit version wrote them?): left out`);
  const here = new Set(local.map((r) => r.session));
  return read.summaries.filter((x) => !here.has(x.session) && (x.release as Release).runbook === rb.name).map((x) => x.release as Release);
}

/** The Markdown import's report and errors, as lines for validate and import. */
import { formatError, type LocatedError } from './locate.js';
import { KIND_LABEL, span } from './markdown-yaml.js';
import type { Note, Unmapped, UnmappedKind } from './markdown/model.js';

export type MappedCount = { readonly what: string; readonly count: number; readonly lines: readonly number[] };

export type MarkdownReport = {
  readonly mapped: readonly MappedCount[];
  readonly notes: readonly Note[];
  readonly unmapped: readonly Unmapped[];
  /**
   * Mappings a person must look at before the plan runs (a choice, an input, a command mapped from a
   * list item, a guardrail read from prose…): the plan review marks them. Empty when nothing is uncertain.
   */
  readonly uncertain: readonly Note[];
  /** sha256 of the document's text: the plan review is accepted once per hash. */
  readonly hash: string;
  /** The document was refused before it was read (nested too deep): there is nothing to report. */
  readonly unread?: boolean;
};

function lineList(lines: readonly number[]): string {
  if (lines.length === 0) return '';
  const shown = lines.slice(0, 12).join(', ');
  return `line${lines.length === 1 ? '' : 's'} ${shown}${lines.length > 12 ? ', …' : ''}`;
}

/** The report as lines: mapped counts, notes (assumptions), and the unmapped list by line. */
export function formatReport(report: MarkdownReport, display: string): string[] {
  if (report.unread) return [];
  const out: string[] = [];
  out.push(`mapped from ${display}:`);
  if (report.mapped.length === 0) out.push('  nothing');
  for (const m of report.mapped) out.push(`  ${m.count} ${m.what}${m.lines.length ? `: ${lineList(m.lines)}` : ''}`);
  if (report.notes.length > 0) {
    out.push('assumed:');
    for (const n of report.notes) out.push(`  ${display}:${n.line}: ${n.text}`);
  }
  const by = new Map<UnmappedKind, number>();
  for (const u of report.unmapped) by.set(u.kind, (by.get(u.kind) ?? 0) + 1);
  const tally = [...by].map(([k, n]) => `${n} ${KIND_LABEL[k]}`).join(', ');
  out.push(`not mapped (${report.unmapped.length}${tally ? `: ${tally}` : ''}):`);
  for (const u of report.unmapped) out.push(`  ${display}:${span(u)}: [${KIND_LABEL[u.kind]}] ${u.what}: ${u.why}`);
  const automatable = report.unmapped.filter((u) => u.kind === 'no-place' || u.kind === 'unreadable').length;
  const needs = by.get('needs-front-matter') ?? 0;
  if (automatable === 0 && needs === 0) out.push('nothing automatable is left unmapped');
  else if (automatable === 0) out.push(`${needs} automatable item${needs === 1 ? '' : 's'} wait${needs === 1 ? 's' : ''} for the front matter (see "needs front matter")`);
  else out.push(`${automatable} automatable item${automatable === 1 ? ' was' : 's were'} not mapped (see "not placed" and "unreadable")`);
  return out;
}

export function formatErrors(errors: readonly LocatedError[]): string[] {
  return errors.map(formatError);
}

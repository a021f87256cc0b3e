/** Reading the shared history's summaries out of one `git cat-file --batch` (team/shared-history.ts): sizes are bytes. */
import { describe, expect, it } from 'vitest';
import { historyRef, parseBatch, parseIndex } from '../../src/team/shared-history.js';

const entry = (sha: string, text: string) => Buffer.concat([Buffer.from(`${sha} blob ${Buffer.byteLength(text)}\n`), Buffer.from(text), Buffer.from('\n')]);
const summary = (session: string, extra: Record<string, unknown> = {}) => JSON.stringify({ v: 1, session, release: { session, runbook: 'web', ...extra } });

describe('parseBatch', () => {
  it('reads each summary by its size in bytes: text with multi-byte characters does not shift the next', () => {
    const out = Buffer.concat([
      entry('a'.repeat(40), summary('s1', { reason: 'error_rate > 1 % → rolled back … ✓ 日本語' })),
      entry('b'.repeat(40), summary('s2')),
    ]);
    const r = parseBatch(out);
    expect(r.unreadable).toBe(0);
    expect(r.summaries.map((s) => s.session)).toEqual(['s1', 's2']);
    expect((r.summaries[0].release as { reason: string }).reason).toBe('error_rate > 1 % → rolled back … ✓ 日本語');
  });

  it('a missing object, a summary of another format and text that is not JSON are counted unreadable; the rest is read', () => {
    const out = Buffer.concat([
      Buffer.from(`${'c'.repeat(40)} missing\n`),
      entry('d'.repeat(40), JSON.stringify({ v: 2, session: 's3', release: {} })),
      entry('e'.repeat(40), 'not json {'),
      entry('f'.repeat(40), summary('s4')),
    ]);
    const r = parseBatch(out);
    expect(r.unreadable).toBe(3);
    expect(r.summaries.map((s) => s.session)).toEqual(['s4']);
  });

  it('the index: a summary a line; a line of another format or not JSON is counted unreadable', () => {
    const r = parseIndex([summary('s1', { reason: '→ ✓' }), JSON.stringify({ v: 2, session: 's2', release: {} }), 'garbage', summary('s3'), ''].join('\n'));
    expect(r.summaries.map((s) => s.session)).toEqual(['s1', 's3']);
    expect(r.unreadable).toBe(2);
  });

  it('the ref is the runbook name as a ref part', () => {
    expect(historyRef('web app')).toBe('refs/cockpit/history/web-app');
  });
});

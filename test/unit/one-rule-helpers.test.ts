/**
 * Decisions made once (issue 21): one way to read a caught error (core/error-message.ts), one
 * wording for a failed fetch (core/fetch-error.ts) used by metrics, probes, notifications and the
 * flag providers alike, one unit normaliser (guard-words.ts normalUnit) behind a series' unit and a
 * threshold's conversion, and the words of a command with their quoting from the one shell lexer.
 */
import { describe, expect, it } from 'vitest';
import { errorCode, errorMessage } from '../../src/core/error-message.js';
import { describeFetchError } from '../../src/core/fetch-error.js';
import { describeFetchError as metricsFetchError } from '../../src/metrics/sources/source.js';
import { normalUnit } from '../../src/runbook/markdown/guard-words.js';
import { normalUnitOf } from '../../src/runbook/markdown/helpers.js';
import { convert, quotedWords } from '../../src/runbook/markdown-lines.js';

describe('errorMessage / errorCode', () => {
  it.each<[string, unknown, string]>([
    ['an Error', new Error('boom'), 'boom'],
    ['a TypeError', new TypeError('not a function'), 'not a function'],
    ['a DOMException', new DOMException('timed out after 5 ms', 'TimeoutError'), 'timed out after 5 ms'],
    ['an object with a message', { message: 'said so' }, 'said so'],
    ['a string thrown', 'plain words', 'plain words'],
    ['a number thrown', 42, '42'],
    ['undefined thrown', undefined, 'undefined'],
    ['null thrown', null, 'null'],
    ['a message that is not a string', { message: 7 }, '[object Object]'],
  ])('%s', (_name, e, want) => {
    expect(errorMessage(e)).toBe(want);
  });

  it('errorCode: a system error its code, anything else its message', () => {
    expect(errorCode(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }))).toBe('ENOSPC');
    expect(errorCode(new Error('short write'))).toBe('short write');
    expect(errorCode('odd')).toBe('odd');
  });
});

describe('describeFetchError: one wording for every fetch', () => {
  const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED', address: '127.0.0.1', port: 9 }) });
  const unknownHost = new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND metrics.internal'), { code: 'ENOTFOUND', hostname: 'metrics.internal' }) });
  const reset = new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });

  it.each<[string, unknown, string]>([
    ['a deadline', new DOMException('The operation was aborted due to timeout', 'TimeoutError'), 'timed out after 300 ms'],
    ['an abort', new DOMException('This operation was aborted', 'AbortError'), 'timed out after 300 ms'],
    ['a refused connection: the code and where', refused, 'ECONNREFUSED 127.0.0.1:9'],
    ['an unknown host: the code and the name', unknownHost, 'ENOTFOUND metrics.internal'],
    ['a code and nowhere', reset, 'UND_ERR_SOCKET'],
    ['anything else: its message', new Error('unexpected end of JSON input'), 'unexpected end of JSON input'],
    ['not an error at all', 'down', 'down'],
  ])('%s', (_name, e, want) => {
    expect(describeFetchError(e, 300)).toBe(want);
  });

  it('the metrics sources use the same function', () => {
    expect(metricsFetchError).toBe(describeFetchError);
  });
});

describe('one unit normaliser', () => {
  it.each<[string, string]>([
    ['%', '%'],
    ['percent', '%'],
    ['pct', '%'],
    ['PCT', '%'],
    ['ms', 'ms'],
    ['milliseconds', 'ms'],
    ['s', 's'],
    ['seconds', 's'],
    ['minutes', 'm'],
    ['min', 'm'],
    ['Minuten', 'm'],
    ['hours', 'h'],
    ['rps', 'rps'],
    ['RPS', 'rps'],
  ])('%s → %s, for a series unit and for a conversion alike', (written, unit) => {
    expect(normalUnit(written)).toBe(unit);
    expect(normalUnitOf(written)).toBe(unit);
    // a value converts to the unit it is written in as itself
    expect(convert(3, written, unit)).toBe(3);
  });

  it('no unit is none', () => {
    expect(normalUnitOf(undefined)).toBeUndefined();
    expect(normalUnitOf('')).toBeUndefined();
  });

  it('pct and minutes convert as % and m', () => {
    expect(convert(5, 'pct', '%')).toBe(5);
    expect(convert(2, 'minutes', 's')).toBe(120);
    expect(convert(90, 'seconds', 'minutes')).toBe(1.5);
  });
});

describe('quotedWords: the words of a command and their quoting, from the shell lexer', () => {
  it.each<[string, { word: string; quoted: boolean }[] | undefined]>([
    ['./incident.sh "Release failed" P1', [{ word: './incident.sh', quoted: false }, { word: 'Release failed', quoted: true }, { word: 'P1', quoted: false }]],
    ["./incident.sh 'it is down'", [{ word: './incident.sh', quoted: false }, { word: 'it is down', quoted: true }]],
    ['./incident.sh "it\'s down"', [{ word: './incident.sh', quoted: false }, { word: "it's down", quoted: true }]],
    ['./incident.sh ""', [{ word: './incident.sh', quoted: false }, { word: '', quoted: true }]],
    // a word mixing quoted and bare parts: every word bare
    ['./incident.sh --title="Release failed" "x"', [{ word: './incident.sh', quoted: false }, { word: '--title=Release failed', quoted: false }, { word: 'x', quoted: false }]],
    ['./incident.sh "a""b"', [{ word: './incident.sh', quoted: false }, { word: 'ab', quoted: false }]],
    ['./incident.sh {reason}', [{ word: './incident.sh', quoted: false }, { word: '{reason}', quoted: false }]],
    ['./incident.sh "$REASON"', undefined],
    ['a | b', undefined],
    ['', undefined],
  ])('%s', (text, want) => {
    expect(quotedWords(text)).toEqual(want);
  });
});

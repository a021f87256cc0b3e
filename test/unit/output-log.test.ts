/**
 * The step log's writer (output-log.ts, line-assembler.ts) on real files: what a terminal would
 * show (\r redraws, ESC[K, lines in pieces), byte caps whatever the shape, secrets across pieces,
 * and a full disk (/dev/full: every write fails with ENOSPC) counted in bytes of output and said.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { maskerFor, secretStartsFor } from '../../src/exec/log-format.js';
import { lossLine, OutputLog } from '../../src/exec/output-log.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function logOf(pieces: (string | Buffer)[], o: { cap?: number; secrets?: string[]; path?: string } = {}): { lines: string[]; out: OutputLog } {
  const dir = mkdtempSync(join(tmpdir(), 'cockpit-outlog-'));
  dirs.push(dir);
  const path = o.path ?? join(dir, 'step.log');
  const fd = openSync(path, 'a');
  const secrets = o.secrets ?? [];
  const out = new OutputLog({ fd, cap: o.cap ?? 64 * 1024 * 1024, mask: maskerFor(secrets), secretStart: secretStartsFor(secrets), longestSecret: Math.max(0, ...secrets.map((s) => s.length)) });
  for (const p of pieces) out.feed(Buffer.isBuffer(p) ? p : Buffer.from(p));
  out.end();
  closeSync(fd);
  const lines = path === '/dev/full' ? [] : readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => l.replace(/^\d\d:\d\d:\d\d\.\d{3} /, ''));
  return { lines, out };
}

describe('what a terminal would show', () => {
  test('\\r redraws the line: the latest state; a shorter redraw leaves the old end, as on a terminal', () => {
    expect(logOf(['a\rb\n']).lines).toEqual(['b']);
    expect(logOf(['  0%\r 50%\r100%\n']).lines).toEqual(['100%']);
    expect(logOf(['downloading\rdone\n']).lines).toEqual(['doneloading']);
    expect(logOf(['downloading\r\x1b[Kdone\n']).lines).toEqual(['\x1b[Kdone']);
  });

  test('\\r\\n is a plain line end; a \\r split from its text by a read is the same redraw', () => {
    expect(logOf(['one\r\ntwo\r\n']).lines).toEqual(['one', 'two']);
    expect(logOf(['50%', '\r', '100%', '\n']).lines).toEqual(['100%']);
  });

  test('a line written in pieces is one line; the last one without a newline is kept', () => {
    expect(logOf(['first half, ', 'second half\n', 'no newline']).lines).toEqual(['first half, second half', 'no newline']);
  });

  test('a UTF-8 character split across reads stays whole', () => {
    const b = Buffer.from('café ✓\n');
    expect(logOf([b.subarray(0, 4), b.subarray(4, 8), b.subarray(8)]).lines).toEqual(['café ✓']);
  });
});

describe('caps by bytes', () => {
  test('a line longer than a quarter of the cap is let out in pieces, the log never over the cap, the last line kept, the count exact', () => {
    const cap = 64 * 1024;
    const body = 'x'.repeat(1_000_000);
    const { lines } = logOf([body.slice(0, 300_000), body.slice(300_000), '\nthe last line\n'], { cap });
    // the tail: the line it starts in the middle of dropped, the last line whole
    expect(lines.slice(-3, -1)).toEqual([expect.stringMatching(/^cockpit: log capped at 64 KiB; the output is dropped/), 'the last line']);
    const marker = lines.findIndex((l) => l.startsWith('cockpit: log capped at 64 KiB; the output is dropped'));
    expect(marker).toBeGreaterThan(0);
    expect(lines.slice(0, marker).every((l) => l.length === 16 * 1024)).toBe(true);
    expect(lines.at(-2)).toBe('the last line');
    const kept = lines.slice(0, marker).reduce((n, l) => n + l.length, 0) + 'the last line\n'.length;
    expect(lines.at(-1)).toBe(`cockpit: log capped at 64 KiB; ${1_000_000 + 1 + 14 - kept} bytes dropped`);
  });

  test('a secret cut where a long line is let out is masked whole', () => {
    const secret = 'hunter2-secret';
    const cap = 16 * 1024;
    const pad = 'y'.repeat(4096 - 5);
    const { lines } = logOf([`${pad}${secret}zzz\n`], { cap, secrets: [secret] });
    expect(lines.join('\n')).not.toContain('hunter2');
    expect(lines.join('')).toContain('••••');
  });
});

describe('a full disk (/dev/full)', () => {
  test('every line lost is counted in bytes of output, said with ENOSPC named', () => {
    const { out } = logOf(['one\n', 'two\n', 'three'], { path: '/dev/full' });
    expect(out.lost).toEqual({ code: 'ENOSPC', lostBytes: 4 + 4 + 5 });
    expect(lossLine('ENOSPC', 13)).toBe("cockpit: disk full: 13 bytes of output not kept (ENOSPC writing the step's log)");
    expect(lossLine('EIO', 13)).toBe("cockpit: the step's log could not be written (EIO): 13 bytes of output not kept");
  });
});

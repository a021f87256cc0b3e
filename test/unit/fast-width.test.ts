import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import fastWidth from '../../src/ui/fast-width.js';

/** The screen's width function must agree with string-width exactly (it replaces it in the bundle). */
describe('fast-width', () => {
  it('agrees with string-width on every code point of the BMP and the emoji planes', () => {
    const diffs: number[] = [];
    for (let cp = 0; cp < 0x30000; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const s = String.fromCodePoint(cp);
      if (fastWidth(s) !== stringWidth(s)) diffs.push(cp);
    }
    expect(diffs.slice(0, 10)).toEqual([]);
  });

  it('agrees on the strings the cockpit draws and on random mixes', () => {
    const samples = ['┌ Checklist ───┐', ' ✓ deploy-production     0:41', '◐ PENDING 0:47 of 3:00', '⚠ OVER BUDGET', '\u001b[31mred\u001b[39m', '\u001b[2m00:54:05\u001b[22m deploy[0999978] upload assets/chunk-00068.js 4096 by…', '\u001b[31me\u001b[39m\u0301', 'e\u0301', '👩‍👩‍👧', '日本語テキスト', '', ' R ROLLBACK '];
    for (const s of samples) expect(fastWidth(s), JSON.stringify(s)).toBe(stringWidth(s));
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pool = ['a', ' ', '─', '✓', '◐', '日', 'é', '\u0301', '👍', '\u200d', '\ufe0f', '%', '\t', '\u001b[31m', '\u001b[m', '\u001b[1;38;5;208m', '\u001b[', '\u001b', '[', 'm', '1;', '\u001b[2K', '\u001b[12345m'];
    for (let i = 0; i < 20000; i++) {
      const s = Array.from({ length: 1 + Math.floor(rnd() * 12) }, () => pool[Math.floor(rnd() * pool.length)]).join('');
      expect(fastWidth(s), JSON.stringify(s)).toBe(stringWidth(s));
    }
  });
});

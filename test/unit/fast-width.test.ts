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
    const samples = ['┌ Checklist ───┐', ' ✓ deploy-production     0:41', '◐ PENDING 0:47 of 3:00', '⚠ OVER BUDGET', '\u001b[31mred\u001b[39m', 'e\u0301', '👩‍👩‍👧', '日本語テキスト', '', ' R ROLLBACK '];
    for (const s of samples) expect(fastWidth(s), JSON.stringify(s)).toBe(stringWidth(s));
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pool = ['a', ' ', '─', '✓', '◐', '日', 'é', '\u0301', '👍', '\u200d', '\ufe0f', '%', '\t'];
    for (let i = 0; i < 20000; i++) {
      const s = Array.from({ length: 1 + Math.floor(rnd() * 12) }, () => pool[Math.floor(rnd() * pool.length)]).join('');
      expect(fastWidth(s), JSON.stringify(s)).toBe(stringWidth(s));
    }
  });
});

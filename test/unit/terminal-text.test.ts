import { describe, expect, it } from 'vitest';
import { sanitize, sanitizeLine, sanitizeOutput, terminalJson, terminalText } from '../../src/core/terminal-text.js';
import { pad, padStart, truncate, width } from '../../src/ui/text.js';
import { tailLines } from '../../src/wallboard/model-output.js';
import { clip } from '../../src/wallboard/panel-text.js';

/** What no mode may let through: an escape other than SGR, a C1 control, BEL, another C0 control (but \t \n), a bidi override. */
const UNSAFE = /\x1b(?!\[[0-9;:]*m)|[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

// [name, input, what output mode prints, what line mode prints]
const HOSTILE: [string, string, string, string][] = [
  ['OSC 52 clipboard (BEL)', 'a\x1b]52;c;cm0gLXJmIH4=\x07b', 'ab', 'ab'],
  ['OSC 52 clipboard (ST)', 'a\x1b]52;c;cm0gLXJmIH4=\x1b\\b', 'ab', 'ab'],
  ['OSC 0 window title', '\x1b]0;pwned\x07ok', 'ok', 'ok'],
  ['OSC unterminated', 'ok\x1b]0;the rest of the line', 'ok', 'ok'],
  ['OSC 8 hyperlink', '\x1b]8;;https://evil\x1b\\click\x1b]8;;\x1b\\', 'click', 'click'],
  ['clear screen', 'x\x1b[2Jy', 'xy', 'xy'],
  ['alternate screen', '\x1b[?1049hx\x1b[?1049l', 'x', 'x'],
  ['cursor home, erase line', '\x1b[H\x1b[2Kx', 'x', 'x'],
  ['device status report (asks the terminal to type)', '\x1b[6nx', 'x', 'x'],
  ['DCS', 'a\x1bPq#0;2;0;0;0\x1b\\b', 'ab', 'ab'],
  ['APC', 'a\x1b_Gf=100;AAAA\x1b\\b', 'ab', 'ab'],
  ['PM', 'a\x1b^secret\x1b\\b', 'ab', 'ab'],
  ['SOS', 'a\x1bXstuff\x1b\\b', 'ab', 'ab'],
  ['reset terminal', 'a\x1bcb', 'ab', 'ab'],
  ['charset switch', 'a\x1b(0qqq\x1b(Bb', 'aqqqb', 'aqqqb'],
  ['C1 CSI clear', 'x\x9b2Jy', 'xy', 'xy'],
  ['C1 OSC title', '\x9d0;x\x07ok', 'ok', 'ok'],
  ['C1 OSC ended by C1 ST', '\x9d52;c;AAAA\x9cok', 'ok', 'ok'],
  ['C1 DCS', 'a\x90q\x9cb', 'ab', 'ab'],
  ['C1 NEL and IND', 'a\x85b\x84c', 'abc', 'abc'],
  ['BEL', 'ding\x07', 'ding', 'ding'],
  ['backspace over text', 'safe\x08\x08\x08\x08evil', 'safeevil', 'safeevil'],
  ['carriage return over text', 'deploy ok\rFAILED', 'deploy okFAILED', 'deploy okFAILED'],
  ['DEL, NUL, VT, FF', 'a\x7f\x00\x0b\x0cb', 'ab', 'ab'],
  ['bidi override (Trojan Source)', 'rm \u202eevil\u202c ok', 'rm evil ok', 'rm evil ok'],
  ['bidi isolates', 'a\u2066b\u2069\u2067c\u2068d', 'abcd', 'abcd'],
  ['lone ESC at the end', 'x\x1b', 'x', 'x'],
  ['truncated CSI at the end', 'x\x1b[12', 'x', 'x'],
];

describe('the terminal sanitiser over hostile inputs', () => {
  for (const [name, input, output, line] of HOSTILE)
    it(name, () => {
      expect(sanitizeOutput(input)).toBe(output);
      expect(sanitize(input)).toBe(output);
      expect(sanitizeLine(input)).toBe(line);
      for (const mode of ['output', 'screen', 'line'] as const) expect(terminalText(input, mode)).not.toMatch(UNSAFE);
    });

  it('output mode keeps colour (SGR), tabs and line breaks; the screen modes drop colour', () => {
    const coloured = '\x1b[32mPASS\x1b[0m\t3 tests\n\x1b[1;38;5;196mFAIL\x1b[m';
    expect(sanitizeOutput(coloured)).toBe(coloured);
    expect(sanitize(coloured)).toBe('PASS  3 tests\nFAIL');
    expect(sanitizeLine(coloured)).toBe('PASS  3 tests FAIL');
  });

  it('colour around an escape: the colour stays, the escape goes', () => {
    expect(sanitizeOutput('\x1b[31m\x1b]52;c;cm0gLXJmIH4=\x07red\x1b[2J\x1b[0m')).toBe('\x1b[31mred\x1b[0m');
  });

  it('an SGR that is not one (private parameters, an intermediate) is dropped', () => {
    expect(sanitizeOutput('\x1b[?25lx\x1b[>4;2m')).toBe('x');
  });

  it('one-line mode: line breaks become a space; zero-width characters and variation selectors go, so the width is what a terminal draws', () => {
    expect(sanitizeLine('deploy\r\n\nweb\u2028now')).toBe('deploy web now');
    expect(sanitizeLine('a\u200bb\u200cc\u200dd\u2060e\ufeff')).toBe('abcde');
    const family = sanitizeLine('👨\u200d👩\u200d👧 release');
    expect(family).toBe('👨👩👧 release');
    expect(width(family)).toBe(14);
    expect(sanitizeLine('⚠\ufe0f hot')).toBe('⚠ hot');
  });

  it('printable text, RTL scripts and combining marks are left as they are', () => {
    for (const s of ['plain ascii', 'café', 'cafe\u0301', 'שחרור גרסה', 'إصدار', '発表 ✓ ⟲ ●', 'naïve — “quoted”'])
      for (const mode of ['output', 'screen', 'line'] as const) expect(terminalText(s, mode)).toBe(s);
  });

  it('terminalJson: the same JSON value, with C1, DEL, bidi and zero-width characters as \\u escapes', () => {
    const value = { text: 'a\x9b2J\x9d0;x\x07\u202e\x7f\u200d' };
    const json = terminalJson(value);
    expect(json).not.toMatch(UNSAFE);
    expect(sanitizeOutput(json)).toBe(json);
    expect(JSON.parse(json)).toEqual(value);
  });

  it('a long line without anything to drop is returned as it is, fast', () => {
    const s = 'x'.repeat(1_000_000);
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) expect(sanitizeOutput(s)).toBe(s);
    expect(performance.now() - t0).toBeLessThan(500);
  });
});

describe('the wallboard lets no C1 control through', () => {
  it('output lines and clipped labels (a step title, the output label)', () => {
    expect(tailLines(['12:00:01.000 a\x9b2Jb\x9d0;title\x07c\x1b]52;c;cm0gLXJmIH4=\x07d'], 5)).toEqual(['12:00:01 abcd']);
    expect(clip('deploy \x9b2J\u202eweb\x85', 20)).toBe('deploy web');
    expect(clip('👨\u200d👩\u200d👧 title', 20)).toBe('👨👩👧 title');
  });
});

describe('truncate and pad cut by grapheme: a row is never wider than its box', () => {
  const HARD = ['a1\ufe0f\u20e3b 2\ufe0f\u20e3', '👨\u200d👩\u200d👧 family', '🇺🇦🇺🇦🇺🇦', 'cafe\u0301 cafe\u0301', 'ab👍🏽cd', 'हिन्दी text', 'שחרור גרסה', 'e\u0301\u0301\u0301 zalgo', '\u200b\u200b\u200bzero', '発表発表発表', 'deploy \x1b[2J\x9b2J ok'];
  for (const s of HARD)
    it(JSON.stringify(s), () => {
      for (let n = 1; n <= 14; n++) {
        const t = truncate(s, n);
        expect(width(t), `truncate(${JSON.stringify(s)}, ${n}) = ${JSON.stringify(t)}`).toBeLessThanOrEqual(n);
        expect(width(pad(s, n)), `pad ${n}`).toBe(n);
        expect(width(padStart(s, n)), `padStart ${n}`).toBe(n);
        expect(t).not.toMatch(UNSAFE);
        // never a grapheme cut in two: what is kept is whole graphemes of the sanitised text
        const kept = t.endsWith('…') && t !== s ? t.slice(0, -1) : t;
        const graphemes = (x: string) => Array.from(new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(x), (g) => g.segment);
        expect(sanitizeLine(s).startsWith(kept)).toBe(true);
        expect(graphemes(sanitizeLine(s)).slice(0, graphemes(kept).length).join('')).toBe(kept);
      }
    });
});

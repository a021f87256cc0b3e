/**
 * The one rule for text that reaches a terminal. Text from steps, metrics, flag providers, git
 * and runbooks is data, never terminal commands: every escape sequence is dropped (OSC such as
 * `ESC]52;c;…BEL` that writes the clipboard or `ESC]0;…` that sets the title, DCS, APC, PM, SOS,
 * CSI such as `ESC[2J` or `ESC[?1049h`), so are 8-bit C1 controls (U+0080–U+009F, among them
 * the one-byte CSI U+009B and OSC U+009D), BEL and the other C0 controls, and bidi overrides
 * (which can show a text in another order than it runs). Three modes:
 *
 * - `output` (step output printed as output by headless and `cockpit rollback`, any CLI line):
 *   colour (SGR, `ESC[…m`) and tabs and line breaks are kept;
 * - `screen` (the cockpit screen, the wallboard: they colour by themselves): no escape at all,
 *   a tab is two spaces, line breaks kept, and none of the characters whose width terminals
 *   disagree on (zero-width spaces and joiners, variation selectors, bidi marks): a row
 *   measured here is a row drawn there (👨‍👩‍👧 is three emoji, as tmux draws it);
 * - `line` (a name, a title, a unit, a reason, a git subject): `screen` on one line.
 *
 * The journal and the step logs keep the raw bytes: this is for what is drawn, never for what is stored.
 */

export type TerminalMode = 'output' | 'screen' | 'line';

const ESC = 0x1b;
const BEL = 0x07;
const ST8 = 0x9c;

/** Anything the modes may rewrite: when none is there (nearly always), the text is returned as it is. */
// eslint-disable-next-line no-misleading-character-class -- single code points to drop (ZWJ, variation selectors), never a joined character
const SUSPECT = /[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufe0e\ufe0f\ufeff]/;
/** Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): dropped in every mode. */
const BIDI = /[\u202a-\u202e\u2066-\u2069]/g;
/** Zero-width spaces, joiners and marks, word joiners and invisible operators, variation selectors, BOM: dropped on the screen. */
// eslint-disable-next-line no-misleading-character-class -- single code points to drop (ZWJ, variation selectors), never a joined character
const ZERO_WIDTH = /[\u200b-\u200f\u2060-\u2065\ufe0e\ufe0f\ufeff]/g;

/** The end of a control string (OSC, DCS, SOS, PM, APC) starting at `i`: after BEL, ST or ESC \, else the end of the text. */
function stringEnd(s: string, i: number): number {
  for (let j = i; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === BEL || c === ST8) return j + 1;
    if (c === ESC) return s.charCodeAt(j + 1) === 0x5c ? j + 2 : j; // ESC \ ends it; another ESC starts the next sequence
  }
  return s.length;
}

/** The end of a CSI whose parameters start at `i`: parameter bytes, intermediate bytes, one final byte (if there is one). */
function csiEnd(s: string, i: number): number {
  let j = i;
  while (j < s.length && s.charCodeAt(j) >= 0x30 && s.charCodeAt(j) <= 0x3f) j++;
  while (j < s.length && s.charCodeAt(j) >= 0x20 && s.charCodeAt(j) <= 0x2f) j++;
  const f = s.charCodeAt(j);
  return f >= 0x40 && f <= 0x7e ? j + 1 : j;
}

/** SGR: `ESC [` digits, `;` and `:` only, then `m` (colour, bold, reset; nothing that moves or asks). */
const isSgr = (seq: string): boolean => /^\x1b\[[0-9;:]*m$/.test(seq);

/** Where the escape sequence (7-bit, or an 8-bit C1 control) at `i` ends. */
function sequenceEnd(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c === ESC) {
    const n = s.charCodeAt(i + 1);
    if (Number.isNaN(n)) return i + 1;
    if (n === 0x5b) return csiEnd(s, i + 2); // CSI
    if (n === 0x5d || n === 0x50 || n === 0x58 || n === 0x5e || n === 0x5f) return stringEnd(s, i + 2); // OSC DCS SOS PM APC
    let j = i + 1;
    while (j < s.length && s.charCodeAt(j) >= 0x20 && s.charCodeAt(j) <= 0x2f) j++; // ESC ( B, ESC # 8, …
    const f = s.charCodeAt(j);
    return f >= 0x30 && f <= 0x7e ? j + 1 : j;
  }
  if (c === 0x9b) return csiEnd(s, i + 1);
  if (c === 0x9d || c === 0x90 || c === 0x98 || c === 0x9e || c === 0x9f) return stringEnd(s, i + 1);
  return i + 1; // any other C1 control
}

function strip(s: string, keepColour: boolean, tab: string): string {
  let out = '';
  let from = 0;
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c === ESC || (c >= 0x80 && c <= 0x9f)) {
      const end = sequenceEnd(s, i);
      out += s.slice(from, i);
      if (keepColour && c === ESC && isSgr(s.slice(i, end))) out += s.slice(i, end);
      i = from = end;
    } else if ((c < 0x20 && c !== 0x0a) || c === 0x7f) {
      out += s.slice(from, i) + (c === 0x09 ? tab : '');
      i = from = i + 1;
    } else i++;
  }
  return out + s.slice(from);
}

/** `s` made safe for a terminal in `mode` (see above). */
export function terminalText(s: string, mode: TerminalMode): string {
  if (!SUSPECT.test(s)) return s;
  if (mode === 'output') return strip(s, true, '\t').replace(BIDI, '');
  const screen = strip(s, false, '  ').replace(BIDI, '').replace(ZERO_WIDTH, '');
  return mode === 'screen' ? screen : screen.replace(/[\n\u2028\u2029]+/g, ' ');
}

/** Escape sequences and control characters dropped, line breaks kept (the screen's output pane, the wallboard). */
export const sanitize = (s: string): string => terminalText(s, 'screen');

/** sanitize() on one line, without zero-width characters (a title, a prompt, a typed value, a reason). */
export const sanitizeLine = (s: string): string => terminalText(s, 'line');

/** Step output and CLI lines as printed by headless and `cockpit rollback`: colour kept, every other escape dropped. */
export const sanitizeOutput = (s: string): string => terminalText(s, 'output');

/**
 * JSON text whose strings cannot act on a terminal either: JSON.stringify escapes C0 controls
 * but writes C1 controls, DEL, bidi and zero-width characters as they are; here they are
 * `\uXXXX` escapes (the same JSON value, printable ASCII around them).
 */
export function terminalJson(value: unknown, indent?: number): string {
  // eslint-disable-next-line no-misleading-character-class -- single code points, as above
  return JSON.stringify(value, null, indent).replace(/[\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufe0e\ufe0f\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

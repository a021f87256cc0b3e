/**
 * The words of a guardrail in runbook prose, in the languages runbooks are written in (English,
 * German, Spanish, French, Japanese): time units, comparison operators, how long a condition must
 * hold (a sustained window) and how far back a rate looks (a rate window), and when an escalation
 * level starts. Pure functions over one line of text (re-exported by markdown-lines.ts).
 */

export type TimeUnit = 'ms' | 's' | 'm' | 'h';

export const UNIT_MS: Record<TimeUnit, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "seconds", "min", "hrs", "Minuten", "minutos", "heures", "分" → s, m, h (undefined for anything else). */
export function timeUnit(word: string): TimeUnit | undefined {
  const w = word.toLowerCase();
  if (/^(ms|msecs?|millis(econds?)?|milliseconds?|millisekunden?|milisegundos?|millisecondes?|ミリ秒)$/.test(w)) return 'ms';
  if (/^(s|secs?|seconds?|sek|sekunden?|seg|segundos?|secondes?|秒)$/.test(w)) return 's';
  if (/^(m|mins?|minutes?|minuten?|minutos?|分)$/.test(w)) return 'm';
  if (/^(h|hrs?|hours?|std|stunden?|horas?|heures?|時間)$/.test(w)) return 'h';
  return undefined;
}

/**
 * A unit as written → the one the runbook keeps: "%", "percent", "pct" → "%"; a time unit in any
 * of its words ("minutes", "secs", "Stunden") → ms, s, m, h; anything else lower-cased ("rps").
 * The project's one unit normaliser: a series' unit and a threshold's conversion both use it.
 */
export function normalUnit(u: string): string {
  const w = u.toLowerCase();
  if (w === '%' || w === 'percent' || w === 'pct') return '%';
  return timeUnit(w) ?? w;
}

/** 5 minutes → "5m"; 1.5 minutes → "1m30s"; 90 seconds → "90s". */
export function durationText(n: number, unit: TimeUnit): string {
  if (Number.isInteger(n)) return `${n}${unit}`;
  let ms = Math.round(n * UNIT_MS[unit]);
  const h = Math.floor(ms / 3_600_000);
  ms -= h * 3_600_000;
  const m = Math.floor(ms / 60_000);
  ms -= m * 60_000;
  const s = Math.floor(ms / 1000);
  ms -= s * 1000;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}${ms ? `${ms}ms` : ''}` || '0';
}

/** "1,5" (a decimal comma) → 1.5. */
export const num = (s: string): number => Number(s.replace(',', '.'));

// ── comparisons: "Error rate > 1%", "Fehlerrate über 5%", "エラー率が5%を超える" ────────────────

/** A number (a decimal comma too) and a unit, as regular expression source: the groups of a value in prose. */
export const NUMBER = String.raw`(\d+(?:[.,]\d+)?)`;
export const UNIT = String.raw`(%|ms|milliseconds?|msecs?|millisekunden?|milisegundos?|s|secs?|seconds?|sekunden?|segundos?|secondes?|m|mins?|minutes?|minuten?|minutos?|h|hrs?|hours?|stunden?|horas?|heures?|rps|req\/s)?`;
/** A number and its unit at the start of a text ("5%", "800 ms", "2 seconds"). */
const AMOUNT = new RegExp(String.raw`^\s*${NUMBER}\s*${UNIT}(?![a-z])`, 'i');

const SYMBOLS: Record<string, Op> = { '>=': 'above', '>': 'above', '≥': 'above', '≧': 'above', '＞': 'above', '<=': 'below', '<': 'below', '≤': 'below', '≦': 'below', '＜': 'below' };
const WORDS: [Op, string[]][] = [
  [
    'above',
    ['greater than', 'more than', 'higher than', 'above', 'over', 'exceeds', 'exceeding', 'mayor que', 'mayor a', 'más de', 'por encima de', 'superior a', 'größer als', 'mehr als', 'höher als', 'über', 'oberhalb von', 'supérieur à', 'supérieure à', 'plus de', 'au-dessus de', 'dépasse'],
  ],
  [
    'below',
    ['drops below', 'falls below', 'less than', 'lower than', 'fewer than', 'below', 'under', 'menor que', 'menor a', 'menos de', 'por debajo de', 'inferior a', 'kleiner als', 'weniger als', 'niedriger als', 'fällt unter', 'unter', 'unterhalb von', 'inférieur à', 'inférieure à', 'moins de', 'en dessous de', 'sous'],
  ],
];
const WORD_OP = new Map(WORDS.flatMap(([op, ws]) => ws.map((w) => [w, op] as const)));
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const byLength = (a: string, b: string) => b.length - a.length;
const OP_RE = new RegExp(
  String.raw`(?<![\p{L}\p{N}])(?:${[...WORD_OP.keys()].sort(byLength).map((w) => escapeRe(w).replace(/ /g, String.raw`\s+`)).join('|')})(?!\p{L})|${Object.keys(SYMBOLS).sort(byLength).map(escapeRe).join('|')}`,
  'giu',
);
/** Japanese writes the operator after the value: "5%を超える", "500ms未満", "99%以上". */
const POSTFIX_RE = /(\d+(?:[.,]\d+)?)\s*(%|ms|ミリ秒|秒|分|時間|s|rps)?\s*(を超える|を超えた|を超え|を上回る|上回る|超え|超|以上|より大きい|より多い|未満|を下回る|下回る|以下|より小さい|より少ない)/gu;
const POSTFIX_BELOW = /^(未満|を下回る|下回る|以下|より小さい|より少ない)$/;
/** Words that open a window: an operator right after one ("for more than 2 minutes") belongs to the window. */
const WINDOW_LEAD = /(?:^|[^\p{L}])(?:for|during|sustained|lasting|für|während|durante|por|pendant|durant)\s*$/iu;

export type Op = 'above' | 'below';
export type Comparison = { subject: string; op: Op; value: number; unit?: string; rest: string };

/**
 * "Error rate > 1% for 2 consecutive minutes" → subject, op, value, unit and the rest; the first
 * operator followed by a number wins. A word operator before minutes or hours ("over 5 minutes",
 * "über 5 Minuten", "more than 2 minutes") is a window, not a comparison; so is any operator before
 * a duration right after "for"/"during"/"für"/"por"… ("for more than 30 seconds", "por más de 2
 * minutos"). "over 800ms" and "over 2s" stay thresholds.
 */
export function comparison(line: string): Comparison | undefined {
  const text = line.trim();
  const candidates: (Comparison & { at: number })[] = [];
  for (const m of text.matchAll(OP_RE)) {
    const end = m.index + m[0].length;
    const amount = AMOUNT.exec(text.slice(end));
    if (!amount) continue;
    const word = /\p{L}/u.test(m[0]);
    const unit = amount[2] ? timeUnit(amount[2]) : undefined;
    const lasting = unit === 's' || unit === 'm' || unit === 'h';
    if ((lasting && WINDOW_LEAD.test(text.slice(0, m.index))) || (word && (unit === 'm' || unit === 'h'))) continue;
    const op = SYMBOLS[m[0]] ?? WORD_OP.get(m[0].toLowerCase().replace(/\s+/g, ' '))!;
    candidates.push({ at: m.index, subject: text.slice(0, m.index).trim(), op, value: num(amount[1]), unit: amount[2] || undefined, rest: text.slice(end + amount[0].length).trim() });
    break;
  }
  for (const m of text.matchAll(POSTFIX_RE)) {
    if (m[2] === '分' || m[2] === '時間') continue; // "5分以上": a window
    const subject = text.slice(0, m.index).replace(/[がはの、,\s]+$/u, '').trim();
    candidates.push({ at: m.index, subject, op: POSTFIX_BELOW.test(m[3]) ? 'below' : 'above', value: num(m[1]), unit: m[2] || undefined, rest: text.slice(m.index + m[0].length).replace(/^[、,\s]+/u, '') });
    break;
  }
  const first = candidates.sort((a, b) => a.at - b.at)[0];
  if (!first) return undefined;
  const { at: _at, ...out } = first;
  return out;
}

/** A cell's value: "> 1%", "< 500ms", "1s", "2 %", "> 85% for 5 min", "5%以上" → op (when written), value, unit, rest. */
export function measure(cell: string): { op?: Op; value: number; unit?: string; rest: string } | undefined {
  const cmp = comparison(cell);
  if (cmp && cmp.subject === '') return { op: cmp.op, value: cmp.value, unit: cmp.unit, rest: cmp.rest };
  const amount = AMOUNT.exec(cell);
  if (!amount || /^[\s\d.,]*\d\s*[-–]\s*\d/.test(cell)) return undefined;
  return { value: num(amount[1]), unit: amount[2] || undefined, rest: cell.slice(amount[0].length).trim() };
}

// ── windows: "for 2+ minutes", "über 5 Minuten", "5分間" / "in the last 10 minutes" ───────────

const N = String.raw`(?<n>\d+(?:[.,]\d+)?)`;
const W = String.raw`(?<u>[a-zà-ÿ]+)`;
const JA = String.raw`(?<u>ミリ秒|秒|分|時間)`;
/** Either: a Latin unit word or a Japanese one. */
const TU = String.raw`(?<u>[a-zà-ÿ]+|ミリ秒|秒|分|時間)`;
const CONSECUTIVE = String.raw`(?:consecutive|straight|continuous|successive|aufeinanderfolgenden?|consecutiv[oa]s|seguid[oa]s|consécuti(?:ve|f)s)`;
const re = (s: string, flags = 'iu') => new RegExp(String.raw`(?<![\p{L}\p{N}])` + s, flags);

/**
 * How far back a rate or a count looks: "in the last 10 minutes", "within 10 minutes", "over the
 * past hour", "in a 5-minute window", "in den letzten 10 Minuten", "en los últimos 10 minutos",
 * "dans les 10 dernières minutes", "直近10分", "10分以内". Not a sustained `for`: "5 errors in the
 * last 10 minutes" is true the moment the 5th error lands, however long it lasts.
 */
const RATE: readonly RegExp[] = [
  re(String.raw`(?:in|over|during|within|in den|im|innerhalb der|en|durante|dans|sur|au cours)\s+(?:the\s+|los\s+|las\s+|les\s+|des\s+)?(?:last|past|previous|preceding|letzten|vergangenen|últimos|últimas|pasados|derniers|dernières)\s+(?:${N}\s*-?\s*)?${W}`),
  re(String.raw`(?:dans|sur|au cours)\s+(?:les|des)\s+${N}\s+(?:derni[eè]res?|derniers)\s+${W}`),
  re(String.raw`(?:within|innerhalb(?:\s+von)?|dentro\s+de|en\s+moins\s+de)\s+(?:an?\s+|the\s+)?${N}\s*-?\s*${W}`),
  re(String.raw`(?:in|per)\s+(?:an?\s+|every\s+)?${N}\s*-?\s*${W}(?:\s+(?:window|period|interval))?`),
  re(String.raw`(?:直近|過去|最近)\s*${N}\s*${JA}間?`),
  re(String.raw`${N}\s*${JA}以内`),
];

/** A sustained window: how long the condition must hold before it counts. */
const SUSTAINED: readonly RegExp[] = [
  re(String.raw`(?<lead>for|during|sustained(?:\s+for)?|lasting|over|für|während|über|durante|por|pendant|durant|sur)\s+(?:(?:at\s+least|more\s+than|over|longer\s+than|greater\s+than|a|an|mindestens|mehr\s+als|länger\s+als|über|al\s+menos|más\s+de|por\s+lo\s+menos|au\s+moins|plus\s+de|un|una|une)\s+)*${N}\s*\+?\s*-?\s*(?:${CONSECUTIVE}\s+)?${W}(?<window>\s+(?:window|period|interval|Zeitraum|Fenster|ventana|período|fenêtre))?`),
  re(String.raw`(?:länger\s+als|longer\s+than|mindestens|at\s+least|más\s+de|plus\s+de)\s+${N}\s*${W}`),
  re(String.raw`${N}\s*\+?\s*${CONSECUTIVE}\s+${W}`),
  re(String.raw`${N}\s*-?\s*${W}\s+in\s+a\s+row`),
  re(String.raw`${N}\s*${JA}(?:間|以上|継続|連続|続)`),
  re(String.raw`(?:連続|継続)\s*${N}\s*${JA}`),
  // the whole text is a duration: a Duration cell or "(5m)": "5m", "5 min", "≥ 5 min", "2+ min"
  new RegExp(String.raw`^\s*[(（]?\s*(?:[>≥]=?\s*)?${N}\s*\+?\s*${TU}\s*\+?\s*[)）]?\s*$`, 'iu'),
];

/** Consecutive samples or checks ("3 consecutive failed checks", "3 failed checks in a row", "3回連続"): a count, not a duration. */
const SAMPLES: readonly RegExp[] = [
  re(String.raw`${N}\s+${CONSECUTIVE}\s+(?:[\p{L}-]+\s+){0,2}?(?:checks?|samples?|probes?|polls?|scrapes?|attempts?|requests?|intervals?|data\s+points?|evaluations?|runs?|pings?|tests?|failures?|errors?|Prüfungen|Checks|comprobaciones|chequeos|vérifications|contrôles)(?!\p{L})`),
  re(String.raw`${N}\s+(?:[\p{L}-]+\s+){0,2}?(?:checks?|samples?|probes?|polls?|scrapes?|attempts?|failures?)\s+in\s+a\s+row`),
  re(String.raw`${N}\s*回連続`),
  re(String.raw`連続\s*${N}\s*回`),
];

export type WindowWords = {
  /** How long the condition must hold ("for 2 minutes", "sustained for 3 minutes", "über 5 Minuten", "5分間"): a trigger's `for`. */
  for?: string;
  /** How far back a rate looks ("in the last 10 minutes", "within 10 minutes"): never a `for`; the caller reports it. */
  rate?: string;
  /** A count of consecutive samples ("3 consecutive failed checks"): not a duration, so no `for`; the caller reports it. */
  samples?: number;
};

type Found = { at: number; end: number; value: string };

function firstDuration(text: string, patterns: readonly RegExp[]): Found | undefined {
  let best: Found | undefined;
  for (const p of patterns) {
    for (const m of text.matchAll(new RegExp(p.source, `${p.flags.replace('g', '')}g`))) {
      const g = m.groups ?? {};
      const unit = timeUnit(g.u ?? '');
      if (!unit) continue;
      // "over"/"über"/"sur" are operators too: a window with them is minutes or hours ("over 800ms" is a threshold), or says "window"
      if (g.lead !== undefined && /^(over|über|sur)$/i.test(g.lead) && !g.window && unit !== 'm' && unit !== 'h') continue;
      if (!best || m.index < best.at) best = { at: m.index, end: m.index + m[0].length, value: durationText(g.n === undefined ? 1 : num(g.n), unit) };
      break;
    }
  }
  return best;
}

/**
 * A guardrail's windows. "for N", "sustained for N", "over N minutes" after a comparison ("Error
 * rate > 2% over 5 minutes": in runbook prose a condition that holds over the period), "N
 * consecutive minutes", "für/länger als N Minuten", "durante/por más de N minutos", "pendant N
 * minutes", "N分間", "N分以上" and a bare duration ("5m") are how long it must hold: `for`.
 * "in the last N", "within N", "over the last N" are a rate's lookback: `rate`, never `for`.
 * "3 consecutive failed checks" is a count of samples: `samples`, and no `for`.
 */
export function windowWords(text: string): WindowWords {
  const out: WindowWords = {};
  let rest = text;
  const rate = firstDuration(text, RATE);
  if (rate) {
    out.rate = rate.value;
    // a lookback's words are no sustained window ("over the last 5 minutes" is not "over 5 minutes")
    for (const p of RATE) rest = rest.replace(new RegExp(p.source, `${p.flags.replace('g', '')}g`), (m) => ' '.repeat(m.length));
  }
  const held = firstDuration(rest, SUSTAINED);
  if (held) out.for = held.value;
  for (const p of SAMPLES) {
    const n = p.exec(text)?.groups?.n;
    if (n !== undefined) {
      out.samples = Number(n);
      break;
    }
  }
  return out;
}

// ── escalation: "Level 1 (0-5 min)", "L2 – 15m", "Stufe 2 (nach 15 Minuten)", "T+15m" ─────────

/** "Level 2", "L2", "P1", "Tier 1", "Nivel 1", "Stufe 2", "Niveau 3", "レベル2": the level's own number, never its time. */
const LEVEL = /^\s*(?:\*\*)?(?:level|lvl|tier|stage|step|phase|sev(?:erity)?|priority|nivel|etapa|fase|stufe|eskalationsstufe|niveau|palier|レベル|段階|l|p)\s*[-#]?\s*\d+(?!\d)/iu;
const OPEN = String.raw`[(（]?\s*`;
const CLOSE = String.raw`\s*[)）]?`;
const ESCALATION: readonly RegExp[] = [
  // a range: "(0-5 min)", "(5 to 15 minutes)", "(0 a 5 min)", "(0〜5分)"
  re(String.raw`${OPEN}${N}\s*(?:-|–|—|to|bis|a|à|〜|～|~)\s*(?:\d+(?:[.,]\d+)?)?\s*\+?\s*${TU}${CLOSE}`),
  // open-ended: "(15+ min)"
  re(String.raw`${OPEN}${N}\s*\+\s*${TU}${CLOSE}`),
  // "after 15 minutes", "(nach 15 Minuten)", "después de 15 minutos", "après 15 minutes"
  re(String.raw`${OPEN}(?:after|nach|después\s+de|tras|après|au\s+bout\s+de|at|um|a\s+los)\s+${N}\s*${TU}${CLOSE}`),
  // "T+15m"
  re(String.raw`T\s*\+\s*${N}\s*${TU}`),
  // "(5 min)", "（15分）", "(15分後)"
  re(String.raw`[(（]\s*(?:~|≈|about\s+)?${N}\s*${TU}\s*後?\s*[)）]`),
  // "15分後"
  re(String.raw`${N}\s*${TU}後`),
  // the time first, or right after the level: "15 min: page on-call", "L2 – 15m", "P1: 15 minutes"
  new RegExp(String.raw`^\s*[:：–—|-]?\s*${N}\s*${TU}(?!\p{L})`, 'iu'),
];

/**
 * When an escalation level starts: "Level 1 (0-5 min)" → 0m, "Level 2 (after 15 minutes)" → 15m,
 * "L2 – 15m", "P1: 15 minutes", "Stufe 2 (nach 15 Minuten)", "レベル2（15分）", "15 min: page
 * on-call", "T+15m", "After 30 minutes:", "(15+ min)"; `match` is the text that said it (for the
 * caller to cut from the title). A level's own number is no time: "Level 2: page the on-call" →
 * undefined (the caller reports it).
 */
export function escalationAfter(text: string): { after: string; match: string } | undefined {
  const level = LEVEL.exec(text);
  const masked = level ? ' '.repeat(level[0].length) + text.slice(level[0].length) : text;
  let best: { at: number; end: number; after: string } | undefined;
  for (const p of ESCALATION) {
    const m = p.exec(masked);
    const unit = m ? timeUnit(m.groups?.u ?? '') : undefined;
    if (!m || !unit) continue;
    const lead = m[0].length - m[0].trimStart().length;
    const at = m.index + lead;
    const end = m.index + m[0].trimEnd().length;
    if (!best || at < best.at || (at === best.at && end > best.end)) best = { at, end, after: durationText(num(m.groups!.n), unit) };
  }
  return best ? { after: best.after, match: text.slice(best.at, best.end) } : undefined;
}

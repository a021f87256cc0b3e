/**
 * One line of Markdown text → a piece of the runbook: a budget in a heading, a fence's attributes,
 * the commands of a shell block, a trigger, a threshold band, an escalation level, a criterion.
 * Every regular expression here sees a single line (or a single fence's info string).
 */
import { comparison, durationText, measure, normalUnit, NUMBER, num, timeUnit, UNIT, UNIT_MS, windowWords } from './markdown/guard-words.js';
import { splitCommands, wordsOf, type ShellWord } from './shell-lexer.js';

// ── durations, comparisons, windows and escalation times: the words, in guard-words.ts ─────

export { comparison, durationText, escalationAfter, timeUnit, windowWords, type Comparison, type WindowWords } from './markdown/guard-words.js';

/** "Deploy to Staging (2 minutes)" → { title: "Deploy to Staging", budget: "2m" }. */
export function headingBudget(title: string): { title: string; budget?: string; budgetText?: string } {
  const m = /\s*\(\s*(?:~|≈|about\s+|approx\.?\s+|up to\s+)?(\d+(?:\.\d+)?)\s*([a-z]+)\s*\)\s*$/i.exec(title);
  const unit = m ? timeUnit(m[2]) : undefined;
  if (!m || !unit) return { title };
  return { title: title.slice(0, m.index).trim(), budget: durationText(Number(m[1]), unit), budgetText: m[0].trim() };
}

// ── fence attributes (Runme's grammar) ────────────────────────────────────────────────────

/**
 * A fence's info string after the language: `{ name=deploy timeout=10m interactive=true }`,
 * `{ "name": "deploy" }` (Runme's JSON form) or bare `name=deploy`.
 */
export function fenceAttributes(meta: string | null | undefined): Record<string, string> {
  const text = (meta ?? '').trim();
  if (text === '') return {};
  if (text.startsWith('{')) {
    try {
      const json = JSON.parse(text) as unknown;
      if (json !== null && typeof json === 'object' && !Array.isArray(json))
        return Object.fromEntries(Object.entries(json as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
    } catch {
      /* not JSON: key=value pairs */
    }
  }
  const inner = text.replace(/^\{/, '').replace(/\}$/, '');
  const out: Record<string, string> = {};
  for (const m of inner.matchAll(/([A-Za-z_][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^\s,}]+))/g)) out[m[1]] = m[2] ?? m[3] ?? m[4] ?? '';
  return out;
}

// ── shell blocks ──────────────────────────────────────────────────────────────────────────

export const SHELL_LANGS = new Set(['bash', 'sh', 'shell', 'zsh', 'console', 'shell-session', 'shellsession', 'terminal']);
/** Fences whose commands follow a prompt (`$ `), the rest of their lines being output. */
export const PROMPT_LANGS = new Set(['console', 'shell-session', 'shellsession', 'terminal']);

export type BlockCommand = {
  /** The command as written (several lines for a continued or compound command). */
  readonly text: string;
  /** The `# comment` line directly above it, numbering removed. */
  readonly title?: string;
  /** 0-based line within the block's text, and the column of its first character (0-based). */
  readonly index: number;
  readonly col: number;
};

export type BlockSkip = { readonly index: number; readonly text: string; readonly why: string };

/**
 * A shell block → its commands, as the project's one shell lexer (splitCommands) reads them: a
 * `# comment` names the command after it; continuations, heredocs, quotes and compound commands
 * stay whole. `cd`, `export` and `set -e` lines are commands like any other (a block whose lines
 * share state runs as one script: hazards.ts sharesState). In a console block with `$ ` prompts
 * only the prompted lines (and their `> ` continuations) are commands; `#` lines stay comments;
 * the rest is output, skipped (a `> ` line after output too: never a redirection to run).
 */
export function blockCommands(code: string, lang: string): { commands: BlockCommand[]; skipped: BlockSkip[] } {
  const lines = code.split('\n');
  const skipped: BlockSkip[] = [];
  let script = code;
  // prompts ($, a root #, a > continuation or another shell's prompt): a transcript, where only `$ ` lines run
  if (PROMPT_LANGS.has(lang) && lines.some((l) => /^\s*[$#>]\s/.test(l) || /^\s*\$$/.test(l))) {
    let open = false; // the line before was a command: a `> ` line continues it
    script = lines
      .map((line, index) => {
        const prompt = /^\s*\$(?:\s|$)/.exec(line) ?? (open ? /^\s*>(?:\s|$)/.exec(line) : null);
        open = prompt !== null;
        // the prompt becomes blanks: lines and columns stay the block's own
        if (prompt) return ' '.repeat(prompt[0].length) + line.slice(prompt[0].length);
        if (/^\s*#/.test(line)) return line; // a comment titles the command after it
        if (line.trim() !== '') skipped.push({ index, text: line, why: 'output shown in a console block' });
        return '';
      })
      .join('\n');
  }
  const commands = splitCommands(script).commands.map((c): BlockCommand => ({ text: c.text, index: c.line, col: c.col, ...(c.title !== undefined ? { title: c.title } : {}) }));
  return { commands, skipped };
}

/**
 * Words of a command with, for each, whether it was written quoted (one quoted string, "…" or
 * '…'), from the shell lexer's words. undefined when it needs a shell. A word mixing quoted and
 * bare parts (a="b c") makes every word count as bare.
 */
export function quotedWords(text: string): { word: string; quoted: boolean }[] | undefined {
  const words = wordsOf(text);
  if (!words || words.length === 0) return undefined;
  const wholly = (w: ShellWord): boolean => {
    const src = text.slice(w.start, w.end);
    const q = src[0];
    return (q === '"' || q === "'") && src.length >= 2 && src.endsWith(q) && !src.slice(1, -1).includes(q);
  };
  const mixed = words.some((w) => w.quoted && !wholly(w));
  return words.map((w) => ({ word: w.text, quoted: !mixed && w.quoted }));
}

// ── inline commands ───────────────────────────────────────────────────────────────────────

const PROGRAMS =
  /^(npm|npx|pnpm|yarn|node|make|git|gh|kubectl|helm|docker|docker-compose|podman|curl|wget|terraform|ansible(-playbook)?|aws|gcloud|az|bash|sh|python3?|pip|go|cargo|mvn|gradle|bundle|rake|flyctl|fly|heroku|vercel|netlify|argocd|kubectl-argo-rollouts|sentry-cli|jq|psql|mysql|redis-cli)$/;

/** Whether inline code reads as a command to run: `./scripts/x.sh`, `make deploy`, `kubectl …`. */
export function looksLikeCommand(code: string): boolean {
  const t = code.trim();
  if (t === '' || t.includes('\n')) return false;
  const first = t.split(/\s+/)[0];
  // ./deploy.sh, ../x, ~/bin/x, /usr/local/bin/x (a single-segment absolute path alone is a URL path: /healthz)
  if (/^(\.{1,2}\/|~\/)\S/.test(first)) return true;
  if (/^\/[\w.-]+\/\S/.test(first) || (/^\/\S/.test(first) && t.includes(' '))) return true;
  // scripts/deploy.sh runs; doc/_static/version_switch.js is a file to edit
  if (/^[\w.-]+\/[\w./-]+\.(sh|bash)$/.test(first)) return true;
  return PROGRAMS.test(first) && t.includes(' ');
}

// ── metrics vocabulary ────────────────────────────────────────────────────────────────────

export type MetricWord = { readonly name: string; readonly unit?: string };

const LATENCY = { unit: 'ms', words: /\b(response[- ]?times?|latenc(y|ies)|response latency)\b/i };
const METRICS: { name: string; unit: string; words: RegExp }[] = [
  { name: 'error_rate', unit: '%', words: /\b(error[- ]?rates?|failure[- ]?rates?|errors?\s*%)\b/i },
  { name: 'throughput', unit: 'rps', words: /\b(throughput|requests? (per|\/) ?s(ec(ond)?)?|rps|request[- ]rate|traffic)\b/i },
  { name: 'memory', unit: '%', words: /\b(memory|mem|heap|ram)\b/i },
  { name: 'cpu', unit: '%', words: /\bcpu\b/i },
  { name: 'saturation', unit: '%', words: /\bsaturation\b/i },
];

/** The latency a prose line means when it names no percentile (PRODUCT.md: "Response time > 2s" watches latency_p95). */
export const DEFAULT_PERCENTILE = 'p95';

/**
 * The percentile a text names, exactly: "p99" → p99, "P99.9" and "p999" → p999, "99th percentile" → p99,
 * "median" → p50, "latency_p90" → p90; undefined when it names none. Never rounded to a neighbour.
 */
export function percentileOf(text: string): string | undefined {
  const code = /(?<![a-z0-9])t?p(\d{2}(?:\.\d+)?|99\d{1,2})(?![\d.]*\d)/i.exec(text)?.[1];
  const words = /(?<![\d.])(\d{2}(?:\.\d+)?)(?:st|nd|rd|th)?[- ]percentile\b/i.exec(text)?.[1];
  const n = code ?? words;
  if (n !== undefined) return `p${n.replace('.', '')}`;
  return /\bmedian\b/i.test(text) ? 'p50' : undefined;
}

/** Whether a subject is a percentile and nothing else: "p99", "The P99.9", "99th percentile". */
function bare(text: string): boolean {
  const rest = text
    .replace(/(?<![a-z0-9])t?p\d+(?:\.\d+)?/gi, ' ')
    .replace(/\d+(?:\.\d+)?(?:st|nd|rd|th)?[- ]percentile\b|\bmedian\b/gi, ' ')
    .replace(/\b(the|our|at|of|is|value)\b/gi, ' ');
  return !/[a-z]/i.test(rest);
}

function latencyish(name: string): boolean {
  return /latenc|response|duration|(^|_)rt(_|$)|time/i.test(name);
}

/**
 * A metric named in prose: "Response time" → latency_p95 (ms), "p99 latency" → latency_p99, "Memory
 * usage" → memory (%). A latency's percentile is the one the text names (or `more`, the rest of its
 * line, when the subject names none), never another: a series the front matter defines is used
 * only when it is for that same percentile.
 */
export function metricOf(text: string, known: readonly string[] = [], more = ''): MetricWord | undefined {
  const lower = text.toLowerCase();
  const pct = percentileOf(text) ?? (LATENCY.words.test(text) ? percentileOf(more) : undefined);
  for (const k of known) {
    const spaced = k.replace(/[_-]+/g, ' ').toLowerCase();
    if (!lower.includes(k.toLowerCase()) && !lower.includes(spaced)) continue;
    // "Latency p99" does not name a series "latency" or "latency_p95": only the p99 one
    if (pct !== undefined && (percentileOf(k) !== undefined || latencyish(k)) && percentileOf(k) !== pct) continue;
    return { name: k, unit: METRICS.find((m) => m.name === k)?.unit ?? (percentileOf(k) !== undefined && latencyish(k) ? LATENCY.unit : undefined) };
  }
  const other = METRICS.find((x) => x.words.test(text));
  // a latency word, or a percentile alone ("p99 > 2s"); "Queue depth p99" is not a latency
  if (LATENCY.words.test(text) || (pct !== undefined && !other && bare(text))) {
    const p = pct ?? DEFAULT_PERCENTILE;
    // the front matter's own name for that percentile's latency (http_latency_p99), when it has exactly one
    const same = known.filter((k) => percentileOf(k) === p && latencyish(k));
    return { name: same.length === 1 ? same[0] : `latency_${p}`, unit: LATENCY.unit };
  }
  return other ? { name: other.name, unit: other.unit } : undefined;
}

/** A value in a unit → the metric's unit: 2 seconds → 2000 for a metric in ms. */
export function convert(value: number, unit: string | undefined, target: string | undefined): number | undefined {
  const from = unit ? normalUnit(unit) : undefined;
  const to = target ? normalUnit(target) : undefined;
  if (from === undefined || to === undefined || from === to) return value;
  const ft = timeUnit(from);
  const tt = timeUnit(to);
  if (ft && tt) return round(value * (UNIT_MS[ft] / UNIT_MS[tt]));
  if (from === '%' || to === '%') return from === to ? value : undefined;
  return value;
}

function round(n: number): number {
  return Math.round(n * 1e9) / 1e9;
}

/**
 * "for 2 consecutive minutes" / "for 5 minutes" / "for 30s" / "over 5 minutes" → "2m", "5m", "30s",
 * "5m": the sustained window only (windowWords says what else the text has: a rate's lookback,
 * "in the last 10 minutes", is never a `for`; "3 consecutive failed checks" counts samples).
 */
export function windowOf(text: string): string | undefined {
  return windowWords(text).for;
}

// ── thresholds: "< 500ms (Warning), < 1s (Critical)" ──────────────────────────────────────

export type Band = { warn?: number; warnUnit?: string; critical?: number; criticalUnit?: string; direction?: 'above' | 'below'; dropWarnPct?: number; riseWarnPct?: number };

export function bandOf(text: string): Band | undefined {
  const band: Band = {};
  const ops: string[] = [];
  for (const m of text.matchAll(new RegExp(String.raw`(>=|<=|>|<|≥|≤)\s*${NUMBER}\s*${UNIT}\s*\(\s*(warn(?:ing)?|crit(?:ical)?)\s*\)`, 'gi'))) {
    ops.push(m[1]);
    if (/^warn/i.test(m[4])) [band.warn, band.warnUnit] = [num(m[2]), m[3] || undefined];
    else [band.critical, band.criticalUnit] = [num(m[2]), m[3] || undefined];
  }
  for (const m of text.matchAll(new RegExp(String.raw`\b(warn(?:ing)?|crit(?:ical)?)\s*(?:at|:|=|above|over|>|>=)?\s*${NUMBER}\s*${UNIT}(?![a-z])`, 'gi'))) {
    if (/^warn/i.test(m[1]) && band.warn === undefined) [band.warn, band.warnUnit] = [num(m[2]), m[3] || undefined];
    if (/^crit/i.test(m[1]) && band.critical === undefined) [band.critical, band.criticalUnit] = [num(m[2]), m[3] || undefined];
  }
  const drop = /\b(drops?|falls?|decreases?|rises?|grows?|increases?|spikes?)\s+(?:by\s+)?(?:more than\s+)?(\d+(?:\.\d+)?)\s*%/i.exec(text);
  if (drop) {
    if (/^(drop|fall|decrease)/i.test(drop[1])) band.dropWarnPct = Number(drop[2]);
    else band.riseWarnPct = Number(drop[2]);
  }
  // "< 500ms (Warning)": healthy below, so the band is breached above (the default); "> 99% (Warning)": breached below
  if (ops.length > 0 && ops.every((o) => o.startsWith('>') || o === '≥')) band.direction = 'below';
  return Object.keys(band).length > 0 ? band : undefined;
}

// ── threshold tables: | Metric | Warning | Critical |, | Condition | Threshold | Duration | Action | ──

type Column = 'subject' | 'healthy' | 'warn' | 'critical' | 'threshold' | 'window' | 'action' | 'rollback';

/** A header cell → what its column holds (the first pattern that matches wins: "Warning threshold" is a warning column). */
const COLUMNS: [Column, RegExp][] = [
  ['rollback', /roll\s*-?back|revert|zurückroll|rückroll|revertir|reversión|retour arrière|ロールバック/iu],
  ['warn', /^(?:warn(?:ing)?|warnung|advertencia|aviso|avertissement|attention|警告|注意|yellow|degraded)(?!\p{L})/iu],
  ['critical', /^(?:crit(?:ical)?|kritisch|cr[íi]tico|critique|重大|危険|クリティカル|red|severe)(?!\p{L})/iu],
  ['healthy', /^(?:healthy|normal|ok|good|target|expected|gesund|saludable|objetivo|sain|cible|正常|目標|green)(?!\p{L})/iu],
  ['window', /^(?:duration|for|window|sustained|period|dauer|zeitraum|fenster|duración|ventana|per[ií]odo|durée|fenêtre|期間|継続時間|持続時間)(?!\p{L})/iu],
  ['action', /^(?:action|response|then|aktion|maßnahme|reaktion|acci[óo]n|respuesta|réaction|アクション|対応)(?!\p{L})/iu],
  ['threshold', /^(?:threshold|limit|value|schwell(?:e|wert)|grenzwert|umbral|l[íi]mite|seuil|limite|閾値|しきい値)/iu],
  ['subject', /^(?:metric|signal|condition|trigger|indicator|sli|kpi|name|check|metrik|kennzahl|bedingung|m[ée]trica|señal|condici[óo]n|indicador|métrique|indicateur|メトリクス|指標|条件|監視項目)/iu],
];
const ROLLBACK = /roll\s*-?\s*back|revert|zurückroll|rückroll|revertir|reversión|retour arrière|ロールバック/iu;
/** "No rollback", "don't roll back", "never revert", "kein Rollback", "pas de rollback": the word right before (one word between at most). */
const NOT_ROLLBACK = /(?<!\p{L})(?:no|not|don'?t|never|kein(?:en)?|nicht|sin|pas)[\s-]+(?:[\p{L}-]+\s+)?(?:roll|revert|zurück)/iu;
const WARN_ACTION = /(?<!\p{L})(?:warn|alert|notify|slack|investigate|watch|aviso|alerta|warnung|alerte|通知|警告)/iu;
const CRITICAL_ACTION = /(?<!\p{L})(?:page|pager|critical|escalate|incident|call|kritisch|cr[íi]tico|critique|呼び出し)/iu;

export type TableMiss = { readonly row: number; readonly subject: string; readonly reason: string };
export type TableBand = { readonly row: number; readonly subject: string; readonly band: Band; readonly window?: string };
export type TableTrigger = { readonly row: number; readonly subject: string; readonly op: 'above' | 'below'; readonly value: number; readonly unit?: string; readonly window?: string };

type Cell = { op?: 'above' | 'below'; value: number; unit?: string; window?: string };

const clean = (cell: string | undefined) => (cell ?? '').replace(/\*\*|__|`/g, '').replace(/:\s*$/, '').trim();
const empty = (cell: string) => /^(?:|-+|—|–|n\/?a|none|ninguno|keine|aucun|なし)$/i.test(cell);

function columns(header: readonly string[]): { col: Partial<Record<Column, number>>; unit: (i: number) => string | undefined } {
  const col: Partial<Record<Column, number>> = {};
  header.forEach((h, i) => {
    const kind = COLUMNS.find(([, re]) => re.test(clean(h)))?.[0];
    if (kind !== undefined && col[kind] === undefined) col[kind] = i;
  });
  if (col.subject === undefined && !Object.values(col).includes(0)) col.subject = 0;
  // "Warning (ms)", "Threshold (%)": the unit of the column's bare numbers
  const unit = (i: number) => /\(\s*(%|ms|s|m|h|rps)\s*\)/i.exec(header[i] ?? '')?.[1];
  return { col, unit };
}

/** A threshold cell: "> 1%", "< 500ms", "1s", "2 %", "> 85% for 5 min"; null when empty, undefined when unreadable. */
function cellOf(text: string, unit: string | undefined): Cell | null | undefined {
  if (empty(text)) return null;
  const m = measure(text);
  const window = m ? windowOf(m.rest) : undefined;
  if (!m || (m.rest !== '' && window === undefined && !/^\(.*\)$/.test(m.rest))) return undefined;
  return { op: m.op, value: m.value, unit: m.unit ?? unit, window };
}

/** warn/critical/healthy values → whether the band is breached below: by their order, else by how the cells were written. */
function breachedBelow(warn: Cell | null, critical: Cell | null, healthy: Cell | null | undefined): boolean {
  const [a, b] = warn && critical ? [warn, critical] : healthy ? [healthy, warn ?? critical] : [undefined, undefined];
  if (a && b) {
    const bv = convert(b.value, b.unit, a.unit);
    if (bv !== undefined && bv !== a.value) return bv < a.value;
  }
  return (critical ?? warn)?.op === 'below';
}

/**
 * A Markdown table of thresholds → a band per row: | Metric | Warning | Critical |, | Metric |
 * Healthy | Warning | Critical |, | Métrica | Advertencia | Crítico |, or | Signal | Threshold |
 * Action | (an "alert"/"warn" action is the warning value, "page"/"critical" the critical one).
 * Cells: "> 1%", "< 500ms", "1s", "2 %", "> 85% for 5 min". The band is breached below when the
 * critical value is under the warning one (availability), else above (direction set only when
 * below, as bandOf). undefined when the table is not a threshold table; a row it cannot read, or
 * a rollback row (tableTriggers reads those), is a TableMiss with the reason.
 */
export function tableBands(header: readonly string[], rows: readonly (readonly string[])[]): (TableBand | TableMiss)[] | undefined {
  const { col, unit } = columns(header);
  const levels = col.warn !== undefined || col.critical !== undefined;
  if (!levels && (col.threshold === undefined || col.action === undefined)) return undefined;
  return rows.map((cells, row) => {
    const subject = clean(cells[col.subject ?? -1]);
    const read = (i: number | undefined) => (i === undefined ? null : cellOf(clean(cells[i]), unit(i)));
    let [warn, critical] = [read(col.warn), read(col.critical)];
    if (!levels) {
      const action = clean(cells[col.action!]);
      if (ROLLBACK.test(action) && !NOT_ROLLBACK.test(action)) return { row, subject, reason: `a rollback trigger ("${action}"): see tableTriggers` };
      const level = CRITICAL_ACTION.test(action) ? 'critical' : WARN_ACTION.test(action) ? 'warn' : undefined;
      if (!level) return { row, subject, reason: `the action "${action}" is neither a warning (alert, notify) nor critical (page, escalate)` };
      [warn, critical] = level === 'warn' ? [read(col.threshold), null] : [null, read(col.threshold)];
    }
    const bad = (levels ? [col.warn, col.critical] : [col.threshold]).find((i) => i !== undefined && read(i) === undefined);
    if (bad !== undefined) return { row, subject, reason: `could not read "${clean(cells[bad])}" (${clean(header[bad])}): write it like "> 1%", "< 500ms" or "> 85% for 5 min"` };
    if (!warn && !critical) return { row, subject, reason: 'no warning or critical value' };
    const windows = [...new Set([windowOf(clean(cells[col.window ?? -1])), warn?.window, critical?.window].filter((w) => w !== undefined))];
    if (windows.length > 1) return { row, subject, reason: `different windows in one row (${windows.join(', ')}): one band has one window` };
    const band: Band = {};
    if (warn) [band.warn, band.warnUnit] = [warn.value, warn.unit];
    if (critical) [band.critical, band.criticalUnit] = [critical.value, critical.unit];
    if (breachedBelow(warn ?? null, critical ?? null, read(col.healthy))) band.direction = 'below';
    const clear = Object.fromEntries(Object.entries(band).filter(([, v]) => v !== undefined)) as Band;
    return windows[0] !== undefined ? { row, subject, band: clear, window: windows[0] } : { row, subject, band: clear };
  });
}

/**
 * A Markdown table of rollback conditions → a trigger per row whose action rolls back: | Condition
 * | Threshold | Duration | Action |, | Signal | Threshold | Action |, or | Metric | Rollback when |
 * For | (every row). The action says "rollback", "roll back", "revert", "Rollback automático",
 * "zurückrollen"; an "alert"/"page" row is a TableMiss (not a trigger), as is a value with no
 * operator ("5%": above or below?). The condition cell may hold the whole comparison ("Error rate >
 * 5% for 2 min"). undefined when the table has neither an action nor a rollback column.
 */
export function tableTriggers(header: readonly string[], rows: readonly (readonly string[])[]): (TableTrigger | TableMiss)[] | undefined {
  const { col, unit } = columns(header);
  if (col.rollback === undefined && col.action === undefined) return undefined;
  const valueCol = col.rollback ?? col.threshold;
  return rows.map((cells, row) => {
    const condition = clean(cells[col.subject ?? -1]);
    const inline = comparison(condition);
    const subject = inline?.subject || condition;
    if (col.rollback === undefined) {
      const action = clean(cells[col.action!]);
      if (!ROLLBACK.test(action) || NOT_ROLLBACK.test(action)) return { row, subject, reason: `the action "${action}" does not roll back: not a trigger` };
    }
    const written = valueCol === undefined ? '' : clean(cells[valueCol]);
    const cell = written !== '' && !empty(written) ? cellOf(written, unit(valueCol!)) : inline ? { op: inline.op, value: inline.value, unit: inline.unit, window: windowOf(inline.rest) } : null;
    if (!cell) return { row, subject, reason: cell === null ? 'no threshold' : `could not read "${written}": write it like "> 5%" or "< 95%"` };
    if (!cell.op) return { row, subject, reason: `"${written}" has no operator: write "> ${written}" or "< ${written}"` };
    const window = windowOf(clean(cells[col.window ?? -1])) ?? cell.window;
    return { row, subject, op: cell.op, value: cell.value, ...(cell.unit !== undefined ? { unit: cell.unit } : {}), ...(window !== undefined ? { window } : {}) };
  });
}

/** The 1-based line of an offset, given the offsets where lines start (binary search). */
export function lineAt(lineStarts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

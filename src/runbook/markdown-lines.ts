/**
 * One line of Markdown text → a piece of the runbook: a budget in a heading, a fence's attributes,
 * the commands of a shell block, a trigger, a threshold band, an escalation level, a criterion.
 * Every regular expression here sees a single line (or a single fence's info string).
 */
import { splitWords } from './command.js';

// ── durations ──────────────────────────────────────────────────────────────────────────────

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "seconds", "min", "hrs" → s, m, h (undefined for anything else). */
export function timeUnit(word: string): 'ms' | 's' | 'm' | 'h' | undefined {
  const w = word.toLowerCase();
  if (/^(ms|msecs?|millis(econds?)?|milliseconds?)$/.test(w)) return 'ms';
  if (/^(s|secs?|seconds?)$/.test(w)) return 's';
  if (/^(m|mins?|minutes?)$/.test(w)) return 'm';
  if (/^(h|hrs?|hours?)$/.test(w)) return 'h';
  return undefined;
}

/** 5 minutes → "5m"; 1.5 minutes → "1m30s"; 90 seconds → "90s". */
export function durationText(n: number, unit: 'ms' | 's' | 'm' | 'h'): string {
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
const PROMPT_LANGS = new Set(['console', 'shell-session', 'shellsession', 'terminal']);

export type BlockCommand = {
  /** The command as written (several lines for a continued or compound command). */
  readonly text: string;
  /** The `# comment` above it, numbering removed. */
  readonly title?: string;
  /** 0-based line within the block's text, and the column of its first character (0-based). */
  readonly index: number;
  readonly col: number;
  readonly cwd?: string;
  readonly env?: Record<string, string>;
};

export type BlockSkip = { readonly index: number; readonly text: string; readonly why: string };

/** "# 1. Verify readiness" → "Verify readiness"; "# Quick fix: Retry flaky tests" stays. */
export function commentTitle(line: string): string {
  return line
    .replace(/^\s*#+\s*/, '')
    .replace(/^(?:step\s+)?\d+[.):]\s*/i, '')
    .trim();
}

const OPENERS: [RegExp, RegExp][] = [
  [/^(if)\b/, /^fi\b/],
  [/^(for|while|until|select)\b/, /^done\b/],
  [/^case\b/, /^esac\b/],
];

/**
 * A shell block → one command per line. A `# comment` names the command after it; a trailing `\`
 * continues a line; a heredoc, an unclosed quote or an if/for/while/case…done runs as one command;
 * `cd DIR` and `export K=V` carry over to the commands after them (each step is its own process).
 */
export function blockCommands(code: string, lang: string): { commands: BlockCommand[]; skipped: BlockSkip[] } {
  const lines = code.split('\n');
  const commands: BlockCommand[] = [];
  const skipped: BlockSkip[] = [];
  const prompts = PROMPT_LANGS.has(lang) && lines.some((l) => /^\s*[$#>]\s/.test(l) || /^\s*\$$/.test(l));
  let title: string | undefined;
  let cwd: string | undefined;
  let env: Record<string, string> | undefined;
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    if (prompts) {
      const m = /^(\s*)\$\s?(.*)$/.exec(line);
      if (!m) continue; // output shown in a console block
      line = m[1] + m[2];
    }
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (trimmed.startsWith('#!')) continue;
    if (trimmed.startsWith('#')) {
      if (title === undefined) title = commentTitle(trimmed) || undefined;
      continue;
    }
    const col = line.length - line.trimStart().length;
    const start = i;
    let text = trimmed;
    // continuation lines, heredocs, unclosed quotes and compound commands are one command
    const opener = OPENERS.find(([o]) => o.test(trimmed));
    const heredoc = /<<-?\s*['"]?([A-Za-z_][A-Za-z0-9_]*)['"]?/.exec(trimmed)?.[1];
    if (heredoc !== undefined) {
      while (i + 1 < lines.length) {
        i++;
        text += `\n${lines[i]}`;
        if (lines[i].trim() === heredoc) break;
      }
    } else if (opener && !opener[1].test(trimmed.split(/;\s*/).pop() ?? '')) {
      let depth = 1;
      while (i + 1 < lines.length && depth > 0) {
        i++;
        const t = lines[i].trim();
        text += `\n${lines[i]}`;
        if (opener[0].test(t)) depth++;
        for (const part of t.split(/;\s*/)) if (opener[1].test(part)) depth--;
      }
    } else {
      while ((endsWithBackslash(text) || unclosedQuote(text)) && i + 1 < lines.length) {
        i++;
        text += `\n${lines[i]}`;
      }
    }
    if (/^set\s+[-+][a-z]+(\s+[a-z]+)*$/i.test(text)) {
      skipped.push({ index: start, text, why: 'a shell option: every step runs in its own shell, and a failing step stops the stage anyway' });
      title = undefined;
      continue;
    }
    const cd = /^cd\s+(\S+)$/.exec(text);
    if (cd && splitWords(text)) {
      const dir = splitWords(text)![1];
      cwd = dir.startsWith('/') || cwd === undefined ? dir : `${cwd}/${dir}`;
      skipped.push({ index: start, text, why: `the directory of the commands after it (cwd: ${cwd})` });
      title = undefined;
      continue;
    }
    const exp = /^export\s+([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(text);
    const value = exp ? splitWords(exp[2] === '' ? "''" : exp[2]) : undefined;
    if (exp && value && value.length === 1) {
      env = { ...env, [exp[1]]: value[0] };
      skipped.push({ index: start, text, why: `the environment of the commands after it (${exp[1]})` });
      title = undefined;
      continue;
    }
    commands.push({ text, title, index: start, col, cwd, env });
    title = undefined;
  }
  return { commands, skipped };
}

function endsWithBackslash(text: string): boolean {
  return /\\$/.test(text.split('\n').pop() ?? '');
}

function unclosedQuote(text: string): boolean {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote === undefined && c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      const nl = text.indexOf('\n', i);
      if (nl < 0) break;
      i = nl;
      continue;
    }
    if (c === '\\' && quote !== "'") {
      i++;
      continue;
    }
    if (quote === undefined && (c === '"' || c === "'")) quote = c;
    else if (quote === c) quote = undefined;
  }
  return quote !== undefined;
}

/** Words of a command with, for each, whether it was written quoted. undefined when it needs a shell. */
export function quotedWords(text: string): { word: string; quoted: boolean }[] | undefined {
  if (!splitWords(text)) return undefined;
  const out: { word: string; quoted: boolean }[] = [];
  for (const m of text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) out.push({ word: m[1] ?? m[2] ?? m[3], quoted: m[3] === undefined });
  // a word mixing quoted and bare parts (a="b c"): fall back to the splitter's words, none quoted
  const words = splitWords(text)!;
  if (out.length !== words.length || out.some((w, i) => w.word !== words[i])) return words.map((word) => ({ word, quoted: false }));
  return out;
}

// ── inline commands ───────────────────────────────────────────────────────────────────────

const PROGRAMS =
  /^(npm|npx|pnpm|yarn|node|make|git|gh|kubectl|helm|docker|docker-compose|podman|curl|wget|terraform|ansible(-playbook)?|aws|gcloud|az|bash|sh|python3?|pip|go|cargo|mvn|gradle|bundle|rake|flyctl|fly|heroku|vercel|netlify|argocd|kubectl-argo-rollouts|sentry-cli|jq|psql|mysql|redis-cli)$/;

/** Whether inline code reads as a command to run: `./scripts/x.sh`, `make deploy`, `kubectl …`. */
export function looksLikeCommand(code: string): boolean {
  const t = code.trim();
  if (t === '' || t.includes('\n')) return false;
  const first = t.split(/\s+/)[0];
  if (/^(\.{1,2}\/|\/|~\/)\S/.test(first)) return true;
  if (/^[\w.-]+\/[\w./-]+\.(sh|bash|py|rb|js|mjs|ts|pl)$/.test(first)) return true;
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

function normalUnit(u: string): string {
  const w = u.toLowerCase();
  if (w === '%' || w === 'percent' || w === 'pct') return '%';
  return timeUnit(w) ?? w;
}

const NUMBER = String.raw`(\d+(?:[.,]\d+)?)`;
const UNIT = String.raw`(%|ms|milliseconds?|msecs?|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|rps|req\/s)?`;
const OPS: Record<string, 'above' | 'below'> = {
  '>': 'above',
  '>=': 'above',
  '≥': 'above',
  above: 'above',
  over: 'above',
  exceeds: 'above',
  'greater than': 'above',
  'more than': 'above',
  'higher than': 'above',
  '<': 'below',
  '<=': 'below',
  '≤': 'below',
  below: 'below',
  under: 'below',
  'less than': 'below',
  'lower than': 'below',
  'drops below': 'below',
  'falls below': 'below',
};
const OP = String.raw`(>=|<=|>|<|≥|≤|drops below|falls below|greater than|more than|higher than|less than|lower than|above|below|over|under|exceeds)`;

const num = (s: string) => Number(s.replace(',', '.'));

export type Comparison = { subject: string; op: 'above' | 'below'; value: number; unit?: string; rest: string };

/** "Error rate > 1% for 2 consecutive minutes" → subject, op, value, unit and the rest. */
export function comparison(line: string): Comparison | undefined {
  const m = new RegExp(String.raw`^(.*?)\s*${OP}\s*${NUMBER}\s*${UNIT}(?![a-z])(.*)$`, 'i').exec(line.trim());
  if (!m) return undefined;
  return { subject: m[1].trim(), op: OPS[m[2].toLowerCase()], value: num(m[3]), unit: m[4] || undefined, rest: m[5].trim() };
}

/** "for 2 consecutive minutes" / "for 5 minutes" / "for 30s" → "2m", "5m", "30s". */
export function windowOf(text: string): string | undefined {
  const m = /\bfor\s+(?:at least\s+|more than\s+|over\s+)?(\d+(?:\.\d+)?)\s*(?:consecutive\s+|straight\s+)?([a-z]+)\b/i.exec(text);
  const unit = m ? timeUnit(m[2]) : undefined;
  return m && unit ? durationText(Number(m[1]), unit) : undefined;
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

// ── escalation: "Level 1 (0-5 min): Automated alerts to #releases" ───────────────────────

export function escalationAfter(text: string): { after: string; match: string } | undefined {
  const range = /\(?\s*(\d+(?:\.\d+)?)\s*(?:-|–|—|to)\s*(?:\d+(?:\.\d+)?)?\s*\+?\s*([a-z]+)\s*\)?|\(?\s*(\d+(?:\.\d+)?)\s*\+\s*([a-z]+)\s*\)?|\bafter\s+(\d+(?:\.\d+)?)\s*([a-z]+)/i.exec(text);
  if (!range) return undefined;
  const n = range[1] ?? range[3] ?? range[5];
  const unit = timeUnit(range[2] ?? range[4] ?? range[6]);
  if (!unit) return undefined;
  return { after: durationText(Number(n), unit), match: range[0] };
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

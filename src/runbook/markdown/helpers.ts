/** Small pure helpers of the importer: titles, ids, argument lookup, list shapes. */
import { quoteArg } from '../shell-quote.js';
import { basename, extname } from 'node:path';
import type { Code, ListItem, Paragraph, RootContent } from 'mdast';
import { parseCommand, programOf } from '../command.js';
import { boldLabel, cleanTitle, plain, type Section } from '../markdown-tree.js';
import { slug } from '../normalize.js';
import { isAlternative, isNumberedAlternative } from './classify.js';
import { normalUnit } from './guard-words.js';
import type { Cmd } from './model.js';

/** An instruction not to do something: "Do not run", "Never use", "Don't", "avoid", in several languages. */
export const NEGATED = /\b(?:do not|don['’]t|never|must not|should not|shouldn['’]t|avoid|nicht|niemals|no (?:ejecute|ejecutes|uses|use)|nunca|ne (?:pas|jamais)|n['’]exécutez pas|jamais)\b|しないで|禁止|不要/i;

export const CONDITIONAL = /\b(?:only (?:after|when|if|once)|if (?:needed|necessary|required|you|the|it)|when (?:needed|necessary)|optional(?:ly)?|unless|in case|si es necesario|falls nötig|wenn nötig|si nécessaire|you can|puedes|kann man)\b|必要に応じて|必要なら/i;

/** Inline code in a checklist item that reads as a command: a program and its arguments (`cap production deploy`). */
export function looksLikeTaskCommand(code: string): boolean {
  const t = code.trim();
  return !t.includes('\n') && /^[a-z][\w.-]*(?:\s+[-\w./:=@,{}'"]+)+$/.test(t) && !/^[\w-]+\.(?:md|json|ya?ml|txt|lock|toml)\b/.test(t);
}

/** Whether content holds a checklist (`- [ ]` items). */
export function hasChecklist(nodes: readonly RootContent[]): boolean {
  return nodes.some((n) => n.type === 'list' && n.children.some((i) => typeof i.checked === 'boolean'));
}

/** The children that are alternatives of one another: two or more, numbered ("Option 1") or all alike ("If you use X"). */
export function alternativesAmong(children: readonly Section[], strategy?: (c: Section) => boolean): Section[] {
  const bare = (c: Section) => c.title.replace(/^[^\p{L}\p{N}]+/u, '');
  // "Option 1 … Option 3", "Method 1 … Method 4": numbered alternatives first, whatever their words
  const numbered = children.filter((c) => isNumberedAlternative(bare(c)));
  if (numbered.length >= 2) return numbered;
  // several rollbacks side by side ("Blue-Green Rollback", "Canary Rollback", "Helm Rollback"): strategies to choose from
  const strategies = strategy ? children.filter(strategy) : [];
  if (strategies.length >= 2) return strategies;
  const alts = children.filter((c) => isAlternative(c.title));
  return alts.length >= 2 ? alts : [];
}

export function codeIn(n: { children?: unknown[] }): Code[] {
  const out: Code[] = [];
  for (const c of (n.children ?? []) as { type: string; children?: unknown[] }[]) {
    if (c.type === 'code') out.push(c as unknown as Code);
    else if (c.children) out.push(...codeIn(c));
  }
  return out;
}

/** A paragraph that only labels what follows: `**Success Criteria:**`, or short text ending in ":". */
export function labelOf(p: Paragraph): string | undefined {
  const lab = boldLabel(p.children);
  if (lab && plain({ type: 'paragraph', children: lab.rest }).trim() === '') return lab.label;
  const text = plain(p).trim();
  if (text.endsWith(':') && text.length <= 60 && !text.includes('\n')) return cleanTitle(text.slice(0, -1));
  return undefined;
}

export function itemText(item: ListItem): string {
  const first = item.children[0];
  return first?.type === 'paragraph' ? plain(first) : '';
}

/** "./scripts/verify-tests.sh --x" → "verify-tests". */
export function titleOf(run: string): string {
  const prog = programOf(parseCommand(run));
  return prog ? basename(prog, extname(prog)) : run.split('\n')[0];
}

/** "Tests failing in CI/CD" → "Tests failing"; "Deployment stuck/timing out" → "Deployment stuck". */
export function matchOf(title: string): string {
  const t = title.replace(/^["“'`]+|["”'`]+$/g, '').trim();
  const cut = /\s+(?:in|on|during|while|when|after|for)\s+|\/|:|\s+[-–—]\s+|\s*\(/.exec(t);
  const m = cut && cut.index > 0 ? t.slice(0, cut.index).trim() : t;
  return m || t;
}

export function shellWith(c: Cmd): string {
  const env = Object.entries(c.env ?? {})
    .map(([k, v]) => `${k}=${quoteArg(v)} `)
    .join('');
  return `${c.cwd !== undefined ? `cd ${quoteArg(c.cwd)} && ` : ''}${env}${c.run}`;
}


export function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function metricSlug(subject: string): string {
  return slug(subject).replace(/-/g, '_') || 'metric';
}

/** A value's unit as the series keeps it (guard-words.ts normalUnit), or none. */
export function normalUnitOf(u: string | undefined): string | undefined {
  return u ? normalUnit(u) : undefined;
}

export type Arg = { name: string; value: string; index: number; valueIndex: number; replace(p: string): string };

/** `--feature=x` or `--feature x` among argv words. */
export function argValue(words: readonly string[], names: readonly string[]): Arg | undefined {
  for (let i = 1; i < words.length; i++) {
    const m = /^(--?)([A-Za-z][\w-]*)(?:=(.*))?$/.exec(words[i]);
    if (!m || !names.includes(m[2].toLowerCase())) continue;
    if (m[3] !== undefined) return { name: `${m[1]}${m[2]}`, value: m[3], index: i, valueIndex: -1, replace: (p) => `${m[1]}${m[2]}=${p}` };
    if (i + 1 < words.length && !words[i + 1].startsWith('-')) return { name: `${m[1]}${m[2]}`, value: words[i + 1], index: i, valueIndex: i + 1, replace: (p) => `${m[1]}${m[2]}=${p}` };
  }
  return undefined;
}

export const ENVIRONMENTS = /\b(production|prod|live|staging|canary|qa|uat|preprod|pre-production|sandbox|development)\b/i;

/** "Deploy to Staging" → staging; "Deploy to Production" → production (so the triggers arm there); else the slug. */
export function stageIdentity(title: string, taken: Set<string>): { id: string; environment?: string } {
  const env = ENVIRONMENTS.exec(title)?.[1]?.toLowerCase();
  const verbal = /\b(deploy|deployment|release|ship|roll ?out|promote|push)\b/i.test(title) || (env !== undefined && title.trim().toLowerCase() === env);
  let base = env && verbal ? env : slug(title);
  // a title in another script (Japanese, Cyrillic…) or only a number: numbered, never empty
  if (base === 'step' || base === 'stage') base = `stage-${taken.size + 1}`;
  else if (/^\d+(?:-\d+)*$/.test(base)) base = `stage-${base}`;
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  taken.add(id);
  return { id, environment: env && id !== env ? env : undefined };
}

/** A heading that reads like a step of a release: numbered, or naming what a release does. */
export function releaseStep(title: string): boolean {
  const t = title.replace(/^[^\p{L}\p{N}]+/u, '').trim();
  return (
    /^(?:step|schritt|paso|étape|etapa|phase|stage|ステップ|手順)?\s*\d+\s*[.):：]?(?:\s|$)|^\d+[.)]/iu.test(t) ||
    /deploy|releas|roll ?out|ship|publish|build|\btag|migrat|upgrade|install|promot|canary|smoke|verif|cut\b|prepar|bump|version|package|artifact|despliegue|desplegar|lanzamiento|publicar|bereitstell|veröffentlich|ausroll|déploi|publication|livraison|implanta|publicação|デプロイ|リリース|公開|展開|転送|発布|部署|上线|发布/iu.test(t)
  );
}

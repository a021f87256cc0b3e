/**
 * Sections of a Markdown runbook → the raw runbook (the same shape a cockpit.yml gives), with the
 * position of everything it wrote and a report of everything it did not map, and why.
 *
 * A section's kind comes from its heading ("Pre-Flight Checklist", "Rollback Procedures", …) or,
 * failing that, from its parent's; a bold label before a list ("**Success Criteria:**") gives
 * that list its own kind. See PRODUCT.md §1.2 and the report's wording for the decisions.
 */
import { basename, extname } from 'node:path';
import type { Code, List, ListItem, Paragraph, PhrasingContent, RootContent } from 'mdast';
import { parseCommand, programOf } from './command.js';
import { boldLabel, cleanTitle, endLineOf, itemPhrasing, lineOf, offsetOf, plain, walkSections, type MarkdownTree, type Section } from './markdown-tree.js';
import {
  bandOf,
  blockCommands,
  comparison,
  convert,
  escalationAfter,
  fenceAttributes,
  headingBudget,
  looksLikeCommand,
  metricOf,
  quotedWords,
  SHELL_LANGS,
  windowOf,
  type Band,
  lineAt,
} from './markdown-lines.js';
import { slug } from './normalize.js';
import { blockIsNotASequence, commandHazard, notShell, placeholdersIn, sharesState, sshLogin, withInputs, type Hazard } from './markdown/hazards.js';
import { targetOf } from './markdown-targets.js';
import { classify, isAlternative, isNumberedAlternative, STRONG, type Kind } from './markdown/classify.js';

export type UnmappedKind =
  /** prose, links, philosophy: for reading */
  | 'documentation'
  /** checks, targets and paths for people that the runbook model has no place for */
  | 'for-people'
  /** automatable once the front matter says what the prose cannot (a series' query or pointer for its metrics source) */
  | 'needs-front-matter'
  /** done by cockpit itself or another cockpit command */
  | 'elsewhere'
  /** commands cockpit found but could not place */
  | 'no-place'
  /** a Runme attribute or form cockpit does not support */
  | 'unsupported'
  /** a line that reads like automation but could not be read */
  | 'unreadable';

export type Unmapped = { readonly line: number; readonly endLine?: number; readonly what: string; readonly why: string; readonly kind: UnmappedKind };
export type Note = {
  readonly line: number;
  readonly text: string;
  /** The runbook path the assumption is about: dropped when the front matter sets it. */
  readonly about?: readonly string[];
};

/** What the front matter tells the prose mapping. */
export type Hints = {
  readonly name?: string;
  /** The metrics source's type, when the front matter names one: prometheus and http-json need each series' query or pointer from it. */
  readonly sourceType?: string;
  readonly series: Readonly<Record<string, { readonly unit?: string }>>;
  readonly probes: readonly { readonly name: string; readonly critical?: boolean }[];
  readonly notify?: unknown;
};

/** Where each object (and each scalar, by its parent and key) came from, as offsets into the Markdown. */
export class Positions {
  readonly objects = new WeakMap<object, number>();
  readonly fields = new WeakMap<object, Map<string | number, number>>();
  /** Where a key itself was written, when that differs from its value (front matter). */
  readonly keys = new WeakMap<object, Map<string, number>>();
  mark<T extends object>(o: T, offset: number): T {
    if (!this.objects.has(o)) this.objects.set(o, offset);
    return o;
  }
  field(o: object, key: string | number, offset: number): void {
    let m = this.fields.get(o);
    if (!m) this.fields.set(o, (m = new Map()));
    m.set(key, offset);
  }
  key(o: object, key: string, offset: number): void {
    let m = this.keys.get(o);
    if (!m) this.keys.set(o, (m = new Map()));
    m.set(key, offset);
  }
  keyAt(o: object, key: string): number | undefined {
    return this.keys.get(o)?.get(key);
  }
  of(o: object): number | undefined {
    return this.objects.get(o);
  }
  at(parent: object, key: string | number): number | undefined {
    const v = (parent as Record<string | number, unknown>)[key];
    if (v !== null && typeof v === 'object' && this.objects.has(v)) return this.objects.get(v);
    return this.fields.get(parent)?.get(key);
  }
}

export type Obj = Record<string, unknown>;

/** Kinds that keep their meaning even inside the release process (a "Rollback" heading there is not a stage). */

export { classify };

type Cmd = {
  run: string;
  /** The text for a person, when this cannot run as a step (a hazard, not shell): a manual step. */
  manual?: string;
  hazard?: Hazard;
  /** Why a person judges whether it runs ("# Force rollback if needed"): a manual step in a stage or rollback, offered as is in troubleshooting. */
  conditional?: string;
  title?: string;
  offset: number;
  line: number;
  id?: string;
  timeout?: string;
  cwd?: string;
  env?: Record<string, string>;
  /** where the fence's attributes were written */
  attrOffset?: number;
};

type StageDraft = { section: Section; title: string; budget?: string; steps: unknown[]; criteria: Obj[]; offset: number };

type MetricUse = {
  what: 'trigger' | 'criterion';
  line: number;
  offset: number;
  text: string;
  metric: string;
  unit?: string;
  op: 'above' | 'below';
  value: number;
  valueUnit?: string;
  window?: string;
  stage?: StageDraft;
};

type BandUse = { line: number; offset: number; text: string; metric: string; unit?: string; band: Band };

export type Mapped = {
  raw: Obj;
  positions: Positions;
  unmapped: Unmapped[];
  notes: Note[];
};

const RAMP_LADDER = [1, 5, 25, 50, 100];

export function mapMarkdown(tree: MarkdownTree, hints: Hints, file: string): Mapped {
  return new Mapper(tree, hints, file).map();
}

class Mapper {
  readonly pos = new Positions();
  readonly unmapped: Unmapped[] = [];
  readonly notes: Note[] = [];
  private readonly preflight: Obj[] = [];
  private readonly stageDrafts = new Map<Section, StageDraft>();
  private readonly stageOrder: StageDraft[] = [];
  private readonly rollbackSteps: unknown[] = [];
  private readonly rollbackVerify: unknown[] = [];
  private incident?: { run: string[] | string; offset: number };
  private readonly triggerOrder: (MetricUse | { probe: Obj; offset: number; line: number; text: string })[] = [];
  private readonly criteriaUses: MetricUse[] = [];
  private readonly bands: BandUse[] = [];
  private readonly escalation: Obj[] = [];
  private provider?: Obj;
  private readonly ramps: Record<string, number[]> = {};
  /** `./scripts/deploy-with-flags.sh --feature=x --enabled=false`: the flags' deploy template. */
  private flagDeploy?: { readonly run: string[]; readonly line: number; readonly offset: number; readonly text: string };
  private readonly experiments: Record<string, Obj> = {};
  private readonly troubleshooting: Obj[] = [];
  private readonly emergency: Obj[] = [];
  /** DORA targets stated in a success-metrics section (markdown-targets.ts). */
  private readonly targets: Obj = {};
  private readonly hasRelease: boolean;
  private readonly owners = new Map<Section, Section>();
  /** A choice's option being collected (choiceFrom): stage and rollback steps go there. */
  private capture?: unknown[];
  /** Mappings a person must look at in the plan review. */
  readonly uncertain: Note[] = [];
  /** Inputs the document's placeholders ask for: name → how it was written, where first. */
  private readonly inputs = new Map<string, { prompt: string; line: number; offset: number }>();
  /** Why the rollback sections cannot become a rollback that runs on its own (a step for a person, alternatives). */
  private rollbackRefused?: { line: number; why: string };
  /** An `ssh host` login left open by a block: what follows in its part of the document was written for that host. */
  private remote?: { host: string; line: number; depth: number };
  private sectionDepth = 0;
  /** Items of numbered lists (a procedure's steps). */
  private readonly ordered = new WeakSet<ListItem>();

  constructor(
    private readonly tree: MarkdownTree,
    private readonly hints: Hints,
    private readonly file: string,
  ) {
    this.hasRelease = walkSections(tree.top).some((s) => s.depth > 0 && classify(s.title) === 'release');
    // an indented block (no fence) whose every line is a `$ ` prompt is a shell session
    for (const sec of walkSections(tree.top))
      for (const code of sec.content.flatMap((n) => (n.type === 'code' ? [n] : codeIn(n as { children?: unknown[] }))))
        if (code.lang == null && !/^\s*(```|~~~)/.test(tree.lines[lineOf(code) - 1] ?? '') && code.value.trim() !== '' && code.value.split('\n').every((l) => l.trim() === '' || /^\s*\$\s+\S/.test(l))) code.lang = 'console';
  }

  // ── reporting ────────────────────────────────────────────────────────────────────────────

  private skip(line: number, what: string, why: string, kind: UnmappedKind, endLine?: number): void {
    this.unmapped.push({ line, endLine: endLine !== undefined && endLine > line ? endLine : undefined, what, why, kind });
  }

  private note(line: number, text: string, about?: string[]): void {
    this.notes.push({ line, text, about });
  }

  /** Content nobody used: one "documentation only" line for the section, naming its bold labels. */
  private leftovers(section: Section, nodes: RootContent[], why = 'documentation only'): void {
    const real = nodes.filter(
      (n) => n.type !== 'thematicBreak' && n.type !== 'definition' && !(n.type === 'html' && /^\s*<!--/.test(n.value)) && !(n.type === 'code' && SHELL_LANGS.has((n.lang ?? '').toLowerCase())),
    );
    if (real.length === 0) return;
    const labels = real.flatMap((n) => (n.type === 'paragraph' ? [boldLabel(n.children)?.label ?? ''] : [])).filter(Boolean);
    const what = section.depth === 0 ? 'text before the first heading' : `${section.title}${labels.length ? ` (${labels.join(', ')})` : ''}`;
    this.skip(lineOf(real[0]), what, why, 'documentation', endLineOf(real[real.length - 1]));
  }

  // ── walking ──────────────────────────────────────────────────────────────────────────────

  map(): Mapped {
    this.visit(this.tree.top, undefined, undefined);
    const raw = this.finish();
    return { raw, positions: this.pos, unmapped: this.unmapped.sort((a, b) => a.line - b.line), notes: this.notes.sort((a, b) => a.line - b.line) };
  }

  private visit(s: Section, inherited: Kind | undefined, stageOwner: Section | undefined): void {
    this.sectionDepth = s.depth;
    const own = s.depth > 0 ? classify(s.title) : undefined;
    let kind: Kind | undefined = own ?? inherited;
    // inside a part for people to pick from (troubleshooting, emergency, a command reference), a
    // sub-heading like "Rollback stuck" names a problem, not a rollback to run
    if ((inherited === 'troubleshooting' || inherited === 'emergency' || inherited === 'reference') && (own === undefined || ['rollback', 'rollback-verify', 'triggers', 'release', 'monitoring', 'stage'].includes(own))) kind = inherited;
    else if (inherited === 'release' && (own === undefined || !STRONG.has(own))) kind = 'stage';
    else if (inherited === 'stage' && own === 'criteria') kind = 'criteria';
    else if (inherited === 'stage' && (own === undefined || !STRONG.has(own))) kind = 'stage-part';
    else if ((kind === undefined || kind === 'monitoring') && s.depth > 0 && !this.hasRelease && (this.hasOwnCommands(s) || hasChecklist(s.content))) kind = 'stage';
    else if (kind === undefined && s.depth > 0 && this.hasRelease && hasChecklist(s.content)) kind = 'stage';
    const owner = kind === 'stage' ? s : kind === 'stage-part' || kind === 'criteria' ? stageOwner : undefined;
    if (owner) this.owners.set(s, owner);

    // whole subtrees for people or for reading: one line each (commands inside are still reported)
    const forPeople = kind === 'targets' || kind === 'celebration';
    const reading = kind === 'docs' || kind === 'reference' || (kind === undefined && s.depth > 0);
    if (forPeople || (reading && (kind === 'reference' || (!this.subtreeHasCommands(s) && !this.subtreeClaimed(s) && (kind === 'docs' || !walkSections(s).some((x) => hasChecklist(x.content))))))) {
      if (s.content.length > 0 || s.children.some((c) => c.content.length > 0)) {
        const inner = s.children.length > 0 ? ` (${walkSections(s).slice(1).map((c) => c.title).join(', ')})` : '';
        const mapped = kind === 'targets' ? this.targetsIn(s) : 0;
        const why =
          kind === 'targets'
            ? mapped
              ? `${mapped} DORA target${mapped === 1 ? '' : 's'} mapped (targets:), the rest for people`
              : 'not automatable (targets for people)'
            : kind === 'celebration'
              ? 'not automatable (checklists for people)'
              : kind === 'reference'
                ? 'a command reference: examples to pick from by hand, never run as steps'
                : 'documentation only';
        this.skip(s.line, `${s.title}${inner}`, why, forPeople ? 'for-people' : 'documentation', s.endLine);
      }
      if (kind !== 'reference') for (const sub of walkSections(s)) this.reportStrayCommands(sub, sub.content);
      return;
    }

    // a release section with commands of its own is a stage too (its sub-sections are stages)
    this.section(s, kind === 'release' && (this.hasOwnCommands(s) || hasChecklist(s.content)) ? 'stage' : kind);
    let down: Kind | undefined = kind === 'stage' || kind === 'stage-part' || kind === 'criteria' ? 'stage' : kind === 'docs' ? undefined : kind;
    // the document's title speaks for the document, not for its sections: "# Rollback Runbook" does not make its deploy a rollback
    if (s.depth === 1 && down !== 'release' && down !== 'stage') down = undefined;
    const alts = alternativesAmong(s.children, kind === 'rollback' ? (c) => classify(c.title) === 'rollback' && this.subtreeHasCommands(c) : undefined);
    for (const c of s.children) {
      if (alts.includes(c)) {
        if (c === alts[0]) this.choiceFrom(s, alts, kind, down, owner);
        continue;
      }
      this.visit(c, down, owner);
    }
  }

  /**
   * Sibling sections that are alternatives ("Option 1 … Option 3", "Method 1: helm rollback / Method
   * 2: kubectl rollout undo", "If you use Helm / If you use kubectl"): a choice the operator makes,
   * never a chain. In a rollback the choice is the rollback's; elsewhere a step of the stage.
   */
  private choiceFrom(parent: Section, alts: Section[], kind: Kind | undefined, down: Kind | undefined, owner: Section | undefined): void {
    const inRollback = kind === 'rollback' || down === 'rollback';
    const reading = kind === 'docs' || kind === 'reference' || kind === 'troubleshooting' || kind === 'emergency' || kind === 'preflight' || kind === 'flags' || kind === 'experiments';
    if (reading) {
      for (const c of alts) this.visit(c, down, owner);
      return;
    }
    const stageOwner = inRollback ? undefined : (owner ?? parent);
    if (!inRollback) this.owners.set(parent, stageOwner!);
    const options: { title: string; steps: unknown[]; offset: number; line: number; why?: string }[] = [];
    for (const alt of alts) {
      const captured = this.captured(() => this.visit(alt, inRollback ? 'rollback' : 'stage', stageOwner));
      const manual = captured.find((x) => x !== null && typeof x === 'object' && 'manual' in x) as { manual: string } | undefined;
      options.push({ title: cleanTitle(alt.title), steps: captured, offset: alt.heading ? offsetOf(alt.heading) : 0, line: alt.line, why: manual ? manual.manual : captured.length === 0 ? 'no commands' : undefined });
    }
    const runnable = options.filter((o) => o.why === undefined);
    const where = inRollback ? 'the rollback' : `stage "${this.stageFor(stageOwner!).title}"`;
    const title = `${cleanTitle(parent.title) || 'Choose'}: one of ${options.map((o) => o.title).join(' / ')}`;
    if (runnable.length >= 2 && runnable.length === options.length) {
      const choose = this.pos.mark({ choose: { title: cleanTitle(parent.title) || 'Choose one', options: options.map((o) => this.pos.mark({ title: o.title, steps: this.pos.mark(o.steps, o.offset) }, o.offset)) } }, options[0].offset);
      this.push(inRollback ? this.rollbackSteps : this.stageFor(stageOwner!).steps, choose, options[0].offset);
      this.uncertainty(alts[0].line, `${options.length} alternatives for ${where} (${options.map((o, i) => `${i + 1} ${o.title}`).join(', ')}): a choice to make before it can run, never chained`);
      return;
    }
    // alternatives some of which are for people: the operator does one by hand (never a rollback that runs on its own)
    const text = `Choose one and do it: ${options.map((o, i) => `(${i + 1}) ${o.title}${o.why ? ` [${o.why}]` : ''}`).join('; ')}`;
    if (inRollback) {
      this.rollbackRefused = { line: alts[0].line, why: `the rollback is ${options.length} alternatives, not all of which can run on their own (${text})` };
      return;
    }
    this.push(this.stageFor(stageOwner!).steps, this.pos.mark({ title: title.slice(0, 80), manual: text }, options[0].offset), options[0].offset);
    this.uncertainty(alts[0].line, `${options.length} alternatives for ${where}, not all runnable: a manual step ("${text.slice(0, 100)}")`);
  }

  /** Runs `fn` with stage and rollback steps collected apart (a choice's option), and returns them. */
  private captured(fn: () => void): unknown[] {
    const outer = this.capture;
    const inner: unknown[] = [];
    this.capture = inner;
    try {
      fn();
    } finally {
      this.capture = outer;
    }
    return inner;
  }

  /** Where a stage or rollback step goes: the option being collected, or its list. */
  private sink(list: unknown[]): unknown[] {
    return this.capture ?? list;
  }

  private uncertainty(line: number, text: string): void {
    this.uncertain.push({ line, text });
  }

  /** A document with no commands: its numbered steps and checklist items, in order, as manual steps (not those in parts for reading). */
  private procedureItems(): Obj[] {
    const out: Obj[] = [];
    for (const sec of walkSections(this.tree.top)) {
      const k = classify(sec.title);
      if (k === 'docs' || k === 'celebration' || k === 'targets' || k === 'history' || k === 'reference' || k === 'escalation' || k === 'triggers' || k === 'thresholds') continue;
      for (const list of sec.content.filter((x): x is List => x.type === 'list')) {
        if (!list.ordered && !list.children.some((i) => typeof i.checked === 'boolean')) continue;
        for (const item of list.children) {
          const all = cleanTitle(plain({ type: 'paragraph', children: itemPhrasing(item) }).replace(/\n+/g, ' '));
          if (all !== '') out.push(this.pos.mark({ title: all.slice(0, 80), manual: all }, offsetOf(item)));
        }
      }
    }
    return out;
  }

  /** The success metrics that state a DORA target ("**Lead Time:** < 4 hours") → targets:; returns how many. */
  private targetsIn(s: Section): number {
    let n = 0;
    for (const sub of walkSections(s))
      for (const list of sub.content.filter((x): x is List => x.type === 'list'))
        for (const item of list.children) {
          const lab = boldLabel(itemPhrasing(item));
          const t = lab ? targetOf(lab.label, plain({ type: 'paragraph', children: lab.rest })) : undefined;
          if (!t?.value || t.key in this.targets) continue;
          this.targets[t.key] = t.value;
          this.pos.field(this.targets, t.key, offsetOf(item));
          this.note(lineOf(item), `target ${t.key}: ${t.value} (cockpit history compares with it)`, ['targets', t.key]);
          n++;
        }
    return n;
  }

  /** Whether a sub-section has a kind of its own that maps to something (so the subtree is not just prose). */
  private subtreeClaimed(s: Section): boolean {
    return walkSections(s)
      .slice(1)
      .some((x) => {
        const k = classify(x.title);
        return k !== undefined && k !== 'docs';
      });
  }

  private hasOwnCommands(s: Section): boolean {
    return s.content.some((n) => this.nodeHasCommands(n));
  }

  private subtreeHasCommands(s: Section): boolean {
    return walkSections(s).some((x) => this.hasOwnCommands(x));
  }

  private nodeHasCommands(n: RootContent): boolean {
    if (n.type === 'code') return SHELL_LANGS.has((n.lang ?? '').toLowerCase());
    if (n.type === 'inlineCode') return looksLikeCommand(n.value);
    if ('children' in n) return (n.children as RootContent[]).some((c) => this.nodeHasCommands(c));
    return false;
  }

  /** Shell blocks in a part of the document that maps to nothing: never dropped silently. */
  private reportStrayCommands(s: Section, nodes: RootContent[]): void {
    for (const n of nodes) {
      const blocks = n.type === 'code' ? [n] : 'children' in n ? codeIn(n) : [];
      for (const b of blocks) {
        if (!SHELL_LANGS.has((b.lang ?? '').toLowerCase())) continue;
        this.skip(lineOf(b), `${s.title || 'text before the first heading'}: ${b.lang} block`, `commands outside any section cockpit maps (put them under the release process, or name the section)`, 'no-place', endLineOf(b));
      }
    }
  }

  /** A section's own content, interpreted by its kind; what it does not use is reported. */
  private section(s: Section, kind: Kind | undefined): void {
    const left: RootContent[] = [];
    const nodes = s.content;
    if (kind === 'preflight' || kind === 'rollback') {
      const b = headingBudget(s.title);
      if (b.budget) this.skip(s.line, `${s.title}: time budget`, `cockpit keeps a time budget for stages only`, 'for-people');
    }
    if (kind === 'stage') this.stageFor(s);
    const troubleshootingCmds: Cmd[] = [];
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      const next = nodes[i + 1];
      if (n.type === 'paragraph' && next?.type === 'list') {
        const label = labelOf(n);
        if (label !== undefined) {
          const pick = kind === 'emergency' || kind === 'troubleshooting' || kind === 'reference';
          const labelKind = pick ? kind : /\b(?:e\.g\.|for example|example|exemple|ejemplo|beispiel|exemplo)\b|例/i.test(label) ? 'reference' : (classify(label) ?? kind);
          if (this.list(next, labelKind, s, troubleshootingCmds, label)) {
            i++;
            continue;
          }
        }
      }
      if (n.type === 'list' && this.list(n, kind, s, troubleshootingCmds)) continue;
      const before = nodes[i - 1];
      if (n.type === 'code' && before?.type === 'paragraph' && /\b(?:e\.g\.|for example|example|exemple|ejemplo|beispiel|exemplo)\b|例[:：]/i.test(plain(before).slice(-80))) {
        this.skip(lineOf(n), `${s.title}: an example`, 'an example (the text before it says so): never run as a step', 'documentation', endLineOf(n));
        continue;
      }
      if (n.type === 'code' && this.code(n, kind, s, troubleshootingCmds)) continue;
      if (n.type === 'table' && kind === 'history') {
        this.skip(lineOf(n), `${s.title} table`, 'written by `cockpit history --markdown` from the journals', 'elsewhere', endLineOf(n));
        continue;
      }
      if (n.type === 'blockquote' && /risk[- ]register|risk-incident-sync/i.test(plain(n))) {
        this.skip(lineOf(n), `${s.title}: automation note`, 'an external tool (risk-incident-sync): cockpit writes a risk-register entry on every rollback once the front matter says where (riskRegister: {file: …} or {run: …})', 'elsewhere', endLineOf(n));
        continue;
      }
      left.push(n);
    }
    if (kind === 'troubleshooting') this.troubleshootingEntry(s, troubleshootingCmds, left);
    this.reportStrayCommands(s, left);
    this.leftovers(s, left);
  }

  // ── lists ────────────────────────────────────────────────────────────────────────────────

  /** A list in a section of this kind; true when it was used (its unused items are reported). */
  private list(list: List, kind: Kind | undefined, s: Section, tsCmds: Cmd[], label?: string): boolean {
    const items = list.children;
    if (list.ordered) for (const it of items) this.ordered.add(it);
    switch (kind) {
      case 'preflight':
        for (const item of items) this.preflightItem(item);
        return true;
      case 'stage':
      case 'stage-part': {
        const stage = this.stageFor(s);
        let used = false;
        for (const item of items) {
          const { cmds, text, label: itemLabel } = this.itemCommands(item, true);
          if (cmds.length > 0) {
            for (const c of cmds) this.push(this.sink(stage.steps), this.step(c), c.offset);
            used = true;
          } else if (list.ordered || typeof item.checked === 'boolean') {
            const all = cleanTitle(plain({ type: 'paragraph', children: itemPhrasing(item) }).replace(/\n+/g, ' '));
            if (all !== '') this.push(this.sink(stage.steps), this.pos.mark({ title: (itemLabel ?? text ?? all).slice(0, 80) || all.slice(0, 80), manual: all }, offsetOf(item)), offsetOf(item));
            used = true;
          }
        }
        return used;
      }
      case 'criteria': {
        const stage = this.currentStage(s);
        for (const item of items) this.criterion(item, stage, label ?? s.title);
        return true;
      }
      case 'triggers':
        for (const item of items) this.trigger(item);
        return true;
      case 'thresholds':
        for (const item of items) this.threshold(item);
        return true;
      case 'escalation':
        this.escalationList(list, s, label);
        return true;
      case 'emergency': {
        let used = false;
        for (const item of items) {
          const { cmds, text } = this.itemCommands(item);
          for (const c of this.runnable(cmds, 'the emergency reference')) {
            this.push(this.emergency, { title: c.title ?? (text || titleOf(c.run)), run: c.run }, c.offset);
            used = true;
          }
        }
        return used;
      }
      case 'troubleshooting': {
        let used = false;
        for (const item of items) {
          const { cmds, label: itemLabel, text } = this.itemCommands(item);
          if (cmds.length === 0) continue;
          const title = itemLabel ?? text;
          const entry: Obj = { match: matchOf(title), title, steps: cmds.map((c) => this.step({ ...c, conditional: undefined })) };
          this.push(this.troubleshooting, entry, offsetOf(item));
          used = true;
        }
        return used;
      }
      case 'rollback':
      case 'rollback-verify': {
        let commands = 0;
        for (const item of items) {
          const { cmds } = this.itemCommands(item, true);
          if (cmds.length > 0) {
            if (kind === 'rollback') this.rollbackCommands(cmds);
            else for (const c of cmds) this.push(this.sink(this.rollbackVerify), this.step(c), c.offset);
            commands++;
          }
        }
        if (commands < items.length) {
          const manual = items.filter((it) => this.itemCommands(it, true).cmds.length === 0);
          this.skip(
            lineOf(manual[0]),
            `${label ?? s.title}: ${manual.length} manual check${manual.length === 1 ? '' : 's'} (${manual.map((it) => itemText(it)).join('; ')})`,
            kind === 'rollback-verify' ? 'checks for people after a rollback: rollback.verify runs commands (add a script to automate one)' : 'checks for people: the rollback runs commands',
            'for-people',
            endLineOf(manual[manual.length - 1]),
          );
        }
        return true;
      }
      default:
        return false;
    }
  }

  /** A list item's commands: inline `./script` code, nested code blocks, nested lists' commands. */
  /**
   * A list item's commands: inline `./script` code, nested code blocks, nested lists' commands.
   * `strict` (stages, rollback, pre-flight): inline code is a command only in a checklist item
   * (`- [ ] Run \`./deploy.sh\``), never in prose or a plain bullet that describes something.
   */
  private itemCommands(item: ListItem, strict = false): { cmds: Cmd[]; label?: string; text: string } {
    const first = item.children[0];
    const phrasing: PhrasingContent[] = first?.type === 'paragraph' ? first.children : [];
    const lab = boldLabel(phrasing);
    const task = typeof item.checked === 'boolean';
    // a checklist item or a numbered step marks its command as one; a plain bullet or a sentence describes
    const inlineOk = !strict || task || this.ordered.has(item);
    const isCmd = (p: PhrasingContent): p is Extract<PhrasingContent, { type: 'inlineCode' }> => inlineOk && p.type === 'inlineCode' && (looksLikeCommand(p.value) || (task && looksLikeTaskCommand(p.value)));
    const textOf = (ps: PhrasingContent[]) =>
      cleanTitle(
        ps
          .filter((p) => !isCmd(p))
          .map((p) => plain(p))
          .join(''),
      )
        .replace(/\s*[:–—-]\s*$/, '')
        .replace(/\s+(with|using|by|via|run|running|from)$/i, '');
    const text = textOf(phrasing);
    const label = lab?.label;
    const cmds: Cmd[] = [];
    for (const child of item.children) {
      if (child.type === 'paragraph') {
        for (const p of child.children) {
          if (isCmd(p)) cmds.push(this.inlineCmd(p.value.trim(), offsetOf(p) + 1, lineOf(p)));
        }
      } else if (child.type === 'code') {
        cmds.push(...(this.blockCmds(child, text || label || 'list item') ?? []));
      } else if (child.type === 'list') {
        for (const sub of child.children) cmds.push(...this.itemCommands(sub, strict).cmds);
      }
    }
    // "Apply breaking migrations only after the pods are updated", "If needed, …": a condition for a person to judge
    if (strict && cmds.length > 0 && CONDITIONAL.test(plain({ type: 'paragraph', children: phrasing }))) {
      const why = `the item sets a condition ("${cleanTitle(plain({ type: 'paragraph', children: phrasing })).slice(0, 60)}"): a person judges it`;
      return { cmds: cmds.map((c) => (c.manual !== undefined ? c : { ...c, manual: `By hand when the condition holds: \`${c.run.split('\n')[0]}\` (${why})` })), label: lab?.label, text };
    }
    // the item's words name its (first) command, unless a # comment already does
    if (cmds.length > 0 && cmds[0].title === undefined && (label ?? text)) cmds[0] = { ...cmds[0], title: label ?? text };
    return { cmds, label, text: lab ? cleanTitle(lab.rest.filter((p) => !isCmd(p)).map(plain).join('')) || label! : text };
  }

  /** An inline command: a manual one when it cannot run (never ends, waits for a person…). */
  private inlineCmd(run: string, offset: number, line: number): Cmd {
    const hazard = commandHazard(run);
    return hazard ? { run, offset, line, hazard, manual: `By hand: \`${run}\` (${hazard.why}; cockpit never runs it as a step)` } : { run, offset, line };
  }

  // ── code blocks ──────────────────────────────────────────────────────────────────────────

  /** A shell block → commands (fence attributes applied); undefined for other languages. */
  private blockCmds(code: Code, where: string): Cmd[] | undefined {
    const lang = (code.lang ?? '').toLowerCase();
    if (!SHELL_LANGS.has(lang)) {
      if (code.lang == null && code.value.split('\n').some((l) => looksLikeCommand(l.replace(/^\s*\$\s+/, ''))))
        this.skip(lineOf(code), `${where}: code block without a language`, 'not run: mark it ```bash (or ```sh) to make its lines steps', 'no-place', endLineOf(code));
      return undefined;
    }
    const attrs = fenceAttributes(code.meta);
    const startLine = lineOf(code);
    const fenceLine = this.tree.lines[startLine - 1] ?? '';
    const fenced = /^\s*(```|~~~)/.test(fenceLine);
    const attrOffset = this.tree.lineStarts[startLine - 1] + Math.max(0, fenceLine.indexOf('{'));
    if (attrs.excludeFromRunAll === 'true') {
      this.skip(startLine, `${where}: ${lang} block`, 'excludeFromRunAll=true: not part of the release', 'documentation', endLineOf(code));
      return [];
    }
    for (const [k, v] of Object.entries(attrs)) {
      if (k === 'interactive' && v === 'true')
        this.skip(startLine, `${where}: interactive=true`, 'unsupported: cockpit runs steps without a terminal for input (the commands run non-interactively)', 'unsupported');
      else if (k === 'background' && v === 'true')
        this.skip(startLine, `${where}: background=true`, 'unsupported: cockpit waits for each step to finish (the commands run in the foreground)', 'unsupported');
      else if (!['name', 'timeout', 'cwd', 'interactive', 'background', 'excludeFromRunAll'].includes(k))
        this.skip(startLine, `${where}: ${k}=${v}`, 'a fence attribute cockpit does not use (ignored)', 'unsupported');
    }
    const first = startLine + (fenced ? 1 : 0);
    const at = (index: number, text: string) => {
      const line = first + index;
      const col = Math.max(0, (this.tree.lines[line - 1] ?? '').indexOf(text.split('\n')[0]));
      return { line, offset: this.tree.lineStarts[line - 1] + col };
    };
    const base = { timeout: attrs.timeout, attrOffset };
    const notSeq = blockIsNotASequence(code.value);
    if (notSeq) {
      return [{ ...at(0, code.value.trim()), ...base, run: '', title: `${where} (by hand)`, manual: `By hand (${notSeq}):\n${code.value.trim()}` }];
    }
    const other = notShell(code.value);
    if (other) {
      const where0 = at(0, code.value.trim());
      return [{ ...where0, ...base, run: '', title: `${where}: ${other.what} (by hand)`, manual: `By hand (${other.what}, not shell: cockpit never runs it):\n${code.value.trim()}` }];
    }
    // `$ ` or `> ` prompts in a bash block: a console session (the lines without one are its output)
    const prompted = !['console', 'shell-session', 'shellsession', 'terminal'].includes(lang) && code.value.split('\n').some((l) => /^\s*[\w.~/-]*[$>]\s+\S/.test(l));
    if (prompted && code.value.split('\n').some((l) => l.trim() !== '' && !/^\s*(?:[\w.~/-]*[$>]\s|#)/.test(l) && !/\\$/.test(l))) {
      return [{ ...at(0, code.value.trim()), ...base, run: '', title: `${where}: a console transcript (by hand)`, manual: `By hand (a console session with its output, not a script: cockpit never runs it):\n${code.value.trim()}` }];
    }
    const { commands, skipped } = blockCommands(prompted ? code.value.replace(/^(\s*)[\w.~/-]*[$>]\s+/gm, '$1') : code.value, lang);
    if (commands.length === 0) return [];
    const remote = this.remote;
    const hazards = commands.map((c) => (remote ? { kind: 'remote' as const, why: `written for ${remote.host}: \`ssh ${remote.host}\` (line ${remote.line}) opened a shell there` } : commandHazard(c.text)));
    // a login left open (no exit after it): the rest of this part of the document is for that host
    const login = commands.findIndex((c) => sshLogin(c.text.split('\n')[0]) !== undefined);
    if (login >= 0 && !commands.slice(login + 1).some((c) => /^\s*(?:exit|logout)\b/.test(c.text))) this.remote = { host: sshLogin(commands[login].text.split('\n')[0])!, line: at(commands[login].index, commands[login].text).line, depth: Math.max(1, Math.min(this.sectionDepth, 2)) };
    const stateful = sharesState(commands.map((c) => c.text)) || skipped.some((sk) => !/^set\s/.test(sk.text)) || hazards.some((h) => h?.kind === 'remote');
    if (stateful) return [this.wholeBlock(code, lang, commands, hazards, { ...at(commands[0].index, commands[0].text), ...base, id: attrs.name, cwd: attrs.cwd }, where)];
    for (const sk of skipped) this.note(first + sk.index, `\`${sk.text.split('\n')[0]}\`: kept in the block's script (${sk.why.replace(/^a shell option: .*/, 'a shell option')})`);
    return commands.map((c, i) => {
      const id = attrs.name !== undefined ? (commands.length === 1 ? attrs.name : `${attrs.name}-${i + 1}`) : undefined;
      const pos = at(c.index, c.text);
      const set = skipped.filter((sk) => /^set\s/.test(sk.text) && sk.index < c.index).map((sk) => sk.text);
      const run = set.length > 0 ? `${set.join('\n')}\n${c.text}` : c.text;
      const h = hazards[i];
      const conditional = c.title !== undefined && (CONDITIONAL.test(c.title) || /\(if\b|\bif\s+\S+[- ]related\b/i.test(c.title)) ? `its comment sets a condition ("${c.title}"): a person judges it` : undefined;
      if (conditional && !h) return { ...pos, ...base, id, run, title: c.title, cwd: attrs.cwd, conditional };
      if (h) return { ...pos, ...base, id, run: c.text, title: c.title, manual: `By hand: \`${c.text.split('\n')[0]}\` (${h.why}; cockpit never runs it as a step)`, hazard: h };
      return { ...pos, ...base, id, run, title: c.title, cwd: attrs.cwd };
    });
  }

  /**
   * A block whose lines share shell state (variables, cd, source, functions, heredocs, an `ssh host`
   * login): one script in one shell, as the author wrote it; for a person when any line cannot run.
   */
  private wholeBlock(code: Code, lang: string, commands: readonly { text: string; index: number; title?: string }[], hazards: readonly (Hazard | undefined)[], pos: Omit<Cmd, 'run'>, where: string): Cmd {
    const prompts = ['console', 'shell-session', 'shellsession', 'terminal'].includes(lang) && /^\s*\$\s/m.test(code.value);
    const script = (prompts ? code.value.split('\n').flatMap((l) => (/^\s*\$\s?/.test(l) ? [l.replace(/^(\s*)\$\s?/, '$1')] : [])) : code.value.split('\n'))
      .filter((l) => !/^#!/.test(l))
      .join('\n')
      .trim();
    const title = /^\s*#(?!!)/.test(code.value.trimStart().split('\n')[0]) ? (commands[0].title ?? where) : where;
    const bad = hazards.flatMap((h, i) => (h ? [`line ${i + 1} \`${commands[i].text.split('\n')[0]}\`: ${h.why}`] : []));
    if (bad.length > 0) return { ...pos, run: script, title, manual: `By hand (cockpit never runs this block: ${bad.join('; ')}):\n${script}`, hazard: hazards.find((h) => h)! };
    this.note(pos.line, `"${title}": one script in one shell (${commands.length} command${commands.length === 1 ? '' : 's'}: variables, cd and functions carry from line to line; it stops at the first failing command)`);
    return { ...pos, run: script, title };
  }

  private code(code: Code, kind: Kind | undefined, s: Section, tsCmds: Cmd[]): boolean {
    const where = s.title || 'text before the first heading';
    if (!SHELL_LANGS.has((code.lang ?? '').toLowerCase())) {
      const before = this.unmapped.length;
      this.blockCmds(code, where); // reports a block of commands with no language
      return this.unmapped.length > before;
    }
    switch (kind) {
      case 'preflight': {
        for (const c of this.blockCmds(code, where) ?? []) this.preflightCommand(c, c.title ?? titleOf(c.run));
        return true;
      }
      case 'stage':
      case 'stage-part': {
        const stage = this.stageFor(s);
        for (const c of this.blockCmds(code, where) ?? []) this.push(this.sink(stage.steps), this.step(c), c.offset);
        return true;
      }
      case 'rollback':
        this.rollbackCommands(this.blockCmds(code, where) ?? []);
        return true;
      case 'rollback-verify':
        for (const c of this.runnable(this.blockCmds(code, where) ?? [], 'the rollback verification')) this.push(this.sink(this.rollbackVerify), this.step(c), c.offset);
        return true;
      case 'emergency':
        for (const c of this.runnable(this.blockCmds(code, where) ?? [], 'the emergency reference')) this.push(this.emergency, { title: c.title ?? titleOf(c.run), run: c.run }, c.offset);
        return true;
      case 'troubleshooting':
        tsCmds.push(...this.runnable(this.blockCmds(code, where) ?? [], 'troubleshooting'));
        return true;
      case 'flags':
        this.flagBlock(this.runnable(this.blockCmds(code, where) ?? [], 'the flags'), s);
        return true;
      case 'experiments':
        this.experimentBlock(this.runnable(this.blockCmds(code, where) ?? [], 'the experiments'), s);
        return true;
      default:
        return false;
    }
  }

  // ── pieces ───────────────────────────────────────────────────────────────────────────────

  private push(list: unknown[], value: unknown, offset: number): void {
    if (value !== null && typeof value === 'object') this.pos.mark(value, offset);
    else this.pos.field(list, list.length, offset);
    list.push(value);
  }

  /** A command step: a plain string when it has nothing but the command; a manual step when it cannot run. */
  private step(c: Cmd): unknown {
    if (c.conditional !== undefined && c.manual === undefined) c = { ...c, manual: `By hand when the condition holds: \`${c.run.split('\n')[0]}\` (${c.conditional})` };
    if (c.manual !== undefined) {
      const title = (c.title ?? titleOf(c.run || c.manual)).slice(0, 80);
      this.uncertainty(c.line, `"${title}": ${c.hazard ? `${c.hazard.why}: ` : ''}a manual step (cockpit waits for a tick, never runs it)`);
      if (c.hazard && c.hazard.kind !== 'placeholder-command') this.skip(c.line, `\`${(c.run || c.manual).split('\n')[0]}\``, `${c.hazard.why}: a manual step (to run it, bound it: \`timeout 60 …\`, or write the step in a cockpit.yml)`, 'unreadable');
      return this.pos.mark({ title, manual: c.manual }, c.offset);
    }
    const o: Obj = {};
    if (c.id !== undefined) o.id = c.id;
    if (c.title !== undefined) o.title = c.title;
    o.run = this.withInputs(c);
    if (c.timeout !== undefined) o.timeout = c.timeout;
    if (c.cwd !== undefined) o.cwd = c.cwd;
    if (c.env !== undefined) o.env = c.env;
    if (Object.keys(o).length === 1) return o.run;
    this.pos.mark(o, c.offset);
    if (c.attrOffset !== undefined) for (const k of ['id', 'timeout', 'cwd']) if (k in o) this.pos.field(o, k, c.attrOffset);
    return o;
  }

  /** The command with its placeholders as declared inputs ({input.NAME}): nothing runs with one unfilled. */
  private withInputs(c: Cmd): string {
    const found = placeholdersIn(c.run);
    for (const p of found) {
      if (!this.inputs.has(p.name)) {
        this.inputs.set(p.name, { prompt: p.text, line: c.line, offset: c.offset });
        this.uncertainty(c.line, `input ${p.name}: ${p.text} is a placeholder: the run asks for it (--set ${p.name}=…)`);
      }
    }
    return found.length > 0 ? withInputs(c.run, found) : c.run;
  }

  /** Commands for places a person triggers (emergency, troubleshooting, flags): those that cannot run as written are reported, not kept. */
  private runnable(cmds: readonly Cmd[], where: string): Cmd[] {
    return cmds.filter((c) => {
      const why = c.manual !== undefined ? (c.hazard?.why ?? 'not shell') : placeholdersIn(c.run).length > 0 ? `has a placeholder (${placeholdersIn(c.run)[0].text})` : undefined;
      if (why) this.skip(c.line, `\`${(c.run || c.manual || '').split('\n')[0]}\``, `${why}: not kept in ${where}`, 'unreadable');
      return why === undefined;
    });
  }

  private preflightCommand(c: Cmd, title: string): void {
    if (c.conditional !== undefined && c.manual === undefined) c = { ...c, manual: `By hand when the condition holds: \`${c.run.split('\n')[0]}\` (${c.conditional})` };
    if (c.manual !== undefined) {
      this.uncertainty(c.line, `pre-flight "${title}": ${c.hazard?.why ?? 'not shell'}: a manual check`);
      this.push(this.preflight, { title, manual: c.manual }, c.offset);
      return;
    }
    c = { ...c, run: this.withInputs(c) };
    const item: Obj = {};
    if (c.id !== undefined) item.id = c.id;
    item.title = title;
    item.run = c.cwd !== undefined || c.env !== undefined ? shellWith(c) : c.run;
    if (c.timeout !== undefined) item.timeout = c.timeout;
    this.push(this.preflight, item, c.offset);
    if (c.attrOffset !== undefined) for (const k of ['id', 'timeout']) if (k in item) this.pos.field(item, k, c.attrOffset);
  }

  private preflightItem(item: ListItem): void {
    const { cmds, label, text } = this.itemCommands(item, true);
    if (cmds.length > 0) {
      const base = label ?? (text || titleOf(cmds[0].run));
      cmds.forEach((c, i) => this.preflightCommand(c, i === 0 ? base : `${base} (${i + 1})`));
      return;
    }
    const all = cleanTitle(itemText(item));
    if (all === '') return;
    const o: Obj = label ? { title: label, manual: text && text !== label ? text : label } : { title: all, manual: all };
    this.push(this.preflight, o, offsetOf(item));
  }

  /** The stage a section's commands go to: its own, or the stage it is part of. */
  private stageFor(s: Section): StageDraft {
    const key = this.owners.get(s) ?? s;
    let d = this.stageDrafts.get(key);
    if (!d) {
      const b = headingBudget(key.title);
      d = { section: key, title: b.title || key.title || 'Release', budget: b.budget, steps: [], criteria: [], offset: key.heading ? offsetOf(key.heading) : 0 };
      this.stageDrafts.set(key, d);
      this.stageOrder.push(d);
    }
    return d;
  }

  private currentStage(s: Section): StageDraft | undefined {
    const owner = this.owners.get(s);
    if (owner) return this.stageFor(owner);
    return this.stageOrder[this.stageOrder.length - 1];
  }

  private criterion(item: ListItem, stage: StageDraft | undefined, label: string): void {
    const text = cleanTitle(itemText(item));
    const cmp = comparison(text);
    const metric = cmp ? metricOf(cmp.subject, Object.keys(this.hints.series), cmp.rest) : undefined;
    if (!stage) {
      this.skip(lineOf(item), `${label}: "${text}"`, 'a criterion outside any stage', 'no-place');
      return;
    }
    if (cmp && metric) {
      this.criteriaUses.push({ what: 'criterion', line: lineOf(item), offset: offsetOf(item), text, metric: metric.name, unit: metric.unit, op: cmp.op, value: cmp.value, valueUnit: cmp.unit, stage });
      return;
    }
    this.skip(lineOf(item), `${stage.title} criterion "${text}"`, `a manual check: cockpit's stage criteria are metric thresholds${/5xx/i.test(text) ? ' (the 5xx probe trigger watches for it during the release)' : ''}`, 'for-people');
  }

  private trigger(item: ListItem): void {
    const text = cleanTitle(itemText(item));
    const line = lineOf(item);
    const offset = offsetOf(item);
    const status = /\b([45]xx)\b/i.exec(text)?.[1]?.toLowerCase();
    if (status) {
      const named = this.hints.probes.find((p) => new RegExp(`\\b${escapeRe(p.name)}\\b`, 'i').test(text));
      const probe: Obj = { probe: named ? named.name : 'critical', status };
      const w = windowOf(text);
      if (w) probe.for = w;
      this.triggerOrder.push({ probe, offset, line, text });
      return;
    }
    const cmp = comparison(text);
    if (!cmp) {
      this.skip(line, `trigger "${text}"`, 'could not read a condition: write it like "Error rate > 1% for 2 minutes"', 'unreadable');
      return;
    }
    const metric = metricOf(cmp.subject, Object.keys(this.hints.series), cmp.rest) ?? { name: metricSlug(cmp.subject) };
    this.triggerOrder.push({ what: 'trigger', line, offset, text, metric: metric.name, unit: metric.unit, op: cmp.op, value: cmp.value, valueUnit: cmp.unit, window: windowOf(cmp.rest) });
  }

  private threshold(item: ListItem): void {
    const first = item.children[0];
    const phrasing = first?.type === 'paragraph' ? first.children : [];
    const lab = boldLabel(phrasing);
    const whole = cleanTitle(itemText(item));
    const subject = lab?.label ?? whole.split(':')[0];
    const rest = lab ? plain({ type: 'paragraph', children: lab.rest }) : whole.slice(subject.length + 1);
    const band = bandOf(rest);
    const metric = metricOf(subject, Object.keys(this.hints.series), rest) ?? (band ? { name: metricSlug(subject) } : undefined);
    if (!band || !metric) {
      this.skip(lineOf(item), `threshold "${whole}"`, 'could not read warn/critical values: write it like "Response Time: < 500ms (Warning), < 1s (Critical)"', 'unreadable');
      return;
    }
    this.bands.push({ line: lineOf(item), offset: offsetOf(item), text: whole, metric: metric.name, unit: metric.unit, band });
  }

  private escalationList(list: List, s: Section, label?: string): void {
    const timed = list.children.filter((it) => escalationAfter(itemText(it)) !== undefined);
    if (timed.length === 0) {
      this.skip(lineOf(list), `${label ?? s.title}: ${list.children.length} steps (${list.children.map((it) => cleanTitle(itemText(it))).join('; ')})`, 'an escalation path for people (no times to escalate at)', 'for-people', endLineOf(list));
      return;
    }
    for (const item of list.children) {
      const text = cleanTitle(itemText(item));
      const at = escalationAfter(text);
      if (!at) {
        this.skip(lineOf(item), `escalation "${text}"`, 'no time: write it like "Level 2 (5-15 min): …"', 'unreadable');
        continue;
      }
      const { cmds, label: lab, text: rest } = this.itemCommands(item);
      const words = cleanTitle(lab !== undefined ? `${lab}: ${rest === lab ? '' : rest}` : rest);
      const title = cleanTitle(words.replace(at.match, ' ').replace(/\s+:/, ':').replace(/\s{2,}/g, ' ').replace(/^:\s*/, ''));
      const level: Obj = { after: at.after };
      if (title) level.title = title;
      if (cmds.length > 0) level.run = cmds[0].run;
      else if (this.hints.notify !== undefined) level.notify = this.hints.notify;
      else if (title) {
        // for people ("Page on-call engineer"): the cockpit reminds them at its time
        this.note(lineOf(item), `escalation "${text}": a reminder on screen at ${at.after} into an incident (a command in the item, or a webhook in the front matter, would act instead)`, ['escalation']);
      } else {
        this.skip(lineOf(item), `escalation "${text}"`, 'needs a title, a command in the item, or a webhook in the front matter (notify: {slack: {webhookEnv: SLACK_WEBHOOK_URL}})', 'unreadable');
        continue;
      }
      this.push(this.escalation, level, offsetOf(item));
    }
  }

  /** Rollback commands: the incident script gets the reason, a verify/confirm command verifies, the rest roll back. */
  private rollbackCommands(cmds: Cmd[]): void {
    cmds = cmds.map((c) => (c.conditional !== undefined && c.manual === undefined ? { ...c, manual: `By hand when the condition holds: \`${c.run.split('\n')[0]}\` (${c.conditional})` } : c));
    const manual = cmds.find((c) => c.manual !== undefined);
    if (manual && this.capture === undefined) {
      this.rollbackRefused ??= { line: manual.line, why: `line ${manual.line} of the rollback is for a person (${manual.hazard?.why ?? 'not shell'}): a rollback must run on its own when a trigger fires` };
      return;
    }
    if (manual) {
      this.capture!.push({ title: manual.title ?? 'by hand', manual: manual.manual });
      return;
    }
    for (const c of cmds) {
      const prog = programOf(parseCommand(c.run)) ?? c.run.split(/\s+/)[0];
      const name = basename(prog).toLowerCase();
      if (/incident/.test(name) && this.incident === undefined && this.capture === undefined) {
        const words = quotedWords(c.run);
        if (words) {
          const quoted = words.filter((w) => w.quoted);
          const argv = words.map((w) => (w.quoted ? '{reason}' : w.word));
          this.incident = { run: argv, offset: c.offset };
          if (quoted.length > 0) this.note(c.line, `incident: ${quoted.map((w) => JSON.stringify(w.word)).join(', ')} replaced by the rollback's reason ({reason})`);
        } else this.incident = { run: c.run, offset: c.offset };
        continue;
      }
      const verify = /verif|confirm|check/.test(name) || /^verif/i.test(c.title ?? '');
      if (verify && this.rollbackSteps.length > 0) this.push(this.sink(this.rollbackVerify), this.step(c), c.offset);
      else this.push(this.sink(this.rollbackSteps), this.step(c), c.offset);
    }
  }

  private troubleshootingEntry(s: Section, cmds: Cmd[], left: RootContent[]): void {
    const inherited = classify(s.title) !== 'troubleshooting';
    const prose: RootContent[] = left.filter((n) => n.type === 'paragraph' || n.type === 'list' || n.type === 'blockquote');
    const hint = prose.length > 0 ? prose.map((n) => cleanTitle(plain(n).replace(/\n+/g, ' '))).join(' ') : undefined;
    if (cmds.length === 0 && !(inherited && hint)) return;
    const title = cleanTitle(s.title.replace(/^["“'](.*)["”']$/, '$1'));
    const entry: Obj = { match: matchOf(title), title };
    if (hint) entry.hint = hint;
    if (cmds.length > 0) entry.steps = cmds.map((c) => this.step({ ...c, conditional: undefined }));
    this.push(this.troubleshooting, entry, s.heading ? offsetOf(s.heading) : (cmds[0]?.offset ?? offsetOf(s.content[0] ?? {})));
    if (hint) left.splice(0, left.length, ...left.filter((n) => !prose.includes(n)));
  }

  /** `./scripts/enable-feature-flag.sh --feature=new-feature --percentage=5` → the provider and a ramp. */
  private flagBlock(cmds: Cmd[], s: Section): void {
    for (const c of cmds) {
      const words = quotedWords(c.run)?.map((w) => w.word);
      const flag = words ? argValue(words, ['feature', 'flag', 'feature-flag', 'name']) : undefined;
      const pct = words ? argValue(words, ['percentage', 'percent', 'pct', 'rollout', 'to']) : undefined;
      if (words && flag && pct && /^\d+(\.\d+)?$/.test(pct.value)) {
        const run = words.map((w, i) => (i === flag.index ? flag.replace('{flag}') : i === pct.index ? pct.replace('{percent}') : w)).filter((w, i) => !(flag.valueIndex === i || pct.valueIndex === i));
        const start = Number(pct.value);
        if (this.provider === undefined) {
          this.provider = this.pos.mark({ type: 'command', run }, c.offset);
          this.note(c.line, `flag provider: ${JSON.stringify(run)} (from ${flag.name}=${flag.value}, ${pct.name}=${pct.value})`, ['flags', 'provider']);
        }
        if (!this.ramps[flag.value]) {
          const ramp = [start, ...RAMP_LADDER.filter((p) => p > start)];
          this.ramps[flag.value] = ramp;
          this.pos.mark(ramp, c.offset);
          this.note(c.line, `flag ${flag.value}: ramp ${JSON.stringify(ramp)} (${start} % from the Markdown; ${ramp.slice(1).join(', ')} are cockpit's usual steps)`, ['flags', 'ramps', flag.value]);
        }
        continue;
      }
      if (/monitor|watch/i.test(c.run) || /monitor|watch/i.test(c.title ?? ''))
        this.skip(c.line, `\`${c.run}\``, 'watching a ramp is what cockpit does: the Flags pane and the guardrails follow the flag and hold the ramp when a trigger is pending', 'elsewhere');
      else if (words && flag && !pct && /deploy|release|ship|install/i.test(`${words.filter((_, i) => i !== flag.index && i !== flag.valueIndex).join(' ')} ${c.title ?? ''}`) && this.flagDeploy === undefined) {
        // the code goes out with the flag off: one template for every flag ({flag})
        const run = words.map((w, i) => (i === flag.index ? flag.replace('{flag}') : w)).filter((_, i) => i !== flag.valueIndex);
        this.flagDeploy = { run, line: c.line, offset: c.offset, text: `\`${c.run}\`` };
      } else
        this.skip(c.line, `\`${c.run}\``, `a deploy for flag releases (${c.title ?? s.title}): cockpit ramps flags through the provider and has no flag deploy; make it a step of a stage if your release uses it`, 'no-place');
    }
  }

  /** `./scripts/deploy-ab-test.sh --experiment=checkout-flow-v2` and friends → an experiment. */
  private experimentBlock(cmds: Cmd[], s: Section): void {
    for (const c of cmds) {
      const words = quotedWords(c.run)?.map((w) => w.word);
      const ex = words ? argValue(words, ['experiment', 'exp', 'test']) : undefined;
      if (!words || !ex) {
        this.skip(c.line, `\`${c.run}\``, `a command in ${s.title} that names no --experiment: not mapped`, 'no-place');
        continue;
      }
      let e = this.experiments[ex.value];
      if (!e) {
        e = this.pos.mark({ variants: ['control', 'treatment'] } as Obj, c.offset);
        this.experiments[ex.value] = e;
      }
      const metricArg = argValue(words, ['metric', 'goal']);
      if (metricArg && e.metric === undefined) e.metric = metricArg.value;
      const variants = argValue(words, ['variants']);
      if (variants) e.variants = variants.value.split(',').map((v) => v.trim()).filter(Boolean);
      const run = words.map((w, i) => (i === ex.index ? ex.replace('{experiment}') : w)).filter((_, i) => i !== ex.valueIndex);
      const what = `${words.filter((_, i) => i !== ex.index && i !== ex.valueIndex).join(' ')} ${c.title ?? ''}`.toLowerCase();
      if (/monitor|watch|status/.test(what))
        this.skip(c.line, `\`${c.run}\``, `cockpit shows the experiment itself (the Flags pane, \`cockpit experiment ${ex.value}\`): rates, lift and p-value from the metrics source`, 'elsewhere');
      else if (/conclude|decision|decide|finish|\bstop\b|\bend\b|winner/.test(what) && e.conclude === undefined) e.conclude = run;
      else if (/deploy|start|launch|create/.test(what) && e.deploy === undefined) e.deploy = run;
      else this.skip(c.line, `\`${c.run}\``, 'an experiment command that is neither a deploy nor a conclusion', 'no-place');
    }
  }

  // ── the runbook ──────────────────────────────────────────────────────────────────────────

  private finish(): Obj {
    const raw: Obj = {};
    const h1 = walkSections(this.tree.top).find((s) => s.depth === 1);
    if (this.hints.name === undefined) {
      const fromTitle = h1 ? cleanTitle(h1.title.split(/:\s|\s[–—-]\s/)[0]) : '';
      raw.name = fromTitle || basename(this.file, extname(this.file));
      if (h1) this.pos.field(raw, 'name', offsetOf(h1.heading!));
      this.note(h1?.line ?? 1, `name "${String(raw.name)}" from ${fromTitle ? 'the title' : 'the file name'} (set name: in the front matter to change it)`, ['name']);
    }
    if (this.preflight.length > 0) raw.preflight = this.pos.mark(this.preflight, this.pos.of(this.preflight[0]) ?? 0);

    // metrics: from the thresholds, plus every metric a trigger or criterion names. Without a metrics
    // source they are kept all the same (armed.ts: not armed, and cockpit validate says what to add),
    // so the imported cockpit.yml has them as written and the team fills in only the source.
    const series: Record<string, Obj> = {};
    const unitFor = (metric: string, fallback?: string, valueUnit?: string) => this.hints.series[metric]?.unit ?? fallback ?? normalUnitOf(valueUnit);
    const field = this.hints.sourceType === 'prometheus' ? 'query' : this.hints.sourceType === 'http-json' ? 'pointer' : undefined;
    const ensure = (metric: string, unit: string | undefined, use: { offset: number; line: number; what: string }) => {
      if (!series[metric]) {
        series[metric] = this.pos.mark(unit !== undefined ? { unit } : {}, use.offset);
        this.pos.field(series, metric, use.offset);
      }
      // a series the source cannot fetch without the front matter's query: say which, at each line using it
      if (field !== undefined && this.hints.series[metric] === undefined)
        this.skip(
          use.line,
          use.what,
          `a ${metric} series: add metrics.series.${metric} with its ${field} (${field === 'query' ? 'PromQL' : 'a JSON pointer'} for the ${this.hints.sourceType} source) to the front matter`,
          'needs-front-matter',
        );
      return series[metric];
    };
    for (const b of this.bands) {
      const unit = unitFor(b.metric, b.unit, b.band.warnUnit ?? b.band.criticalUnit);
      const s = ensure(b.metric, unit, { offset: b.offset, line: b.line, what: `threshold "${b.text}" (${b.metric})` });
      if (b.band.warn !== undefined) s.warn = convert(b.band.warn, b.band.warnUnit, unit) ?? b.band.warn;
      if (b.band.critical !== undefined) s.critical = convert(b.band.critical, b.band.criticalUnit, unit) ?? b.band.critical;
      if (b.band.direction) s.direction = b.band.direction;
      if (b.band.dropWarnPct !== undefined) s.dropWarnPct = b.band.dropWarnPct;
      if (b.band.riseWarnPct !== undefined) s.riseWarnPct = b.band.riseWarnPct;
    }
    const stageCriteria = new Map<StageDraft, Obj[]>();
    for (const u of this.criteriaUses) {
      const unit = unitFor(u.metric, u.unit, u.valueUnit);
      ensure(u.metric, unit, { offset: u.offset, line: u.line, what: `${u.stage!.title} criterion "${u.text}" (${u.metric})` });
      const c = this.pos.mark({ metric: u.metric, [u.op]: convert(u.value, u.valueUnit, unit) ?? u.value } as Obj, u.offset);
      stageCriteria.set(u.stage!, [...(stageCriteria.get(u.stage!) ?? []), c]);
    }
    const triggers: Obj[] = [];
    for (const t of this.triggerOrder) {
      if ('probe' in t) {
        triggers.push(this.pos.mark(t.probe, t.offset));
        continue;
      }
      const unit = unitFor(t.metric, t.unit, t.valueUnit);
      ensure(t.metric, unit, { offset: t.offset, line: t.line, what: `trigger "${t.text}" (${t.metric})` });
      const trig: Obj = { metric: t.metric, [t.op]: convert(t.value, t.valueUnit, unit) ?? t.value };
      if (t.window) trig.for = t.window;
      triggers.push(this.pos.mark(trig, t.offset));
    }

    const stages: Obj[] = [];
    const ids = new Set<string>();
    for (const d of this.stageOrder) {
      if (d.steps.length === 0) {
        if (stageCriteria.has(d)) this.skip(d.section.line, `${d.title}: criteria`, 'a stage with criteria but no commands', 'no-place');
        continue;
      }
      const { id, environment } = stageIdentity(d.title, ids);
      const st: Obj = { id, title: d.title };
      if (environment) st.environment = environment;
      if (d.budget) st.budget = d.budget;
      st.steps = this.pos.mark(d.steps, d.offset);
      const crit = stageCriteria.get(d);
      if (crit) st.criteria = this.pos.mark(crit, this.pos.of(crit[0]) ?? d.offset);
      stages.push(this.pos.mark(st, d.offset));
    }
    // a checklist with no release section is a release all the same: its items are the stage
    if (stages.length === 0 && this.preflight.length > 0) {
      const h1 = walkSections(this.tree.top).find((x) => x.depth === 1);
      const title = cleanTitle(h1?.title ?? '') || 'Checklist';
      const steps = this.preflight.splice(0).map((p) => (p.manual !== undefined ? this.pos.mark({ title: p.title, manual: p.manual }, this.pos.of(p) ?? 0) : this.pos.mark({ title: p.title, run: p.run }, this.pos.of(p) ?? 0)));
      stages.push(this.pos.mark({ id: 'checklist', title, steps: this.pos.mark(steps, this.pos.of(steps[0]) ?? 0) }, this.pos.of(steps[0]) ?? 0));
      delete raw.preflight;
      this.note(h1?.line ?? 1, `no release section: the checklist is the release (stage "checklist", ${steps.length} item${steps.length === 1 ? '' : 's'})`);
    }
    if (stages.length === 0) {
      const steps = this.procedureItems();
      if (steps.length > 0) {
        const h1 = walkSections(this.tree.top).find((x) => x.depth === 1);
        stages.push(this.pos.mark({ id: 'procedure', title: cleanTitle(h1?.title ?? '') || 'Procedure', steps: this.pos.mark(steps, this.pos.of(steps[0] as object) ?? 0) }, this.pos.of(steps[0] as object) ?? 0));
        this.note(h1?.line ?? 1, `no commands and no release section: the numbered steps and checklists (${steps.length}) are the release, each for a person to tick`);
      }
    }
    raw.stages = this.pos.mark(stages, stages.length ? (this.pos.of(stages[0]) ?? 0) : 0);
    if (this.inputs.size > 0) {
      const inputs: Obj = {};
      for (const [name, i] of this.inputs) {
        inputs[name] = this.pos.mark({ prompt: i.prompt }, i.offset);
        this.pos.field(inputs, name, i.offset);
      }
      raw.inputs = this.pos.mark(inputs, [...this.inputs.values()][0].offset);
    }

    if (Object.keys(series).length > 0) raw.metrics = { series };
    if (!this.rollbackRefused && triggers.length > 0 && this.rollbackSteps.length === 0 && this.rollbackVerify.length === 0 && !this.incident) {
      const t0 = this.pos.of(triggers[0]);
      this.rollbackRefused = { line: t0 !== undefined ? lineAt(this.tree.lineStarts, t0) : 1, why: 'the document states rollback triggers but no rollback commands to run' };
    }
    if (this.rollbackRefused) {
      this.skip(this.rollbackRefused.line, 'the rollback', `not mapped: ${this.rollbackRefused.why}. R and the triggers have no rollback to run until the rollback is commands only (or one alternative is written as the rollback)`, 'no-place');
      this.uncertainty(this.rollbackRefused.line, `no automatic rollback: ${this.rollbackRefused.why}`);
      for (const t of triggers) this.skip(this.pos.of(t) !== undefined ? lineAt(this.tree.lineStarts, this.pos.of(t)!) : 1, `trigger ${JSON.stringify(t)}`, 'no rollback that runs on its own to trigger', 'no-place');
      this.rollbackSteps.splice(0);
      this.rollbackVerify.splice(0);
      this.incident = undefined;
      triggers.splice(0);
    }
    if (this.rollbackSteps.length > 0 || this.rollbackVerify.length > 0 || this.incident || triggers.length > 0) {
      const rb: Obj = {};
      if (this.rollbackSteps.length === 0 && this.rollbackVerify.length > 0) this.rollbackSteps.push(this.rollbackVerify.shift());
      rb.steps = this.rollbackSteps;
      if (this.rollbackSteps.length > 0) this.pos.mark(this.rollbackSteps, this.pos.of(this.rollbackSteps[0] as object) ?? this.pos.at(this.rollbackSteps, 0) ?? 0);
      if (this.rollbackVerify.length > 0) rb.verify = this.rollbackVerify;
      if (this.incident) {
        rb.incident = this.incident.run;
        if (Array.isArray(this.incident.run)) this.pos.mark(this.incident.run, this.incident.offset);
        this.pos.field(rb, 'incident', this.incident.offset);
      }
      if (triggers.length > 0) rb.triggers = this.pos.mark(triggers, this.pos.of(triggers[0]) ?? 0);
      raw.rollback = this.pos.mark(rb, this.pos.at(rb, 'steps') ?? this.pos.at(rb, 'triggers') ?? 0);
    }
    if (this.escalation.length > 0) raw.escalation = this.pos.mark(this.escalation, this.pos.of(this.escalation[0]) ?? 0);
    if (this.provider) {
      const flags: Obj = { provider: this.provider, ramps: this.ramps };
      if (this.flagDeploy) {
        flags.deploy = this.pos.mark(this.flagDeploy.run, this.flagDeploy.offset);
        this.pos.field(flags, 'deploy', this.flagDeploy.offset);
        this.note(this.flagDeploy.line, `flag deploy: ${JSON.stringify(this.flagDeploy.run)} (the code with a flag off, before its ramp: \`d\` on the Flags pane, \`cockpit flag <name> --deploy\`)`, ['flags', 'deploy']);
      }
      raw.flags = this.pos.mark(flags, this.pos.of(this.provider) ?? 0);
    } else {
      for (const [flag, ramp] of Object.entries(this.ramps)) this.skip(1, `flag ${flag} ramp ${JSON.stringify(ramp)}`, 'no flag provider command', 'no-place');
      if (this.flagDeploy) this.skip(this.flagDeploy.line, this.flagDeploy.text, 'a deploy for flag releases, but no flag provider command (a `--feature=… --percentage=N` line) to ramp the flag it deploys', 'no-place');
    }
    if (Object.keys(this.experiments).length > 0) {
      for (const [id, e] of Object.entries(this.experiments)) {
        const line = lineAt(this.tree.lineStarts, this.pos.of(e) ?? 0);
        if (e.metric === undefined) {
          e.metric = 'conversion';
          this.note(line, `experiment ${id}: variants ${(e.variants as string[]).join(', ')}, metric "conversion" (the Markdown names neither a metric nor variants; set them in the front matter)`, ['experiments', id, 'metric']);
        }
        // keep the schema's key order: variants, metric, deploy, conclude
        const ordered: Obj = { variants: e.variants, metric: e.metric };
        if (e.deploy !== undefined) ordered.deploy = e.deploy;
        if (e.conclude !== undefined) ordered.conclude = e.conclude;
        this.experiments[id] = this.pos.mark(ordered, this.pos.of(e) ?? 0);
      }
      raw.experiments = this.experiments;
    }
    if (this.troubleshooting.length > 0) raw.troubleshooting = this.pos.mark(this.troubleshooting, this.pos.of(this.troubleshooting[0]) ?? 0);
    if (this.emergency.length > 0) raw.emergency = this.pos.mark(this.emergency, this.pos.of(this.emergency[0]) ?? 0);
    const firstTarget = Object.keys(this.targets)[0];
    if (firstTarget) raw.targets = this.pos.mark(this.targets, this.pos.at(this.targets, firstTarget) ?? 0);
    return raw;
  }
}

// ── helpers ────────────────────────────────────────────────────────────────────────────────

const CONDITIONAL = /\b(?:only (?:after|when|if|once)|if (?:needed|necessary|required|you|the|it)|when (?:needed|necessary)|optional(?:ly)?|unless|in case|si es necesario|falls nötig|wenn nötig|si nécessaire|you can|puedes|kann man)\b|必要に応じて|必要なら/i;

/** Inline code in a checklist item that reads as a command: a program and its arguments (`cap production deploy`). */
function looksLikeTaskCommand(code: string): boolean {
  const t = code.trim();
  return !t.includes('\n') && /^[a-z][\w.-]*(?:\s+[-\w./:=@,{}'"]+)+$/.test(t) && !/^[\w-]+\.(?:md|json|ya?ml|txt|lock|toml)\b/.test(t);
}

/** Whether content holds a checklist (`- [ ]` items). */
function hasChecklist(nodes: readonly RootContent[]): boolean {
  return nodes.some((n) => n.type === 'list' && n.children.some((i) => typeof i.checked === 'boolean'));
}

/** The children that are alternatives of one another: two or more, numbered ("Option 1") or all alike ("If you use X"). */
function alternativesAmong(children: readonly Section[], strategy?: (c: Section) => boolean): Section[] {
  // several rollbacks side by side ("Blue-Green Rollback", "Canary Rollback", "Helm Rollback"): strategies to choose from
  const strategies = strategy ? children.filter(strategy) : [];
  if (strategies.length >= 2) return strategies;
  const alts = children.filter((c) => isAlternative(c.title));
  if (alts.length < 2) return [];
  if (alts.filter((c) => isNumberedAlternative(c.title.replace(/^[^\p{L}\p{N}]+/u, ''))).length >= 2) return alts.filter((c) => isNumberedAlternative(c.title.replace(/^[^\p{L}\p{N}]+/u, '')));
  return alts.length === children.length || alts.length >= 2 ? alts : [];
}

function codeIn(n: { children?: unknown[] }): Code[] {
  const out: Code[] = [];
  for (const c of (n.children ?? []) as { type: string; children?: unknown[] }[]) {
    if (c.type === 'code') out.push(c as unknown as Code);
    else if (c.children) out.push(...codeIn(c));
  }
  return out;
}

/** A paragraph that only labels what follows: `**Success Criteria:**`, or short text ending in ":". */
function labelOf(p: Paragraph): string | undefined {
  const lab = boldLabel(p.children);
  if (lab && plain({ type: 'paragraph', children: lab.rest }).trim() === '') return lab.label;
  const text = plain(p).trim();
  if (text.endsWith(':') && text.length <= 60 && !text.includes('\n')) return cleanTitle(text.slice(0, -1));
  return undefined;
}

function itemText(item: ListItem): string {
  const first = item.children[0];
  return first?.type === 'paragraph' ? plain(first) : '';
}

/** "./scripts/verify-tests.sh --x" → "verify-tests". */
function titleOf(run: string): string {
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

function shellWith(c: Cmd): string {
  const env = Object.entries(c.env ?? {})
    .map(([k, v]) => `${k}=${quoteShell(v)} `)
    .join('');
  return `${c.cwd !== undefined ? `cd ${quoteShell(c.cwd)} && ` : ''}${env}${c.run}`;
}

function quoteShell(v: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function metricSlug(subject: string): string {
  return slug(subject).replace(/-/g, '_') || 'metric';
}

function normalUnitOf(u: string | undefined): string | undefined {
  if (!u) return undefined;
  const w = u.toLowerCase();
  if (w === '%' || w === 'percent') return '%';
  if (/^(ms|milliseconds?|msecs?)$/.test(w)) return 'ms';
  if (/^(s|secs?|seconds?)$/.test(w)) return 's';
  return w;
}

type Arg = { name: string; value: string; index: number; valueIndex: number; replace(p: string): string };

/** `--feature=x` or `--feature x` among argv words. */
function argValue(words: readonly string[], names: readonly string[]): Arg | undefined {
  for (let i = 1; i < words.length; i++) {
    const m = /^(--?)([A-Za-z][\w-]*)(?:=(.*))?$/.exec(words[i]);
    if (!m || !names.includes(m[2].toLowerCase())) continue;
    if (m[3] !== undefined) return { name: `${m[1]}${m[2]}`, value: m[3], index: i, valueIndex: -1, replace: (p) => `${m[1]}${m[2]}=${p}` };
    if (i + 1 < words.length && !words[i + 1].startsWith('-')) return { name: `${m[1]}${m[2]}`, value: words[i + 1], index: i, valueIndex: i + 1, replace: (p) => `${m[1]}${m[2]}=${p}` };
  }
  return undefined;
}

const ENVIRONMENTS = /\b(production|prod|live|staging|canary|qa|uat|preprod|pre-production|sandbox|development)\b/i;

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

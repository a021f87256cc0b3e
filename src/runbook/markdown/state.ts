/** What the mapping has collected so far, where each thing came from, and the report: shared by the walk, the handlers and finish. */
import type { ListItem, RootContent } from 'mdast';
import { boldLabel, endLineOf, lineOf, offsetOf, walkSections, type MarkdownTree, type Section } from '../markdown-tree.js';
import { SHELL_LANGS, headingBudget, looksLikeCommand } from '../markdown-lines.js';
import { classify } from './classify.js';
import { Positions, type BandUse, type Hints, type MetricUse, type Note, type Obj, type StageDraft, type Unmapped, type UnmappedKind } from './model.js';
import { codeIn } from './helpers.js';

export class MapState {
  readonly pos = new Positions();
  readonly unmapped: Unmapped[] = [];
  readonly notes: Note[] = [];
  readonly preflight: Obj[] = [];
  readonly stageDrafts = new Map<Section, StageDraft>();
  readonly stageOrder: StageDraft[] = [];
  readonly rollbackSteps: unknown[] = [];
  readonly rollbackVerify: unknown[] = [];
  incident?: { run: string[] | string; offset: number };
  readonly triggerOrder: (MetricUse | { probe: Obj; offset: number; line: number; text: string })[] = [];
  readonly criteriaUses: MetricUse[] = [];
  readonly bands: BandUse[] = [];
  readonly escalation: Obj[] = [];
  provider?: Obj;
  readonly ramps: Record<string, number[]> = {};
  /** `./scripts/deploy-with-flags.sh --feature=x --enabled=false`: the flags' deploy template. */
  flagDeploy?: { readonly run: string[]; readonly line: number; readonly offset: number; readonly text: string };
  readonly experiments: Record<string, Obj> = {};
  readonly troubleshooting: Obj[] = [];
  readonly emergency: Obj[] = [];
  /** DORA targets stated in a success-metrics section (markdown-targets.ts). */
  readonly targets: Obj = {};
  readonly hasRelease: boolean;
  readonly owners = new Map<Section, Section>();
  /** A choice's option being collected (choiceFrom): stage and rollback steps go there. */
  capture?: unknown[];
  /** Mappings a person must look at in the plan review. */
  readonly uncertain: Note[] = [];
  /** Inputs the document's placeholders ask for: name → how it was written, where first. */
  readonly inputs = new Map<string, { prompt: string; line: number; offset: number }>();
  /** Why the rollback sections cannot become a rollback that runs on its own (a step for a person, alternatives). */
  rollbackRefused?: { line: number; why: string };
  /** An `ssh host` login left open by a block: what follows in its part of the document was written for that host. */
  remote?: { host: string; line: number; depth: number };
  sectionDepth = 0;
  /** Shell variables an earlier block of the document assigns, and the line of that block: a later step that reads one would run with it empty. */
  readonly assigned = new Map<string, number>();
  /** Items of numbered lists (a procedure's steps). */
  readonly ordered = new WeakSet<ListItem>();

  constructor(
    readonly tree: MarkdownTree,
    readonly hints: Hints,
    readonly file: string,
  ) {
    this.hasRelease = walkSections(tree.top).some((s) => s.depth > 0 && classify(s.title) === 'release');
    // an indented block (no fence) whose every line is a `$ ` prompt is a shell session
    for (const sec of walkSections(tree.top))
      for (const code of sec.content.flatMap((n) => (n.type === 'code' ? [n] : codeIn(n as { children?: unknown[] }))))
        if (code.lang == null && !/^\s*(```|~~~)/.test(tree.lines[lineOf(code) - 1] ?? '') && code.value.trim() !== '' && code.value.split('\n').every((l) => l.trim() === '' || /^\s*\$\s+\S/.test(l))) code.lang = 'console';
  }

  skip(line: number, what: string, why: string, kind: UnmappedKind, endLine?: number): void {
    this.unmapped.push({ line, endLine: endLine !== undefined && endLine > line ? endLine : undefined, what, why, kind });
  }

  note(line: number, text: string, about?: string[]): void {
    this.notes.push({ line, text, about });
  }

  /** Content nobody used: one "documentation only" line for the section, naming its bold labels. */
  leftovers(section: Section, nodes: RootContent[], why = 'documentation only'): void {
    const real = nodes.filter(
      (n) => n.type !== 'thematicBreak' && n.type !== 'definition' && !(n.type === 'html' && /^\s*<!--/.test(n.value)) && !(n.type === 'code' && SHELL_LANGS.has((n.lang ?? '').toLowerCase())),
    );
    if (real.length === 0) return;
    const labels = real.flatMap((n) => (n.type === 'paragraph' ? [boldLabel(n.children)?.label ?? ''] : [])).filter(Boolean);
    const what = section.depth === 0 ? 'text before the first heading' : `${section.title}${labels.length ? ` (${labels.join(', ')})` : ''}`;
    this.skip(lineOf(real[0]), what, why, 'documentation', endLineOf(real[real.length - 1]));
  }

  // ── walking ──────────────────────────────────────────────────────────────────────────────

  /** Runs `fn` with stage and rollback steps collected apart (a choice's option), and returns them. */
  captured(fn: () => void): unknown[] {
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
  sink(list: unknown[]): unknown[] {
    return this.capture ?? list;
  }

  uncertainty(line: number, text: string): void {
    this.uncertain.push({ line, text });
  }

  /** Whether a sub-section has a kind of its own that maps to something (so the subtree is not just prose). */
  subtreeClaimed(s: Section): boolean {
    return walkSections(s)
      .slice(1)
      .some((x) => {
        const k = classify(x.title);
        return k !== undefined && k !== 'docs';
      });
  }

  hasOwnCommands(s: Section): boolean {
    return s.content.some((n) => this.nodeHasCommands(n));
  }

  subtreeHasCommands(s: Section): boolean {
    return walkSections(s).some((x) => this.hasOwnCommands(x));
  }

  nodeHasCommands(n: RootContent): boolean {
    if (n.type === 'code') return SHELL_LANGS.has((n.lang ?? '').toLowerCase());
    if (n.type === 'inlineCode') return looksLikeCommand(n.value);
    if ('children' in n) return (n.children as RootContent[]).some((c) => this.nodeHasCommands(c));
    return false;
  }

  /** Shell blocks in a part of the document that maps to nothing: never dropped silently. */
  reportStrayCommands(s: Section, nodes: RootContent[]): void {
    for (const n of nodes) {
      const blocks = n.type === 'code' ? [n] : 'children' in n ? codeIn(n) : [];
      for (const b of blocks) {
        if (!SHELL_LANGS.has((b.lang ?? '').toLowerCase())) continue;
        this.skip(lineOf(b), `${s.title || 'text before the first heading'}: ${b.lang} block`, `commands outside any section cockpit maps (put them under the release process, or name the section)`, 'no-place', endLineOf(b));
      }
    }
  }

  push(list: unknown[], value: unknown, offset: number): void {
    if (value !== null && typeof value === 'object') this.pos.mark(value, offset);
    else this.pos.field(list, list.length, offset);
    list.push(value);
  }

  /** The stage a section's commands go to: its own, or the stage it is part of. */
  stageFor(s: Section): StageDraft {
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

  currentStage(s: Section): StageDraft | undefined {
    const owner = this.owners.get(s);
    if (owner) return this.stageFor(owner);
    return this.stageOrder[this.stageOrder.length - 1];
  }

}

/**
 * Sections of a Markdown runbook → the raw runbook (the same shape a cockpit.yml gives), with the
 * position of everything it wrote and a report of everything it did not map, and why. A section's
 * kind comes from its own heading (classify.ts), never from the document's title alone; its lists and
 * blocks go to that kind's handler (handlers/); alternatives become a choice (choiceFrom).
 */
import type { List, RootContent } from 'mdast';
import { boldLabel, cleanTitle, endLineOf, itemPhrasing, lineOf, offsetOf, plain, walkSections, type MarkdownTree, type Section } from '../markdown-tree.js';
import { headingBudget } from '../markdown-lines.js';
import { targetOf } from '../markdown-targets.js';
import { STRONG, classify, type Kind } from './classify.js';
import type { Cmd, Hints, Mapped } from './model.js';
import { alternativesAmong, hasChecklist, labelOf, releaseStep } from './helpers.js';
import { MapState } from './state.js';
import { guardTable } from './guardrails.js';
import { code, list } from './handlers/index.js';
import { troubleshootingEntry } from './steps.js';
import { finish } from './finish.js';

export function mapMarkdown(tree: MarkdownTree, hints: Hints, file: string): Mapped {
  const m = new MapState(tree, hints, file);
  visit(m, m.tree.top, undefined, undefined);
  const raw = finish(m);
  return { raw, positions: m.pos, unmapped: m.unmapped.sort((a, b) => a.line - b.line), notes: m.notes.sort((a, b) => a.line - b.line), uncertain: m.uncertain.sort((a, b) => a.line - b.line) };
}

export function visit(m: MapState, s: Section, inherited: Kind | undefined, stageOwner: Section | undefined): void {
  m.sectionDepth = s.depth;
  const own = s.depth > 0 ? (isTitle(s) && EXERCISE.test(s.title) ? 'reference' : classify(s.title)) : undefined;
  let kind: Kind | undefined = own ?? inherited;
  // inside a part for people to pick from (troubleshooting, emergency, a command reference), a
  // sub-heading like "Rollback stuck" names a problem, not a rollback to run
  // an option of a choice is what its choice is (a rollback's "Option C: Emergency Git Revert" is a rollback)
  if (m.capture !== undefined && (inherited === 'rollback' || inherited === 'stage') && own !== undefined && STRONG.has(own) && own !== 'reference') kind = inherited === 'stage' ? 'stage-part' : inherited;
  else if ((inherited === 'troubleshooting' || inherited === 'emergency' || inherited === 'reference') && (own === undefined || ['rollback', 'rollback-verify', 'triggers', 'release', 'monitoring', 'stage'].includes(own))) kind = inherited;
  else if (inherited === 'release' && (own === undefined || !STRONG.has(own))) kind = 'stage';
  else if (inherited === 'stage' && own === 'criteria') kind = 'criteria';
  else if (inherited === 'stage' && (own === undefined || !STRONG.has(own))) kind = 'stage-part';
  // no release section: a section is a stage only when its heading reads like a step of a release
  // ("Step 2", "3. Deploy", "Build", "Tag the release"); "Rotating secrets" or "Creating a pull
  // request" with commands is a procedure of its own, never chained into the release
  else if ((kind === undefined || kind === 'monitoring') && s.depth > 0 && !m.hasRelease && (hasChecklist(s.content) || (m.hasOwnCommands(s) && releaseStep(s.title)))) kind = 'stage';
  else if (kind === undefined && s.depth > 0 && m.hasRelease && hasChecklist(s.content)) kind = 'stage';
  const owner = kind === 'stage' ? s : kind === 'stage-part' || kind === 'criteria' ? stageOwner : undefined;
  if (owner) m.owners.set(s, owner);

  // whole subtrees for people or for reading: one line each (commands inside are still reported)
  const forPeople = kind === 'targets' || kind === 'celebration';
  const reading = kind === 'docs' || kind === 'reference' || (kind === undefined && s.depth > 0);
  if (forPeople || (reading && (kind === 'reference' || (!m.subtreeHasCommands(s) && !m.subtreeClaimed(s) && (kind === 'docs' || !walkSections(s).some((x) => hasChecklist(x.content))))))) {
    if (s.content.length > 0 || s.children.some((c) => c.content.length > 0)) {
      const inner = s.children.length > 0 ? ` (${walkSections(s).slice(1).map((c) => c.title).join(', ')})` : '';
      const mapped = kind === 'targets' ? targetsIn(m, s) : 0;
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
      m.skip(s.line, `${s.title}${inner}`, why, forPeople ? 'for-people' : 'documentation', s.endLine);
    }
    if (kind !== 'reference') for (const sub of walkSections(s)) m.reportStrayCommands(sub, sub.content);
    return;
  }

  // a release section with commands of its own is a stage too (its sub-sections are stages)
  section(m, s, kind === 'release' && (m.hasOwnCommands(s) || hasChecklist(s.content)) ? 'stage' : kind);
  let down: Kind | undefined = kind === 'stage' || kind === 'stage-part' || kind === 'criteria' ? 'stage' : kind === 'docs' ? undefined : kind;
  // the document's title speaks for the document, not for its sections: "# Rollback Runbook" does not make its deploy a rollback
  if (isTitle(s) && down !== 'release' && down !== 'stage') down = undefined;
  // rollback strategies side by side ("Blue-Green Rollback", "Canary Rollback") under a rollback section (not the document's title)
  const strategy = kind === 'rollback' && s.depth > 1 ? (c: Section) => classify(c.title) === 'rollback' && m.subtreeHasCommands(c) : undefined;
  const alts = alternativesAmong(s.children, strategy);
  let verifySeen = false;
  for (const c of s.children) {
    if (alts.includes(c)) {
      if (c === alts[0]) choiceFrom(m, s, alts, kind, down, owner);
      continue;
    }
    // a rollback's parts after its verification ("5. Communicate status") run after it, never before
    const own = classify(c.title);
    if (down === 'rollback' && own === 'rollback-verify') verifySeen = true;
    visit(m, c, down === 'rollback' && verifySeen && (own === undefined || own === 'rollback') ? 'rollback-verify' : down, owner);
  }
}

/**
 * Sibling sections that are alternatives ("Option 1 … Option 3", "Method 1: helm rollback / Method
 * 2: kubectl rollout undo", "If you use Helm / If you use kubectl"): a choice the operator makes,
 * never a chain. In a rollback the choice is the rollback's; elsewhere a step of the stage.
 */
export function choiceFrom(m: MapState, parent: Section, alts: Section[], kind: Kind | undefined, down: Kind | undefined, owner: Section | undefined): void {
  const inRollback = kind === 'rollback' || down === 'rollback';
  const reading = kind === 'docs' || kind === 'reference' || kind === 'troubleshooting' || kind === 'emergency' || kind === 'preflight' || kind === 'flags' || kind === 'experiments';
  if (reading) {
    for (const c of alts) visit(m, c, down, owner);
    return;
  }
  // alternatives inside an option of another choice: a choice within a choice is for a person
  if (m.capture !== undefined) {
    const text = `Choose one and do it: ${alts.map((a, i) => `(${i + 1}) ${cleanTitle(a.title)}`).join('; ')}`;
    m.capture.push(m.pos.mark({ title: cleanTitle(parent.title).slice(0, 80) || 'Choose one', manual: text }, alts[0].heading ? offsetOf(alts[0].heading) : 0));
    return;
  }
  const stageOwner = inRollback ? undefined : (owner ?? parent);
  if (!inRollback) m.owners.set(parent, stageOwner!);
  const options: { title: string; steps: unknown[]; offset: number; line: number; why?: string }[] = [];
  for (const alt of alts) {
    const captured = m.captured(() => visit(m, alt, inRollback ? 'rollback' : 'stage', stageOwner));
    const manual = captured.find((x) => x !== null && typeof x === 'object' && 'manual' in x) as { manual: string } | undefined;
    options.push({ title: cleanTitle(alt.title), steps: captured, offset: alt.heading ? offsetOf(alt.heading) : 0, line: alt.line, why: manual ? manual.manual : captured.length === 0 ? 'no commands' : undefined });
  }
  const runnable = options.filter((o) => o.why === undefined);
  const where = inRollback ? 'the rollback' : `stage "${m.stageFor(stageOwner!).title}"`;
  const title = `${cleanTitle(parent.title) || 'Choose'}: one of ${options.map((o) => o.title).join(' / ')}`;
  if (runnable.length >= 2 && runnable.length === options.length) {
    const choose = m.pos.mark({ choose: { title: cleanTitle(parent.title) || 'Choose one', options: options.map((o) => m.pos.mark({ title: o.title, steps: m.pos.mark(o.steps, o.offset) }, o.offset)) } }, options[0].offset);
    m.push(inRollback ? m.rollbackSteps : m.stageFor(stageOwner!).steps, choose, options[0].offset);
    m.uncertainty(alts[0].line, `${options.length} alternatives for ${where} (${options.map((o, i) => `${i + 1} ${o.title}`).join(', ')}): a choice to make before it can run, never chained`);
    return;
  }
  // alternatives some of which are for people: the operator does one by hand (never a rollback that runs on its own)
  const text = `Choose one and do it: ${options.map((o, i) => `(${i + 1}) ${o.title}${o.why ? ` [${o.why}]` : ''}`).join('; ')}`;
  if (inRollback) {
    m.rollbackRefused = { line: alts[0].line, why: `the rollback is ${options.length} alternatives, not all of which can run on their own (${text})` };
    return;
  }
  m.push(m.stageFor(stageOwner!).steps, m.pos.mark({ title: title.slice(0, 80), manual: text }, options[0].offset), options[0].offset);
  m.uncertainty(alts[0].line, `${options.length} alternatives for ${where}, not all runnable: a manual step ("${text.slice(0, 100)}")`);
}


/** The success metrics that state a DORA target ("**Lead Time:** < 4 hours") → targets:; returns how many. */
export function targetsIn(m: MapState, s: Section): number {
  let n = 0;
  for (const sub of walkSections(s))
    for (const list of sub.content.filter((x): x is List => x.type === 'list'))
      for (const item of list.children) {
        const lab = boldLabel(itemPhrasing(item));
        const t = lab ? targetOf(lab.label, plain({ type: 'paragraph', children: lab.rest })) : undefined;
        if (!t?.value || t.key in m.targets) continue;
        m.targets[t.key] = t.value;
        m.pos.field(m.targets, t.key, offsetOf(item));
        m.note(lineOf(item), `target ${t.key}: ${t.value} (cockpit history compares with it)`, ['targets', t.key]);
        n++;
      }
  return n;
}

/** A section's own content, interpreted by its kind; what it does not use is reported. */
export function section(m: MapState, s: Section, kind: Kind | undefined): void {
  const left: RootContent[] = [];
  const nodes = s.content;
  if (kind === 'preflight' || kind === 'rollback') {
    const b = headingBudget(s.title);
    if (b.budget) m.skip(s.line, `${s.title}: time budget`, `cockpit keeps a time budget for stages only`, 'for-people');
  }
  if (kind === 'stage') m.stageFor(s);
  const troubleshootingCmds: Cmd[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    const next = nodes[i + 1];
    if (n.type === 'paragraph' && next?.type === 'list') {
      const label = labelOf(n);
      if (label !== undefined) {
        const pick = kind === 'emergency' || kind === 'troubleshooting' || kind === 'reference';
        const labelKind = pick ? kind : /\b(?:e\.g\.|for example|example|exemple|ejemplo|beispiel|exemplo)\b|例/i.test(label) ? 'reference' : (classify(label) ?? kind);
        // a bold pseudo-heading over a checklist where the document has no headings of its own
        // ("**Release**:", "**After release**:"): a stage named by its label
        if ((labelKind === undefined || labelKind === 'release') && (kind === undefined || kind === 'release') && stepsList(next)) {
          list(m, next, 'stage', pseudoSection(s, label, n), troubleshootingCmds, label);
          i++;
          continue;
        }
        if (list(m, next, labelKind, s, troubleshootingCmds, label)) {
          i++;
          continue;
        }
      }
    }
    if (n.type === 'list' && list(m, n, kind, s, troubleshootingCmds)) continue;
    if (n.type === 'list' && kind === undefined && s.depth <= 1 && stepsList(n)) {
      list(m, n, 'stage', pseudoSection(s, isTitle(s) ? s.title : 'Checklist', n), troubleshootingCmds);
      continue;
    }
    const before = nodes[i - 1];
    const lead = before?.type === 'paragraph' ? plain(before) : before?.type === 'list' ? plain({ type: 'paragraph', children: itemPhrasing(before.children[before.children.length - 1]) }) : '';
    if (n.type === 'code' && /\b(?:e\.g\.|for example|example|exemple|ejemplo|beispiel|exemplo)\b|例[:：]/i.test(lead.slice(-120))) {
      m.skip(lineOf(n), `${s.title}: an example`, 'an example (the text before it says so): never run as a step', 'documentation', endLineOf(n));
      continue;
    }
    if (n.type === 'code' && code(m, n, kind, s, troubleshootingCmds)) continue;
    if (n.type === 'table' && (kind === 'thresholds' || kind === 'triggers' || kind === 'monitoring' || kind === 'rollback') && guardTable(m, n)) continue;
    if (n.type === 'table' && kind === 'history') {
      m.skip(lineOf(n), `${s.title} table`, 'written by `cockpit history --markdown` from the journals', 'elsewhere', endLineOf(n));
      continue;
    }
    if (n.type === 'blockquote' && /risk[- ]register|risk-incident-sync/i.test(plain(n))) {
      m.skip(lineOf(n), `${s.title}: automation note`, 'an external tool (risk-incident-sync): cockpit writes a risk-register entry on every rollback once the front matter says where (riskRegister: {file: …} or {run: …})', 'elsewhere', endLineOf(n));
      continue;
    }
    left.push(n);
  }
  if (kind === 'troubleshooting') troubleshootingEntry(m, s, troubleshootingCmds, left);
  m.reportStrayCommands(s, left);
  m.leftovers(s, left);
}

/** The document's title: its one heading at the top level (an H1, or the one H2 of a document without an H1). */
export function isTitle(s: Section): boolean {
  return s.depth > 0 && s.parent !== undefined && s.parent.depth === 0 && s.parent.children.length === 1;
}

/** A document written to learn from ("Übung", "Exercise", "Lab", "Tutorial"): never a release to run. */
const EXERCISE = /(?<!\p{L})(?:übung|exercise|hands-on lab|lab \d+|tutorial|workshop|kata|ejercicio|exercice|práctica)(?!\p{L})|演習|ハンズオン|练习/iu;

/** A checklist or a numbered list: steps, not prose. */
function stepsList(n: RootContent): boolean {
  return n.type === 'list' && (n.ordered === true || n.children.some((i) => typeof i.checked === 'boolean'));
}

/** A section for a label standing in for a heading (its stage is keyed by this object, placed where the label is). */
function pseudoSection(s: Section, title: string, at: RootContent): Section {
  return { ...s, title: cleanTitle(title), depth: s.depth + 1, line: lineOf(at), heading: at as unknown as Section['heading'], content: [], children: [] };
}

// ── lists ────────────────────────────────────────────────────────────────────────────────

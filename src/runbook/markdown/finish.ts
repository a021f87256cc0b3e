/** The collected parts → the raw runbook, in the schema's order, each object's position kept. */
import { basename, extname } from 'node:path';
import type { List } from 'mdast';
import { cleanTitle, itemPhrasing, offsetOf, plain, walkSections } from '../markdown-tree.js';
import { convert, lineAt } from '../markdown-lines.js';
import { classify } from './classify.js';
import type { Obj, StageDraft } from './model.js';
import { normalUnitOf, releaseStep, stageIdentity } from './helpers.js';
import { MapState } from './state.js';

type Guards = { series: Record<string, Obj>; stageCriteria: Map<StageDraft, Obj[]>; triggers: Obj[] };

/** The runbook the mapping collected: each part assembled in its own function below. */
export function finish(m: MapState): Obj {
  const raw: Obj = {};
  nameAndPreflight(m, raw);
  const g = guards(m);
  raw.stages = stagesOf(m, raw, g.stageCriteria);
  inputsOf(m, raw);
  if (Object.keys(g.series).length > 0) raw.metrics = { series: g.series };
  rollbackOf(m, raw, g.triggers);
  if (m.escalation.length > 0) raw.escalation = m.pos.mark(m.escalation, m.pos.of(m.escalation[0]) ?? 0);
  flagsOf(m, raw);
  if (m.troubleshooting.length > 0) raw.troubleshooting = m.pos.mark(m.troubleshooting, m.pos.of(m.troubleshooting[0]) ?? 0);
  if (m.emergency.length > 0) raw.emergency = m.pos.mark(m.emergency, m.pos.of(m.emergency[0]) ?? 0);
  const firstTarget = Object.keys(m.targets)[0];
  if (firstTarget) raw.targets = m.pos.mark(m.targets, m.pos.at(m.targets, firstTarget) ?? 0);
  return raw;
}

function nameAndPreflight(m: MapState, raw: Obj): void {
  const h1 = walkSections(m.tree.top).find((s) => s.depth === 1);
  if (m.hints.name === undefined) {
    const fromTitle = h1 ? cleanTitle(h1.title.split(/:\s|\s[–—-]\s/)[0]) : '';
    raw.name = fromTitle || basename(m.file, extname(m.file));
    if (h1) m.pos.field(raw, 'name', offsetOf(h1.heading!));
    m.note(h1?.line ?? 1, `name "${String(raw.name)}" from ${fromTitle ? 'the title' : 'the file name'} (set name: in the front matter to change it)`, ['name']);
  }
  if (m.preflight.length > 0) raw.preflight = m.pos.mark(m.preflight, m.pos.of(m.preflight[0]) ?? 0);

}

/**
 * Metrics from the thresholds, plus every metric a trigger or criterion names. Without a metrics
 * source they are kept all the same (armed.ts: not armed, and cockpit validate says what to add),
 * so the imported cockpit.yml has them as written and the team fills in only the source.
 */
function guards(m: MapState): Guards {
  const series: Record<string, Obj> = {};
  const unitFor = (metric: string, fallback?: string, valueUnit?: string) => m.hints.series[metric]?.unit ?? fallback ?? normalUnitOf(valueUnit);
  const field = m.hints.sourceType === 'prometheus' ? 'query' : m.hints.sourceType === 'http-json' ? 'pointer' : undefined;
  const ensure = (metric: string, unit: string | undefined, use: { offset: number; line: number; what: string }) => {
    if (!series[metric]) {
      series[metric] = m.pos.mark(unit !== undefined ? { unit } : {}, use.offset);
      m.pos.field(series, metric, use.offset);
    }
    // a series the source cannot fetch without the front matter's query: say which, at each line using it
    if (field !== undefined && m.hints.series[metric] === undefined)
      m.skip(
        use.line,
        use.what,
        `a ${metric} series: add metrics.series.${metric} with its ${field} (${field === 'query' ? 'PromQL' : 'a JSON pointer'} for the ${m.hints.sourceType} source) to the front matter`,
        'needs-front-matter',
      );
    return series[metric];
  };
  for (const b of m.bands) {
    const unit = unitFor(b.metric, b.unit, b.band.warnUnit ?? b.band.criticalUnit);
    const s = ensure(b.metric, unit, { offset: b.offset, line: b.line, what: `threshold "${b.text}" (${b.metric})` });
    if (b.band.warn !== undefined) s.warn = convert(b.band.warn, b.band.warnUnit, unit) ?? b.band.warn;
    if (b.band.critical !== undefined) s.critical = convert(b.band.critical, b.band.criticalUnit, unit) ?? b.band.critical;
    if (b.band.direction) s.direction = b.band.direction;
    if (b.band.dropWarnPct !== undefined) s.dropWarnPct = b.band.dropWarnPct;
    if (b.band.riseWarnPct !== undefined) s.riseWarnPct = b.band.riseWarnPct;
  }
  const stageCriteria = new Map<StageDraft, Obj[]>();
  for (const u of m.criteriaUses) {
    const unit = unitFor(u.metric, u.unit, u.valueUnit);
    ensure(u.metric, unit, { offset: u.offset, line: u.line, what: `${u.stage!.title} criterion "${u.text}" (${u.metric})` });
    const c = m.pos.mark({ metric: u.metric, [u.op]: convert(u.value, u.valueUnit, unit) ?? u.value } as Obj, u.offset);
    stageCriteria.set(u.stage!, [...(stageCriteria.get(u.stage!) ?? []), c]);
  }
  const triggers: Obj[] = [];
  for (const t of m.triggerOrder) {
    if ('probe' in t) {
      triggers.push(m.pos.mark(t.probe, t.offset));
      continue;
    }
    const unit = unitFor(t.metric, t.unit, t.valueUnit);
    ensure(t.metric, unit, { offset: t.offset, line: t.line, what: `trigger "${t.text}" (${t.metric})` });
    const trig: Obj = { metric: t.metric, [t.op]: convert(t.value, t.valueUnit, unit) ?? t.value };
    if (t.window) trig.for = t.window;
    triggers.push(m.pos.mark(trig, t.offset));
  }

  return { series, stageCriteria, triggers };
}

function stagesOf(m: MapState, raw: Obj, stageCriteria: Map<StageDraft, Obj[]>): Obj[] {
  const stages: Obj[] = [];
  const ids = new Set<string>();
  for (const d of m.stageOrder) {
    if (d.steps.length === 0) {
      if (stageCriteria.has(d)) m.skip(d.section.line, `${d.title}: criteria`, 'a stage with criteria but no commands', 'no-place');
      continue;
    }
    const { id, environment } = stageIdentity(d.title, ids);
    const st: Obj = { id, title: d.title };
    if (environment) st.environment = environment;
    if (d.budget) st.budget = d.budget;
    st.steps = m.pos.mark(d.steps, d.offset);
    const crit = stageCriteria.get(d);
    if (crit) st.criteria = m.pos.mark(crit, m.pos.of(crit[0]) ?? d.offset);
    stages.push(m.pos.mark(st, d.offset));
  }
  // a rollback runbook (no release, only a rollback procedure): the procedure is what the document runs
  const rollbackRunnable = [...m.rollbackSteps, ...m.rollbackVerify].some((x) => typeof x === 'string' || Array.isArray(x) || (x !== null && typeof x === 'object' && ('run' in x || 'choose' in x)));
  if (stages.length === 0 && !m.rollbackRefused && rollbackRunnable) {
    const steps = m.rollbackSteps.splice(0).concat(m.rollbackVerify.splice(0));
    const at = m.pos.of(steps[0] as object) ?? m.pos.at(steps, 0) ?? 0;
    stages.push(m.pos.mark({ id: 'rollback', title: 'Rollback', steps: m.pos.mark(steps, at) }, at));
    const line = lineAt(m.tree.lineStarts, at);
    if (m.incident) m.skip(lineAt(m.tree.lineStarts, m.incident.offset), 'the incident command', 'a rollback-only document runs its procedure as the release: no incident is opened by a release', 'no-place');
    m.incident = undefined;
    m.note(line, 'a rollback procedure and no release: the procedure is the release (stage "rollback"); R has no other rollback to run');
    m.uncertainty(line, 'a rollback-only document: its rollback procedure runs as the release, by Enter, not on a trigger');
  }
  // a checklist with no release section is a release all the same: its items are the stage
  if (stages.length === 0 && m.preflight.length > 0) {
    const h1 = walkSections(m.tree.top).find((x) => x.depth === 1);
    const title = cleanTitle(h1?.title ?? '') || 'Checklist';
    const steps = m.preflight.splice(0).map((p) => (p.manual !== undefined ? m.pos.mark({ title: p.title, manual: p.manual }, m.pos.of(p) ?? 0) : m.pos.mark({ title: p.title, run: p.run }, m.pos.of(p) ?? 0)));
    stages.push(m.pos.mark({ id: 'checklist', title, steps: m.pos.mark(steps, m.pos.of(steps[0]) ?? 0) }, m.pos.of(steps[0]) ?? 0));
    delete raw.preflight;
    m.note(h1?.line ?? 1, `no release section: the checklist is the release (stage "checklist", ${steps.length} item${steps.length === 1 ? '' : 's'})`);
  }
  if (stages.length === 0) {
    const steps = procedureItems(m);
    if (steps.length > 0) {
      const h1 = walkSections(m.tree.top).find((x) => x.depth === 1);
      stages.push(m.pos.mark({ id: 'procedure', title: cleanTitle(h1?.title ?? '') || 'Procedure', steps: m.pos.mark(steps, m.pos.of(steps[0] as object) ?? 0) }, m.pos.of(steps[0] as object) ?? 0));
      m.note(h1?.line ?? 1, `no commands and no release section: the numbered steps and checklists (${steps.length}) are the release, each for a person to tick`);
    }
  }
  return m.pos.mark(stages, stages.length ? (m.pos.of(stages[0]) ?? 0) : 0);
}

function inputsOf(m: MapState, raw: Obj): void {
  if (m.inputs.size > 0) {
    const inputs: Obj = {};
    for (const [name, i] of m.inputs) {
      inputs[name] = m.pos.mark({ prompt: i.prompt }, i.offset);
      m.pos.field(inputs, name, i.offset);
    }
    raw.inputs = m.pos.mark(inputs, [...m.inputs.values()][0].offset);
  }

}

function rollbackOf(m: MapState, raw: Obj, triggers: Obj[]): void {
  if (!m.rollbackRefused && triggers.length > 0 && m.rollbackSteps.length === 0 && m.rollbackVerify.length === 0 && !m.incident) {
    const t0 = m.pos.of(triggers[0]);
    m.rollbackRefused = { line: t0 !== undefined ? lineAt(m.tree.lineStarts, t0) : 1, why: 'the document states rollback triggers but no rollback commands to run' };
  }
  if (m.rollbackRefused) {
    m.skip(m.rollbackRefused.line, 'the rollback', `not mapped: ${m.rollbackRefused.why}. R and the triggers have no rollback to run until the rollback is commands only (or one alternative is written as the rollback)`, 'no-place');
    m.uncertainty(m.rollbackRefused.line, `no automatic rollback: ${m.rollbackRefused.why}`);
    for (const t of triggers) m.skip(m.pos.of(t) !== undefined ? lineAt(m.tree.lineStarts, m.pos.of(t)!) : 1, `trigger ${JSON.stringify(t)}`, 'no rollback that runs on its own to trigger', 'no-place');
    m.rollbackSteps.splice(0);
    m.rollbackVerify.splice(0);
    m.incident = undefined;
    triggers.splice(0);
  }
  if (m.rollbackSteps.length > 0 || m.rollbackVerify.length > 0 || m.incident || triggers.length > 0) {
    const rb: Obj = {};
    if (m.rollbackSteps.length === 0 && m.rollbackVerify.length > 0) m.rollbackSteps.push(m.rollbackVerify.shift());
    rb.steps = m.rollbackSteps;
    if (m.rollbackSteps.length > 0) m.pos.mark(m.rollbackSteps, m.pos.of(m.rollbackSteps[0] as object) ?? m.pos.at(m.rollbackSteps, 0) ?? 0);
    if (m.rollbackVerify.length > 0) rb.verify = m.rollbackVerify;
    if (m.incident) {
      rb.incident = m.incident.run;
      if (Array.isArray(m.incident.run)) m.pos.mark(m.incident.run, m.incident.offset);
      m.pos.field(rb, 'incident', m.incident.offset);
    }
    if (triggers.length > 0) rb.triggers = m.pos.mark(triggers, m.pos.of(triggers[0]) ?? 0);
    raw.rollback = m.pos.mark(rb, m.pos.at(rb, 'steps') ?? m.pos.at(rb, 'triggers') ?? 0);
  }
}

function flagsOf(m: MapState, raw: Obj): void {
  if (m.provider) {
    const flags: Obj = { provider: m.provider, ramps: m.ramps };
    if (m.flagDeploy) {
      flags.deploy = m.pos.mark(m.flagDeploy.run, m.flagDeploy.offset);
      m.pos.field(flags, 'deploy', m.flagDeploy.offset);
      m.note(m.flagDeploy.line, `flag deploy: ${JSON.stringify(m.flagDeploy.run)} (the code with a flag off, before its ramp: \`d\` on the Flags pane, \`cockpit flag <name> --deploy\`)`, ['flags', 'deploy']);
    }
    raw.flags = m.pos.mark(flags, m.pos.of(m.provider) ?? 0);
  } else {
    for (const [flag, ramp] of Object.entries(m.ramps)) m.skip(1, `flag ${flag} ramp ${JSON.stringify(ramp)}`, 'no flag provider command', 'no-place');
    if (m.flagDeploy) m.skip(m.flagDeploy.line, m.flagDeploy.text, 'a deploy for flag releases, but no flag provider command (a `--feature=… --percentage=N` line) to ramp the flag it deploys', 'no-place');
  }
  if (Object.keys(m.experiments).length > 0) {
    for (const [id, e] of Object.entries(m.experiments)) {
      const line = lineAt(m.tree.lineStarts, m.pos.of(e) ?? 0);
      if (e.metric === undefined) {
        e.metric = 'conversion';
        m.note(line, `experiment ${id}: variants ${(e.variants as string[]).join(', ')}, metric "conversion" (the Markdown names neither a metric nor variants; set them in the front matter)`, ['experiments', id, 'metric']);
      }
      // keep the schema's key order: variants, metric, deploy, conclude
      const ordered: Obj = { variants: e.variants, metric: e.metric };
      if (e.deploy !== undefined) ordered.deploy = e.deploy;
      if (e.conclude !== undefined) ordered.conclude = e.conclude;
      m.experiments[id] = m.pos.mark(ordered, m.pos.of(e) ?? 0);
    }
    raw.experiments = m.experiments;
  }
}

/** A document with no commands: its numbered steps and checklist items, in order, as manual steps (not those in parts for reading). */
function procedureItems(m: MapState): Obj[] {
  const out: Obj[] = [];
  for (const sec of walkSections(m.tree.top)) {
    const k = classify(sec.title);
    if (k === 'docs' || k === 'celebration' || k === 'targets' || k === 'history' || k === 'reference' || k === 'escalation' || k === 'triggers' || k === 'thresholds') continue;
    for (const list of sec.content.filter((x): x is List => x.type === 'list')) {
      // plain bullets count where the heading (or the document's title) names a release: "# Releasing"
      const releaseList = releaseStep(sec.title) || (sec.depth === 0 && sec.children.length === 0);
      if (!list.ordered && !list.children.some((i) => typeof i.checked === 'boolean') && !releaseList) continue;
      for (const item of list.children) {
        const all = cleanTitle(plain({ type: 'paragraph', children: itemPhrasing(item) }).replace(/\n+/g, ' '));
        if (all !== '') out.push(m.pos.mark({ title: all.slice(0, 80), manual: all }, offsetOf(item)));
      }
    }
  }
  return out;
}

/** Prose guardrails → criteria, rollback triggers, warn/critical bands and escalation levels. */
import type { List, ListItem, Table } from 'mdast';
import { boldLabel, cleanTitle, endLineOf, lineOf, offsetOf, plain, type Section } from '../markdown-tree.js';
import { bandOf, comparison, escalationAfter, metricOf, tableBands, tableTriggers, windowOf } from '../markdown-lines.js';
import type { Obj, StageDraft } from './model.js';
import { escapeRe, itemText, metricSlug } from './helpers.js';
import { MapState } from './state.js';
import { itemCommands } from './commands.js';

export function criterion(m: MapState, item: ListItem, stage: StageDraft | undefined, label: string): void {
  const text = cleanTitle(itemText(item));
  const cmp = comparison(text);
  const metric = cmp ? metricOf(cmp.subject, Object.keys(m.hints.series), cmp.rest) : undefined;
  if (!stage) {
    m.skip(lineOf(item), `${label}: "${text}"`, 'a criterion outside any stage', 'no-place');
    return;
  }
  if (cmp && metric) {
    m.criteriaUses.push({ what: 'criterion', line: lineOf(item), offset: offsetOf(item), text, metric: metric.name, unit: metric.unit, op: cmp.op, value: cmp.value, valueUnit: cmp.unit, stage });
    return;
  }
  m.skip(lineOf(item), `${stage.title} criterion "${text}"`, `a manual check: cockpit's stage criteria are metric thresholds${/5xx/i.test(text) ? ' (the 5xx probe trigger watches for it during the release)' : ''}`, 'for-people');
}

export function trigger(m: MapState, item: ListItem): void {
  const text = cleanTitle(itemText(item));
  const line = lineOf(item);
  const offset = offsetOf(item);
  const status = /\b([45]xx)\b/i.exec(text)?.[1]?.toLowerCase();
  if (status) {
    const named = m.hints.probes.find((p) => new RegExp(`\\b${escapeRe(p.name)}\\b`, 'i').test(text));
    const probe: Obj = { probe: named ? named.name : 'critical', status };
    const w = windowOf(text);
    if (w) probe.for = w;
    m.triggerOrder.push({ probe, offset, line, text });
    return;
  }
  const cmp = comparison(text);
  if (!cmp) {
    m.skip(line, `trigger "${text}"`, 'could not read a condition: write it like "Error rate > 1% for 2 minutes"', 'unreadable');
    return;
  }
  const metric = metricOf(cmp.subject, Object.keys(m.hints.series), cmp.rest) ?? { name: metricSlug(cmp.subject) };
  m.triggerOrder.push({ what: 'trigger', line, offset, text, metric: metric.name, unit: metric.unit, op: cmp.op, value: cmp.value, valueUnit: cmp.unit, window: windowOf(cmp.rest) });
}

export function threshold(m: MapState, item: ListItem): void {
  const first = item.children[0];
  const phrasing = first?.type === 'paragraph' ? first.children : [];
  const lab = boldLabel(phrasing);
  const whole = cleanTitle(itemText(item));
  const subject = lab?.label ?? whole.split(':')[0];
  const rest = lab ? plain({ type: 'paragraph', children: lab.rest }) : whole.slice(subject.length + 1);
  const band = bandOf(rest);
  const metric = metricOf(subject, Object.keys(m.hints.series), rest) ?? (band ? { name: metricSlug(subject) } : undefined);
  if (!band || !metric) {
    m.skip(lineOf(item), `threshold "${whole}"`, 'could not read warn/critical values: write it like "Response Time: < 500ms (Warning), < 1s (Critical)"', 'unreadable');
    return;
  }
  m.bands.push({ line: lineOf(item), offset: offsetOf(item), text: whole, metric: metric.name, unit: metric.unit, band });
}

export function escalationList(m: MapState, list: List, s: Section, label?: string): void {
  const timed = list.children.filter((it) => escalationAfter(itemText(it)) !== undefined);
  if (timed.length === 0) {
    m.skip(lineOf(list), `${label ?? s.title}: ${list.children.length} steps (${list.children.map((it) => cleanTitle(itemText(it))).join('; ')})`, 'an escalation path for people (no times to escalate at)', 'for-people', endLineOf(list));
    return;
  }
  for (const item of list.children) {
    const text = cleanTitle(itemText(item));
    const at = escalationAfter(text);
    if (!at) {
      m.skip(lineOf(item), `escalation "${text}"`, 'no time: write it like "Level 2 (5-15 min): …"', 'unreadable');
      continue;
    }
    const { cmds, label: lab, text: rest } = itemCommands(m, item);
    const words = cleanTitle(lab !== undefined ? `${lab}: ${rest === lab ? '' : rest}` : rest);
    const title = cleanTitle(words.replace(at.match, ' ').replace(/\s+:/, ':').replace(/\s{2,}/g, ' ').replace(/^:\s*/, ''));
    const level: Obj = { after: at.after };
    if (title) level.title = title;
    if (cmds.length > 0) level.run = cmds[0].run;
    else if (m.hints.notify !== undefined) level.notify = m.hints.notify;
    else if (title) {
      // for people ("Page on-call engineer"): the cockpit reminds them at its time
      m.note(lineOf(item), `escalation "${text}": a reminder on screen at ${at.after} into an incident (a command in the item, or a webhook in the front matter, would act instead)`, ['escalation']);
    } else {
      m.skip(lineOf(item), `escalation "${text}"`, 'needs a title, a command in the item, or a webhook in the front matter (notify: {slack: {webhookEnv: SLACK_WEBHOOK_URL}})', 'unreadable');
      continue;
    }
    m.push(m.escalation, level, offsetOf(item));
  }
}

/**
 * A table of thresholds or rollback conditions (| Metric | Warning | Critical |, | Condition |
 * Threshold | Duration | Action |): a band or a trigger per row, each row it cannot read listed with
 * its line. False when the table is neither.
 */
export function guardTable(m: MapState, table: Table): boolean {
  const cells = table.children.map((r) => r.children.map((c) => plain(c).replace(/\s+/g, ' ').trim()));
  const [header, ...body] = cells;
  if (!header || body.length === 0) return false;
  const triggers = tableTriggers(header, body);
  const bands = tableBands(header, body);
  if (!triggers && !bands) return false;
  body.forEach((_, i) => {
    const node = table.children[i + 1];
    const [line, offset] = [lineOf(node), offsetOf(node)];
    const t = triggers?.[i];
    const b = bands?.[i];
    const text = cells[i + 1].join(' | ');
    if (t && 'op' in t) {
      const metric = metricOf(t.subject, Object.keys(m.hints.series)) ?? { name: metricSlug(t.subject) };
      m.triggerOrder.push({ what: 'trigger', line, offset, text, metric: metric.name, unit: metric.unit, op: t.op, value: t.value, valueUnit: t.unit, window: t.window });
      m.uncertainty(line, `trigger read from a table row: ${metric.name} ${t.op} ${t.value}${t.unit ?? ''}${t.window ? ` for ${t.window}` : ''}`);
    } else if (b && 'band' in b) {
      const metric = metricOf(b.subject, Object.keys(m.hints.series)) ?? { name: metricSlug(b.subject) };
      m.bands.push({ line, offset, text, metric: metric.name, unit: metric.unit, band: b.band });
    } else {
      const miss = (b && 'reason' in b && !(t && 'reason' in t && /rollback/.test(b.reason)) ? b : t) ?? b;
      m.skip(line, `table row "${text}"`, miss && 'reason' in miss ? miss.reason : 'not a threshold or a trigger', 'unreadable');
    }
  });
  return true;
}

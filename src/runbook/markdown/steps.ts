/** Commands → steps, pre-flight checks, rollback steps and troubleshooting entries; placeholders → declared inputs. */
import { basename } from 'node:path';
import type { ListItem, RootContent } from 'mdast';
import { parseCommand, programOf } from '../command.js';
import { cleanTitle, offsetOf, plain, type Section } from '../markdown-tree.js';
import { quotedWords } from '../markdown-lines.js';
import { placeholdersIn, withInputs } from './hazards.js';
import { classify } from './classify.js';
import type { Cmd, Obj } from './model.js';
import { itemText, matchOf, shellWith, titleOf } from './helpers.js';
import { MapState } from './state.js';
import { itemCommands } from './commands.js';

/** A command step: a plain string when it has nothing but the command; a manual step when it cannot run. */
export function step(m: MapState, c: Cmd): unknown {
  if (c.conditional !== undefined && c.manual === undefined) c = { ...c, manual: `By hand when the condition holds: \`${c.run.split('\n')[0]}\` (${c.conditional})` };
  if (c.manual !== undefined) {
    const title = (c.title ?? titleOf(c.run || c.manual)).slice(0, 80);
    m.uncertainty(c.line, `"${title}": ${c.hazard ? `${c.hazard.why}: ` : ''}a manual step (cockpit waits for a tick, never runs it)`);
    if (!c.hazard && c.run !== '') m.skip(c.line, `\`${c.run.split('\n')[0]}\``, `${c.manual.split('\n')[0].replace(/:$/, '')}: a manual step`, 'for-people');
    if (c.hazard && c.hazard.kind !== 'placeholder-command') m.skip(c.line, `\`${(c.run || c.manual).split('\n')[0]}\``, `${c.hazard.why}: a manual step (to run it, bound it: \`timeout 60 …\`, or write the step in a cockpit.yml)`, 'unreadable');
    return m.pos.mark({ title, manual: c.manual }, c.offset);
  }
  const o: Obj = {};
  if (c.id !== undefined) o.id = c.id;
  if (c.title !== undefined) o.title = c.title;
  o.run = runWithInputs(m, c);
  if (c.timeout !== undefined) o.timeout = c.timeout;
  if (c.cwd !== undefined) o.cwd = c.cwd;
  if (c.env !== undefined) o.env = c.env;
  if (Object.keys(o).length === 1) return o.run;
  m.pos.mark(o, c.offset);
  if (c.attrOffset !== undefined) for (const k of ['id', 'timeout', 'cwd']) if (k in o) m.pos.field(o, k, c.attrOffset);
  return o;
}

/** The command with its placeholders as declared inputs ({input.NAME}): nothing runs with one unfilled. */
export function runWithInputs(m: MapState, c: Cmd): string {
  const found = placeholdersIn(c.run);
  for (const p of found) {
    if (!m.inputs.has(p.name)) {
      m.inputs.set(p.name, { prompt: p.text, line: c.line, offset: c.offset });
      m.uncertainty(c.line, `input ${p.name}: ${p.text} is a placeholder: the run asks for it (--set ${p.name}=…)`);
    }
  }
  return found.length > 0 ? withInputs(c.run, found) : c.run;
}

/** Commands for places a person triggers (emergency, troubleshooting, flags): those that cannot run as written are reported, not kept. */
export function runnable(m: MapState, cmds: readonly Cmd[], where: string): Cmd[] {
  return cmds.filter((c) => {
    const why = c.manual !== undefined ? (c.hazard?.why ?? 'not shell') : placeholdersIn(c.run).length > 0 ? `has a placeholder (${placeholdersIn(c.run)[0].text})` : undefined;
    if (why) m.skip(c.line, `\`${(c.run || c.manual || '').split('\n')[0]}\``, `${why}: not kept in ${where}`, 'unreadable');
    return why === undefined;
  });
}

export function preflightCommand(m: MapState, c: Cmd, title: string): void {
  if (c.conditional !== undefined && c.manual === undefined) c = { ...c, manual: `By hand when the condition holds: \`${c.run.split('\n')[0]}\` (${c.conditional})` };
  if (c.manual !== undefined) {
    m.uncertainty(c.line, `pre-flight "${title}": ${c.hazard?.why ?? 'not shell'}: a manual check`);
    m.push(m.preflight, { title, manual: c.manual }, c.offset);
    return;
  }
  c = { ...c, run: runWithInputs(m, c) };
  const item: Obj = {};
  if (c.id !== undefined) item.id = c.id;
  item.title = title;
  item.run = c.cwd !== undefined || c.env !== undefined ? shellWith(c) : c.run;
  if (c.timeout !== undefined) item.timeout = c.timeout;
  m.push(m.preflight, item, c.offset);
  if (c.attrOffset !== undefined) for (const k of ['id', 'timeout']) if (k in item) m.pos.field(item, k, c.attrOffset);
}

/** A pre-flight item: its own commands are automated checks, else the operator ticks it; its sub-items follow, each a check of its own. */
export function preflightItem(m: MapState, item: ListItem): void {
  const { cmds, label, text } = itemCommands(m, item, true, false);
  if (cmds.length > 0) {
    const base = label ?? (text || titleOf(cmds[0].run));
    cmds.forEach((c, i) => preflightCommand(m, c, i === 0 ? base : `${base} (${i + 1})`));
  } else {
    const all = cleanTitle(itemText(item));
    if (all !== '') m.push(m.preflight, label ? { title: label, manual: text && text !== label ? text : label } : { title: all, manual: all }, offsetOf(item));
  }
  for (const sub of item.children) if (sub.type === 'list') for (const it of sub.children) preflightItem(m, it);
}

/** Rollback commands: the incident script gets the reason, a verify/confirm command verifies, the rest roll back. */
export function rollbackCommands(m: MapState, cmds: Cmd[]): void {
  cmds = cmds.map((c) => (c.conditional !== undefined && c.manual === undefined ? { ...c, manual: `By hand when the condition holds: \`${c.run.split('\n')[0]}\` (${c.conditional})` } : c));
  const manual = cmds.find((c) => c.manual !== undefined);
  if (manual && m.capture === undefined) {
    m.rollbackRefused ??= { line: manual.line, why: `line ${manual.line} of the rollback is for a person (${manual.hazard?.why ?? 'not shell'}): a rollback must run on its own when a trigger fires` };
    return;
  }
  if (manual) {
    m.capture!.push({ title: manual.title ?? 'by hand', manual: manual.manual });
    return;
  }
  for (const c of cmds) {
    const prog = programOf(parseCommand(c.run)) ?? c.run.split(/\s+/)[0];
    const name = basename(prog).toLowerCase();
    if (/incident/.test(name) && m.incident === undefined && m.capture === undefined) {
      const words = quotedWords(c.run);
      if (words) {
        const quoted = words.filter((w) => w.quoted);
        const argv = words.map((w) => (w.quoted ? '{reason}' : w.word));
        m.incident = { run: argv, offset: c.offset };
        if (quoted.length > 0) m.note(c.line, `incident: ${quoted.map((w) => JSON.stringify(w.word)).join(', ')} replaced by the rollback's reason ({reason})`);
      } else m.incident = { run: c.run, offset: c.offset };
      continue;
    }
    const verify = /verif|confirm|check/.test(name) || /^verif/i.test(c.title ?? '');
    if (verify && m.rollbackSteps.length > 0) m.push(m.sink(m.rollbackVerify), step(m, c), c.offset);
    else m.push(m.sink(m.rollbackSteps), step(m, c), c.offset);
  }
}

export function troubleshootingEntry(m: MapState, s: Section, cmds: Cmd[], left: RootContent[]): void {
  const inherited = classify(s.title) !== 'troubleshooting';
  const prose: RootContent[] = left.filter((n) => n.type === 'paragraph' || n.type === 'list' || n.type === 'blockquote');
  const hint = prose.length > 0 ? prose.map((n) => cleanTitle(plain(n).replace(/\n+/g, ' '))).join(' ') : undefined;
  if (cmds.length === 0 && !(inherited && hint)) return;
  const title = cleanTitle(s.title.replace(/^["“'](.*)["”']$/, '$1'));
  const entry: Obj = { match: matchOf(title), title };
  if (hint) entry.hint = hint;
  if (cmds.length > 0) entry.steps = cmds.map((c) => step(m, { ...c, conditional: undefined }));
  m.push(m.troubleshooting, entry, s.heading ? offsetOf(s.heading) : (cmds[0]?.offset ?? offsetOf(s.content[0] ?? {})));
  if (hint) left.splice(0, left.length, ...left.filter((n) => !prose.includes(n)));
}

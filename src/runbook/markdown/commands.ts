/**
 * The commands of a list item or a shell block, as the document means them: a block whose lines share
 * shell state is one script; a line that cannot run safely (hazards.ts) is a step for a person; inline
 * code is a command only in a checklist item or a numbered step.
 */
import type { Code, ListItem, PhrasingContent } from 'mdast';
import { boldLabel, cleanTitle, endLineOf, lineOf, offsetOf, plain } from '../markdown-tree.js';
import { PROMPT_LANGS, SHELL_LANGS, blockCommands, fenceAttributes, looksLikeCommand } from '../markdown-lines.js';
import { assignedIn, blockIsNotASequence, commandHazard, notShell, sharesState, sshLogin, usedIn, type Hazard } from './hazards.js';
import type { Cmd } from './model.js';
import { CONDITIONAL, looksLikeTaskCommand, NEGATED } from './helpers.js';
import { MapState } from './state.js';

/** A list item's commands: inline `./script` code, nested code blocks, nested lists' commands. */
/**
 * A list item's commands: inline `./script` code, nested code blocks, nested lists' commands.
 * `strict` (stages, rollback, pre-flight): inline code is a command only in a checklist item
 * (`- [ ] Run \`./deploy.sh\``), never in prose or a plain bullet that describes something.
 */
export function itemCommands(m: MapState, item: ListItem, strict = false, deep = true): { cmds: Cmd[]; label?: string; text: string } {
  const first = item.children[0];
  const phrasing: PhrasingContent[] = first?.type === 'paragraph' ? first.children : [];
  const lab = boldLabel(phrasing);
  const task = typeof item.checked === 'boolean';
  // a checklist item or a numbered step marks its command as one; a plain bullet or a sentence describes
  const inlineOk = !strict || task || m.ordered.has(item);
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
        if (isCmd(p)) cmds.push(inlineCmd(m, p.value.trim(), offsetOf(p) + 1, lineOf(p)));
      }
    } else if (child.type === 'code') {
      cmds.push(...(blockCmds(m, child, text || label || 'list item') ?? []));
    } else if (child.type === 'list') {
      if (deep) for (const sub of child.children) cmds.push(...itemCommands(m, sub, strict).cmds);
    }
  }
  // "Do not run `kubectl delete ns prod`", "Never use …": the document says not to; no step, no offered action
  const words = plain({ type: 'paragraph', children: phrasing });
  if (cmds.length > 0 && NEGATED.test(words)) {
    m.skip(lineOf(item), `"${cleanTitle(words).slice(0, 80)}"`, 'the item says not to run it: never a step', 'documentation');
    return { cmds: [], label: lab?.label, text };
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
export function inlineCmd(m: MapState, run: string, offset: number, line: number): Cmd {
  const hazard = commandHazard(run);
  return hazard ? { run, offset, line, hazard, manual: `By hand: \`${run}\` (${hazard.why}; cockpit never runs it as a step)` } : { run, offset, line };
}

// ── code blocks ──────────────────────────────────────────────────────────────────────────

/** A shell block → commands (fence attributes applied); undefined for other languages. */
export function blockCmds(m: MapState, code: Code, where: string): Cmd[] | undefined {
  const lang = (code.lang ?? '').toLowerCase();
  if (!SHELL_LANGS.has(lang)) {
    if (code.lang == null && code.value.split('\n').some((l) => looksLikeCommand(l.replace(/^\s*\$\s+/, ''))))
      m.skip(lineOf(code), `${where}: code block without a language`, 'not run: mark it ```bash (or ```sh) to make its lines steps', 'no-place', endLineOf(code));
    return undefined;
  }
  const attrs = fenceAttributes(code.meta);
  const startLine = lineOf(code);
  const fenceLine = m.tree.lines[startLine - 1] ?? '';
  const fenced = /^\s*(```|~~~)/.test(fenceLine);
  const attrOffset = m.tree.lineStarts[startLine - 1] + Math.max(0, fenceLine.indexOf('{'));
  if (attrs.excludeFromRunAll === 'true') {
    m.skip(startLine, `${where}: ${lang} block`, 'excludeFromRunAll=true: not part of the release', 'documentation', endLineOf(code));
    return [];
  }
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'interactive' && v === 'true')
      m.skip(startLine, `${where}: interactive=true`, 'unsupported: cockpit runs steps without a terminal for input (the commands run non-interactively)', 'unsupported');
    else if (k === 'background' && v === 'true')
      m.skip(startLine, `${where}: background=true`, 'unsupported: cockpit waits for each step to finish (the commands run in the foreground)', 'unsupported');
    else if (!['name', 'timeout', 'cwd', 'interactive', 'background', 'excludeFromRunAll'].includes(k))
      m.skip(startLine, `${where}: ${k}=${v}`, 'a fence attribute cockpit does not use (ignored)', 'unsupported');
  }
  const first = startLine + (fenced ? 1 : 0);
  const at = (index: number, text: string) => {
    const line = first + index;
    const col = Math.max(0, (m.tree.lines[line - 1] ?? '').indexOf(text.split('\n')[0]));
    return { line, offset: m.tree.lineStarts[line - 1] + col };
  };
  const base = { timeout: attrs.timeout, attrOffset };
  // a block for a person still sets what a later step reads (MAJOR=0 in a transcript): remembered first
  const loose = code.value.replace(/^(\s*)[\w.~/-]*[$>]\s+/gm, '$1');
  const earlier = new Set(m.assigned.keys());
  for (const v of assignedIn(loose)) if (!m.assigned.has(v)) m.assigned.set(v, at(0, code.value.trim()).line);
  const notSeq = blockIsNotASequence(code.value);
  if (notSeq) {
    return [{ ...at(0, code.value.trim()), ...base, run: code.value.trim(), title: `${where} (by hand)`, manual: `By hand (${notSeq}):\n${code.value.trim()}` }];
  }
  const other = notShell(code.value);
  if (other) {
    const where0 = at(0, code.value.trim());
    return [{ ...where0, ...base, run: code.value.trim(), title: `${where}: ${other.what} (by hand)`, manual: `By hand (${other.what}, not shell: cockpit never runs it):\n${code.value.trim()}` }];
  }
  // `$ ` or `> ` prompts in a bash block: a console session (the lines without one are its output)
  const prompted = !PROMPT_LANGS.has(lang) && code.value.split('\n').some((l) => /^\s*[\w.~/-]*[$>]\s+\S/.test(l));
  if (prompted && code.value.split('\n').some((l) => l.trim() !== '' && !/^\s*(?:[\w.~/-]*[$>]\s|#)/.test(l) && !/\\$/.test(l))) {
    return [{ ...at(0, code.value.trim()), ...base, run: code.value.trim(), title: `${where}: a console transcript (by hand)`, manual: `By hand (a console session with its output, not a script: cockpit never runs it):\n${code.value.trim()}` }];
  }
  const text = prompted ? code.value.replace(/^(\s*)[\w.~/-]*[$>]\s+/gm, '$1') : code.value;
  const { commands } = blockCommands(text, lang);
  if (commands.length === 0) return [];
  const remote = m.remote;
  const hazards = commands.map((c) => (remote ? { kind: 'remote' as const, why: `written for ${remote.host}: \`ssh ${remote.host}\` (line ${remote.line}) opened a shell there` } : commandHazard(c.text)));
  // a login left open (no exit after it): the rest of this part of the document is for that host
  const login = commands.findIndex((c) => sshLogin(c.text.split('\n')[0]) !== undefined);
  if (login >= 0 && !commands.slice(login + 1).some((c) => /^\s*(?:exit|logout)\b/.test(c.text))) m.remote = { host: sshLogin(commands[login].text.split('\n')[0])!, line: at(commands[login].index, commands[login].text).line, depth: Math.max(1, Math.min(m.sectionDepth, 2)) };
  // a variable an earlier block set (MAJOR=0 … then `git tag v$MAJOR…` in its own block): each step is its own shell, so it would be empty
  const own = new Set(assignedIn(text));
  const carried = (t: string) => usedIn(t).filter((v) => !own.has(v) && earlier.has(v));
  commands.forEach((c, i) => {
    const vars = carried(c.text);
    if (!hazards[i] && vars.length > 0) hazards[i] = { kind: 'carried', why: `reads ${vars.map((v) => `$${v}`).join(', ')}, set by the block at line ${m.assigned.get(vars[0])}: run as its own step it would be empty` };
  });
  const stateful = sharesState(commands.map((c) => c.text)) || hazards.some((h) => h?.kind === 'remote');
  if (stateful) return [wholeBlock(m, { ...code, value: text }, lang, commands, hazards, { ...at(commands[0].index, commands[0].text), ...base, id: attrs.name, cwd: attrs.cwd }, where)];
  return commands.map((c, i) => {
    const id = attrs.name !== undefined ? (commands.length === 1 ? attrs.name : `${attrs.name}-${i + 1}`) : undefined;
    const pos = at(c.index, c.text);
    const run = c.text;
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
export function wholeBlock(m: MapState, code: Code, lang: string, commands: readonly { text: string; index: number; title?: string }[], hazards: readonly (Hazard | undefined)[], pos: Omit<Cmd, 'run'>, where: string): Cmd {
  const prompts = PROMPT_LANGS.has(lang) && /^\s*\$\s/m.test(code.value);
  const script = (prompts ? code.value.split('\n').flatMap((l) => (/^\s*\$\s?/.test(l) ? [l.replace(/^(\s*)\$\s?/, '$1')] : [])) : code.value.split('\n'))
    .filter((l) => !/^#!/.test(l))
    .join('\n')
    .trim();
  const title = /^\s*#(?!!)/.test(code.value.trimStart().split('\n')[0]) ? (commands[0].title ?? where) : where;
  const bad = hazards.flatMap((h, i) => (h ? [`line ${i + 1} \`${commands[i].text.split('\n')[0]}\`: ${h.why}`] : []));
  if (bad.length > 0) return { ...pos, run: script, title, manual: `By hand (cockpit never runs this block: ${bad.join('; ')}):\n${script}`, hazard: hazards.find((h) => h)! };
  m.note(pos.line, `"${title}": one script in one shell (${commands.length} command${commands.length === 1 ? '' : 's'}: variables, cd and functions carry from line to line; it stops at the first failing command)`);
  return { ...pos, run: script, title };
}

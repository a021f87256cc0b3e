/**
 * Section kind → its handler (np's task lists: the importer is data). A kind with no handler
 * maps nothing from lists or blocks: they are reported with the section as documentation.
 */
import type { Code, List } from 'mdast';
import { SHELL_LANGS } from '../../markdown-lines.js';
import type { Section } from '../../markdown-tree.js';
import type { Kind } from '../classify.js';
import { blockCmds } from '../commands.js';
import { experimentBlock, flagBlock } from '../flags.js';
import { criterion, escalationList, threshold, trigger } from '../guardrails.js';
import type { Cmd } from '../model.js';
import { runnable } from '../steps.js';
import type { MapState } from '../state.js';
import { emergency, preflight, troubleshooting } from './reference.js';
import { rollback, rollbackVerify } from './rollback.js';
import { stage } from './stage.js';
import type { Handler } from './types.js';

const HANDLERS: Partial<Record<Kind, Handler>> = {
  preflight,
  stage,
  'stage-part': stage,
  rollback,
  'rollback-verify': rollbackVerify,
  emergency,
  troubleshooting,
  criteria: {
    list({ m, list, s, label }) {
      const st = m.currentStage(s);
      for (const item of list.children) criterion(m, item, st, label ?? s.title);
      return true;
    },
  },
  triggers: { list: ({ m, list }) => (list.children.forEach((item) => trigger(m, item)), true) },
  thresholds: { list: ({ m, list }) => (list.children.forEach((item) => threshold(m, item)), true) },
  escalation: { list: ({ m, list, s, label }) => (escalationList(m, list, s, label), true) },
  flags: { code: ({ m, code, s, where }) => (flagBlock(m, runnable(m, blockCmds(m, code, where) ?? [], 'the flags'), s), true) },
  experiments: { code: ({ m, code, s, where }) => (experimentBlock(m, runnable(m, blockCmds(m, code, where) ?? [], 'the experiments'), s), true) },
};

/** A list in a section of this kind; true when it was used. */
export function list(m: MapState, l: List, kind: Kind | undefined, s: Section, tsCmds: Cmd[], label?: string): boolean {
  if (l.ordered) for (const it of l.children) m.ordered.add(it);
  const h = kind === undefined ? undefined : HANDLERS[kind];
  return h?.list?.({ m, list: l, s, tsCmds, label }) ?? false;
}

/** A code block in a section of this kind; true when it was used (a block of commands with no language is reported). */
export function code(m: MapState, c: Code, kind: Kind | undefined, s: Section, tsCmds: Cmd[]): boolean {
  const where = s.title || 'text before the first heading';
  if (!SHELL_LANGS.has((c.lang ?? '').toLowerCase())) {
    const before = m.unmapped.length;
    blockCmds(m, c, where);
    return m.unmapped.length > before;
  }
  const h = kind === undefined ? undefined : HANDLERS[kind];
  return h?.code?.({ m, code: c, s, tsCmds, where }) ?? false;
}

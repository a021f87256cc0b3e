/** Parts a person picks from (pre-flight checks aside): the emergency reference and troubleshooting. */
import { offsetOf } from '../../markdown-tree.js';
import { blockCmds, itemCommands } from '../commands.js';
import { matchOf, titleOf } from '../helpers.js';
import type { Obj } from '../model.js';
import { preflightCommand, preflightItem, runnable, step } from '../steps.js';
import type { Handler } from './types.js';

export const preflight: Handler = {
  list({ m, list }) {
    for (const item of list.children) preflightItem(m, item);
    return true;
  },
  code({ m, code, where }) {
    for (const c of blockCmds(m, code, where) ?? []) preflightCommand(m, c, c.title ?? titleOf(c.run));
    return true;
  },
};

export const emergency: Handler = {
  list({ m, list }) {
    let used = false;
    for (const item of list.children) {
      const { cmds, text } = itemCommands(m, item);
      for (const c of runnable(m, cmds, 'the emergency reference')) {
        m.push(m.emergency, { title: c.title ?? (text || titleOf(c.run)), run: c.run }, c.offset);
        used = true;
      }
    }
    return used;
  },
  code({ m, code, where }) {
    for (const c of runnable(m, blockCmds(m, code, where) ?? [], 'the emergency reference')) m.push(m.emergency, { title: c.title ?? titleOf(c.run), run: c.run }, c.offset);
    return true;
  },
};

export const troubleshooting: Handler = {
  list({ m, list }) {
    let used = false;
    for (const item of list.children) {
      const { cmds, label, text } = itemCommands(m, item);
      if (cmds.length === 0) continue;
      const title = label ?? text;
      const entry: Obj = { match: matchOf(title), title, steps: cmds.map((c) => step(m, { ...c, conditional: undefined })) };
      m.push(m.troubleshooting, entry, offsetOf(item));
      used = true;
    }
    return used;
  },
  code({ m, code, tsCmds, where }) {
    tsCmds.push(...runnable(m, blockCmds(m, code, where) ?? [], 'troubleshooting'));
    return true;
  },
};

/** A stage (or a part of one): its commands are steps; a numbered or checklist item without one is a manual step. */
import { cleanTitle, itemPhrasing, offsetOf, plain } from '../../markdown-tree.js';
import { blockCmds, itemCommands } from '../commands.js';
import { step } from '../steps.js';
import type { Handler } from './types.js';

export const stage: Handler = {
  list(u) {
    const { m, list, s } = u;
    const target = m.stageFor(s);
    let used = false;
    for (const item of list.children) {
      // the item's own commands (inline, or a block under it), then its sub-items in order, each a step of its own
      const { cmds, label } = itemCommands(m, item, true, false);
      if (cmds.length > 0) {
        for (const c of cmds) m.push(m.sink(target.steps), step(m, c), c.offset);
        used = true;
      } else if (list.ordered || typeof item.checked === 'boolean') {
        const all = cleanTitle(plain({ type: 'paragraph', children: itemPhrasing(item) }).replace(/\n+/g, ' '));
        // titled by its whole text (a command it names and says not to run stays in it), or its bold label
        if (all !== '') m.push(m.sink(target.steps), m.pos.mark({ title: (label ?? all).slice(0, 80), manual: all }, offsetOf(item)), offsetOf(item));
        used = true;
      }
      for (const sub of item.children) if (sub.type === 'list' && stage.list!({ ...u, list: sub })) used = true;
    }
    return used;
  },
  code({ m, code, s, where }) {
    const target = m.stageFor(s);
    for (const c of blockCmds(m, code, where) ?? []) m.push(m.sink(target.steps), step(m, c), c.offset);
    return true;
  },
};

/** The rollback and its verification: commands only (a rollback never waits for a person). */
import type { Kind } from '../classify.js';
import { endLineOf, lineOf } from '../../markdown-tree.js';
import { blockCmds, itemCommands } from '../commands.js';
import { itemText } from '../helpers.js';
import { rollbackCommands, runnable, step } from '../steps.js';
import type { Handler, ListUse } from './types.js';

function rollbackList({ m, list, s, label }: ListUse, kind: Kind): boolean {
  const items = list.children;
  let commands = 0;
  for (const item of items) {
    const { cmds } = itemCommands(m, item, true);
    if (cmds.length === 0) continue;
    if (kind === 'rollback') rollbackCommands(m, cmds);
    else for (const c of cmds) m.push(m.sink(m.rollbackVerify), step(m, c), c.offset);
    commands++;
  }
  if (commands < items.length) {
    const manual = items.filter((it) => itemCommands(m, it, true).cmds.length === 0);
    m.skip(
      lineOf(manual[0]),
      `${label ?? s.title}: ${manual.length} manual check${manual.length === 1 ? '' : 's'} (${manual.map((it) => itemText(it)).join('; ')})`,
      kind === 'rollback-verify' ? 'checks for people after a rollback: rollback.verify runs commands (add a script to automate one)' : 'checks for people: the rollback runs commands',
      'for-people',
      endLineOf(manual[manual.length - 1]),
    );
  }
  return true;
}

export const rollback: Handler = {
  list: (u) => rollbackList(u, 'rollback'),
  code({ m, code, where }) {
    rollbackCommands(m, blockCmds(m, code, where) ?? []);
    return true;
  },
};

export const rollbackVerify: Handler = {
  list: (u) => rollbackList(u, 'rollback-verify'),
  code({ m, code, where }) {
    for (const c of runnable(m, blockCmds(m, code, where) ?? [], 'the rollback verification')) m.push(m.sink(m.rollbackVerify), step(m, c), c.offset);
    return true;
  },
};

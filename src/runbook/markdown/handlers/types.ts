/** What a section kind does with its lists and its shell blocks: one handler per kind (handlers/index.ts). */
import type { Code, List } from 'mdast';
import type { Section } from '../../markdown-tree.js';
import type { Cmd } from '../model.js';
import type { MapState } from '../state.js';

export type ListUse = { readonly m: MapState; readonly list: List; readonly s: Section; readonly tsCmds: Cmd[]; readonly label?: string };
export type CodeUse = { readonly m: MapState; readonly code: Code; readonly s: Section; readonly tsCmds: Cmd[]; readonly where: string };

export type Handler = {
  /** A list in a section of this kind; true when it was used (its unused items are reported). */
  readonly list?: (u: ListUse) => boolean;
  /** A shell block in a section of this kind; true when it was used. */
  readonly code?: (u: CodeUse) => boolean;
};

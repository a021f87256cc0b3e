/** Types of scripts/events-doc.mjs (the generator of docs/events.md), for the tests. */
export type Field = { readonly name: string; readonly type: string; readonly optional: boolean; readonly doc: string };
export type Entry = { readonly type: string; readonly doc: string; readonly fields: readonly Field[] };
export type NamedType = { readonly name: string; readonly doc: string; readonly fields?: readonly Field[]; readonly text?: string };
export type Contract = {
  readonly version: number;
  readonly versionDoc: string;
  /** What every event carries besides its own fields (`at`, `t`). */
  readonly envelope: readonly Field[];
  /** The EventBody union's members, in source order. */
  readonly events: readonly Entry[];
  /** The other lines `--json` prints (step.line). */
  readonly lines: readonly Entry[];
  /** EventType as the compiler resolves it. */
  readonly eventTypes: readonly string[];
  readonly types: readonly NamedType[];
};
export function contract(): Contract;
export function eventsMarkdown(c?: Contract): string;

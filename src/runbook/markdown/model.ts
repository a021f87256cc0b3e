/** The importer's types: the report (unmapped, notes), the positions of what it wrote, and its drafts. */
import type { Section } from '../markdown-tree.js';
import type { Band } from '../markdown-lines.js';
import type { Hazard } from './hazards.js';

export type UnmappedKind =
  /** prose, links, philosophy: for reading */
  | 'documentation'
  /** checks, targets and paths for people that the runbook model has no place for */
  | 'for-people'
  /** automatable once the front matter says what the prose cannot (a series' query or pointer for its metrics source) */
  | 'needs-front-matter'
  /** done by cockpit itself or another cockpit command */
  | 'elsewhere'
  /** commands cockpit found but could not place */
  | 'no-place'
  /** a Runme attribute or form cockpit does not support */
  | 'unsupported'
  /** a line that reads like automation but could not be read */
  | 'unreadable';

export type Unmapped = { readonly line: number; readonly endLine?: number; readonly what: string; readonly why: string; readonly kind: UnmappedKind };
export type Note = {
  readonly line: number;
  readonly text: string;
  /** The runbook path the assumption is about: dropped when the front matter sets it. */
  readonly about?: readonly string[];
};

/** What the front matter tells the prose mapping. */
export type Hints = {
  readonly name?: string;
  /** The metrics source's type, when the front matter names one: prometheus and http-json need each series' query or pointer from it. */
  readonly sourceType?: string;
  readonly series: Readonly<Record<string, { readonly unit?: string }>>;
  readonly probes: readonly { readonly name: string; readonly critical?: boolean }[];
  readonly notify?: unknown;
};

/** Where each object (and each scalar, by its parent and key) came from, as offsets into the Markdown. */
export class Positions {
  readonly objects = new WeakMap<object, number>();
  readonly fields = new WeakMap<object, Map<string | number, number>>();
  /** Where a key itself was written, when that differs from its value (front matter). */
  readonly keys = new WeakMap<object, Map<string, number>>();
  mark<T extends object>(o: T, offset: number): T {
    if (!this.objects.has(o)) this.objects.set(o, offset);
    return o;
  }
  field(o: object, key: string | number, offset: number): void {
    let m = this.fields.get(o);
    if (!m) this.fields.set(o, (m = new Map()));
    m.set(key, offset);
  }
  key(o: object, key: string, offset: number): void {
    let m = this.keys.get(o);
    if (!m) this.keys.set(o, (m = new Map()));
    m.set(key, offset);
  }
  keyAt(o: object, key: string): number | undefined {
    return this.keys.get(o)?.get(key);
  }
  of(o: object): number | undefined {
    return this.objects.get(o);
  }
  at(parent: object, key: string | number): number | undefined {
    const v = (parent as Record<string | number, unknown>)[key];
    if (v !== null && typeof v === 'object' && this.objects.has(v)) return this.objects.get(v);
    return this.fields.get(parent)?.get(key);
  }
}

export type Obj = Record<string, unknown>;


export type Cmd = {
  run: string;
  /** The text for a person, when this cannot run as a step (a hazard, not shell): a manual step. */
  manual?: string;
  hazard?: Hazard;
  /** Why a person judges whether it runs ("# Force rollback if needed"): a manual step in a stage or rollback, offered as is in troubleshooting. */
  conditional?: string;
  title?: string;
  offset: number;
  line: number;
  id?: string;
  timeout?: string;
  cwd?: string;
  env?: Record<string, string>;
  /** where the fence's attributes were written */
  attrOffset?: number;
};

export type StageDraft = { section: Section; title: string; budget?: string; steps: unknown[]; criteria: Obj[]; offset: number };

export type MetricUse = {
  what: 'trigger' | 'criterion';
  line: number;
  offset: number;
  text: string;
  metric: string;
  unit?: string;
  op: 'above' | 'below';
  value: number;
  valueUnit?: string;
  window?: string;
  stage?: StageDraft;
};

export type BandUse = { line: number; offset: number; text: string; metric: string; unit?: string; band: Band };

export type Mapped = {
  raw: Obj;
  positions: Positions;
  unmapped: Unmapped[];
  notes: Note[];
  /** Mappings a person must look at before the plan runs (the plan review marks them). */
  uncertain: Note[];
};

export const RAMP_LADDER = [1, 5, 25, 50, 100];

/**
 * Markdown → a tree of sections (a heading and what follows it up to the next heading of the same
 * or a higher level), parsed with micromark/mdast (CommonMark + GFM + YAML front matter). Only
 * the parser reads the document as a whole; everything after it works on nodes, and regular
 * expressions only ever see one line of text.
 */
import type { Code, Heading, ListItem, Nodes, PhrasingContent, Root, RootContent, Yaml } from 'mdast';
import { parseTree } from './markdown-parse.js';

export type Section = {
  readonly heading?: Heading;
  readonly depth: number;
  /** The heading as text, emoji and a trailing "(5 minutes)" left in. */
  readonly text: string;
  /** The heading without emoji and decoration: "Pre-Flight Checklist (30 seconds)". */
  readonly title: string;
  readonly line: number;
  endLine: number;
  /** Blocks between this heading and the next one. */
  readonly content: RootContent[];
  readonly children: Section[];
  readonly parent?: Section;
};

export type MarkdownTree = {
  readonly root: Root;
  readonly front?: Yaml;
  readonly top: Section;
  /** Offset of the start of each line (line 1 at index 0). */
  readonly lineStarts: readonly number[];
  readonly lines: readonly string[];
};

/**
 * How deep blockquotes and lists may nest. The parser and the tree walks after it recurse once per
 * level (and take time that grows with its square): 16 KB of "> > > …" overflowed the stack and
 * 50 KB took over a minute. No runbook nests more than a handful of levels.
 */
export const MAX_NESTING = 100;

const CONTAINER = /[ \t]*(>|[-*+](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))[ \t]?/y;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/**
 * The first line whose blockquote and list nesting goes past `max` levels, read from the text
 * before it is parsed: the markers (">", "-", "1.") a line starts with, plus the list levels its
 * indentation implies (two columns a level). Lines inside a top-level code fence are code. `col`
 * is the marker that goes past the limit; `depth` the line's whole nesting.
 */
export function tooDeep(text: string, max = MAX_NESTING): { line: number; col: number; depth: number } | undefined {
  let fence: string | undefined;
  let line = 0;
  for (let start = 0; start < text.length; line++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const l = text.slice(start, end);
    start = end + 1;
    const f = FENCE.exec(l)?.[1];
    if (fence !== undefined) {
      if (f !== undefined && f[0] === fence[0] && f.length >= fence.length && l.trim() === f) fence = undefined;
      continue;
    }
    if (f !== undefined) {
      fence = f;
      continue;
    }
    if (l.trim() === '') continue;
    let indent = 0;
    let i = 0;
    for (; i < l.length && (l[i] === ' ' || l[i] === '\t'); i++) indent += l[i] === '\t' ? 4 : 1;
    let depth = Math.floor(indent / 2);
    let col = depth > max ? 1 : 0;
    CONTAINER.lastIndex = 0;
    for (let m = CONTAINER.exec(l); m && m[0].length > 0; m = CONTAINER.exec(l)) {
      depth++;
      if (depth === max + 1 && col === 0) col = m.index + m[0].indexOf(m[1]) + 1;
    }
    if (depth > max) return { line: line + 1, col, depth };
  }
  return undefined;
}

/** The text's tree of sections; throws MarkdownTooSlow when the parser passes its time limit (markdown-parse.ts). */
export function parseMarkdown(text: string): MarkdownTree {
  const root = parseTree(text);
  const lines = text.split('\n');
  const lineStarts: number[] = [];
  let at = 0;
  for (const l of lines) {
    lineStarts.push(at);
    at += l.length + 1;
  }
  const top: Section = { depth: 0, text: '', title: '', line: 1, endLine: lines.length, content: [], children: [] };
  const stack: Section[] = [top];
  let front: Yaml | undefined;
  for (const node of root.children) {
    if (node.type === 'yaml' && front === undefined && node === root.children[0]) {
      front = node;
      continue;
    }
    if (node.type === 'heading') {
      while (stack.length > 1 && stack[stack.length - 1].depth >= node.depth) stack.pop();
      const parent = stack[stack.length - 1];
      const text = plain(node).trim();
      const s: Section = { heading: node, depth: node.depth, text, title: cleanTitle(text), line: lineOf(node), endLine: lineOf(node), content: [], children: [], parent };
      parent.children.push(s);
      stack.push(s);
      continue;
    }
    stack[stack.length - 1].content.push(node);
  }
  const close = (s: Section): number => {
    let end = s.line;
    for (const c of s.content) end = Math.max(end, endLineOf(c));
    for (const c of s.children) end = Math.max(end, close(c));
    s.endLine = end;
    return end;
  };
  close(top);
  return { root, front, top, lineStarts, lines };
}

export function lineOf(node: { position?: { start: { line: number } } }): number {
  return node.position?.start.line ?? 1;
}

export function endLineOf(node: { position?: { end: { line: number } } }): number {
  return node.position?.end.line ?? 1;
}

export function offsetOf(node: { position?: { start: { offset?: number } } }): number {
  return node.position?.start.offset ?? 0;
}

/** Emoji, variation selectors and joiners: decoration in headings, not words (each stripped alone, on purpose). */
// eslint-disable-next-line no-misleading-character-class
const DECORATION = /[\p{Extended_Pictographic}\u{1F1E6}-\u{1F1FF}\u{FE0F}\u{200D}\u{20E3}]/gu;

/** A heading's words: emoji and surrounding quotes or punctuation removed, spaces collapsed. */
export function cleanTitle(text: string): string {
  return text
    .replace(DECORATION, '')
    .replace(/\s+/g, ' ')
    .replace(/^[\s#*_:>|-]+|[\s*_:]+$/g, '')
    .trim();
}

/** The text of a node, inline code included as written. */
export function plain(node: Nodes): string {
  switch (node.type) {
    case 'text':
    case 'inlineCode':
    case 'code':
    case 'html':
    case 'yaml':
      return node.value;
    case 'break':
      return ' ';
    case 'image':
      return node.alt ?? '';
    default:
      return 'children' in node ? (node.children as Nodes[]).map(plain).join(node.type === 'list' || node.type === 'root' ? '\n' : '') : '';
  }
}

/** The phrasing content of a list item's first paragraph (its visible line), if it starts with one. */
export function itemPhrasing(item: ListItem): PhrasingContent[] {
  const first = item.children[0];
  return first?.type === 'paragraph' ? first.children : [];
}

/**
 * A bold label at the start of a paragraph or list item: `**Success Criteria:**` or
 * `**All tests passing:** rest`. Returns the label (without the colon) and the rest as nodes.
 */
export function boldLabel(children: readonly PhrasingContent[]): { label: string; rest: PhrasingContent[] } | undefined {
  const first = children[0];
  if (first?.type !== 'strong') return undefined;
  let label = plain(first).trim();
  const rest = children.slice(1);
  if (label.endsWith(':')) label = label.slice(0, -1).trim();
  else if (rest[0]?.type === 'text' && /^\s*:/.test(rest[0].value)) rest[0] = { ...rest[0], value: rest[0].value.replace(/^\s*:/, '') };
  else if (rest.length > 0 && !(rest[0]?.type === 'text' && /^\s*[-–—]/.test(rest[0].value))) return undefined;
  return { label: cleanTitle(label), rest };
}

/** The code blocks inside a node (a list item's nested fences count too), in document order. */
export function codeBlocksIn(node: Nodes): Code[] {
  if (node.type === 'code') return [node];
  if (!('children' in node)) return [];
  return (node.children as Nodes[]).flatMap(codeBlocksIn);
}

/** Every section under (and including) this one, depth first. */
export function walkSections(s: Section): Section[] {
  return [s, ...s.children.flatMap(walkSections)];
}

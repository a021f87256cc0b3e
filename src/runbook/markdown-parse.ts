/**
 * The Markdown parser under a time limit. micromark takes time that grows with the square of some
 * texts (200 KB of "*a*a…" took minutes: each emphasis closer looks back over every event of the
 * text for its opener, and each match splices the whole event list; `~`, `[`, backquotes and table
 * rows have slow paths of their own), and a parse cannot be interrupted from inside. So a text
 * over IN_PROCESS_MAX_CHARS (small texts parse in milliseconds whatever they hold) is parsed in a
 * worker thread (dist/markdown-worker.js) that this thread waits for, at most the limit: the base
 * (COCKPIT_MARKDOWN_PARSE_MS, PARSE_LIMIT_MS by default) and a second more per 100 KB (an ordinary
 * text parses at a few hundred KB a second: 2 MiB, the cap, gets 26 s), counted from when the
 * thread has started (a loaded machine can take seconds to start one). Then the worker is ended and
 * the parse fails with MarkdownTooSlow, located at the paragraph that holds the most of those markers.
 */
import type { Root } from 'mdast';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { distFile } from '../core/dist-file.js';
import { parseTreeHere } from './markdown-micromark.js';

export const PARSE_LIMIT_MS = 5000;
/** How long the worker thread may take to start before the parse's limit counts. */
const START_MS = 30_000;
/** Texts up to this many characters are parsed here: their worst case takes well under a second. */
export const IN_PROCESS_MAX_CHARS = 8 * 1024;

export class MarkdownTooSlow extends Error {
  constructor(
    readonly line: number,
    readonly col: number,
    message: string,
  ) {
    super(message);
  }
}

/** The time a text of `chars` characters may take: the base, and a second more per 100 KB. */
export function limitMs(chars: number, env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.COCKPIT_MARKDOWN_PARSE_MS);
  return (Number.isFinite(n) && n > 0 ? n : PARSE_LIMIT_MS) + Math.floor(chars / 100_000) * 1000;
}

/** The markers micromark's slow paths work on: emphasis, strikethrough, links, code spans, HTML, table cells, entities. */
const MARKERS = /[*_~[\]`<>!|&]/g;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/**
 * Where the parse got slow: the paragraph (lines up to a blank one, outside code fences) with the
 * most markers, at its first one; with how many it has.
 */
export function slowSpot(text: string): { line: number; col: number; markers: number } {
  let best = { line: 1, col: 1, markers: 0 };
  let cur = { line: 1, col: 1, markers: 0 };
  let fence: string | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    const f = FENCE.exec(l)?.[1];
    if (fence !== undefined || f !== undefined || l.trim() === '') {
      if (fence !== undefined && f !== undefined && f[0] === fence[0] && f.length >= fence.length) fence = undefined;
      else if (fence === undefined && f !== undefined) fence = f;
      cur = { line: i + 2, col: 1, markers: 0 };
      continue;
    }
    const n = l.match(MARKERS)?.length ?? 0;
    if (n > 0 && cur.markers === 0) cur = { line: i + 1, col: l.search(MARKERS) + 1, markers: 0 };
    cur.markers += n;
    if (cur.markers > best.markers) best = { ...cur };
  }
  return best;
}

/**
 * The text's tree, parsed within the time limit; throws MarkdownTooSlow past it. Without a build
 * (dist/markdown-worker.js: tests run from src/ before `npm run build`) it is parsed here, unlimited.
 */
export function parseTree(text: string, env: NodeJS.ProcessEnv = process.env): Root {
  const file = text.length > IN_PROCESS_MAX_CHARS ? distFile('markdown-worker.js', import.meta.url) : undefined;
  if (!file) return parseTreeHere(text);
  const limit = limitMs(text.length, env);
  const flag = new SharedArrayBuffer(4);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(file, { workerData: { text, port: port2, flag }, transferList: [port2] });
  worker.unref();
  try {
    // the worker wakes this thread when it has started, then when its answer is on the port;
    // nothing else runs meanwhile. The limit is the parse's: a thread slow to start (a loaded
    // machine) has START_MS of its own.
    const state = new Int32Array(flag);
    Atomics.wait(state, 0, 0, START_MS);
    const woke = Atomics.load(state, 0) === 0 ? 'timed-out' : Atomics.wait(state, 0, 1, limit);
    const got = woke === 'timed-out' ? undefined : (receiveMessageOnPort(port1)?.message as { root?: Root; error?: string } | undefined);
    if (got?.root) return got.root;
    if (got?.error) throw new Error(got.error);
    const at = slowSpot(text);
    throw new MarkdownTooSlow(
      at.line,
      at.col,
      `the Markdown parser did not finish within ${limit / 1000} s (its limit), slowed by the paragraph here: ${at.markers} emphasis, link, code or table markers (* _ ~ [ \` < | …) in one paragraph; split it up or put it in a code block`,
    );
  } finally {
    port1.close();
    void worker.terminate();
  }
}

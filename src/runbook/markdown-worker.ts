/**
 * The Markdown parser in a worker thread (markdown-parse.ts): parses the text it is given, posts
 * the tree (or the error) on its port, then wakes the waiting thread through the shared flag.
 * Bundled on its own as dist/markdown-worker.js.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { parseTreeHere } from './markdown-micromark.js';
import { errorMessage } from '../core/error-message.js';

const { text, port, flag } = workerData as { text: string; port: MessagePort; flag: SharedArrayBuffer };
const done = new Int32Array(flag);
try {
  port.postMessage({ root: parseTreeHere(text) });
} catch (e) {
  port.postMessage({ error: errorMessage(e) });
} finally {
  Atomics.store(done, 0, 1);
  Atomics.notify(done, 0);
}

/**
 * The Markdown parser in a worker thread (markdown-parse.ts): parses the text it is given, posts
 * the tree (or the error) on its port; the shared flag says when it has started and when it is done.
 * Bundled on its own as dist/markdown-worker.js.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { parseTreeHere } from './markdown-micromark.js';
import { errorMessage } from '../core/error-message.js';

const { text, port, flag } = workerData as { text: string; port: MessagePort; flag: SharedArrayBuffer };
const state = new Int32Array(flag);
// 1: loaded, the parse starts now (the time limit counts from here: a loaded machine can take
// seconds to start a thread, which is not the text's doing); 2: the answer is on the port
Atomics.store(state, 0, 1);
Atomics.notify(state, 0);
try {
  port.postMessage({ root: parseTreeHere(text) });
} catch (e) {
  port.postMessage({ error: errorMessage(e) });
} finally {
  Atomics.store(state, 0, 2);
  Atomics.notify(state, 0);
}

/**
 * A lock contender: a child process (bundled from this file by test/integration/lock-race.test.ts
 * and forked once per contender) that takes the driving lock on request, as a cockpit does at its
 * start (src/session/lock.ts), and holds it until told to release it. One process serves many
 * trials: the race is between real processes on a real file system, without a node start-up and a
 * whole cockpit per contender per trial.
 *
 * Messages in: {take, dir, sessionId, at} (wait until Date.now() >= at, then takeLock: the
 * contenders start as close together as the scheduler allows), {release}. Out: {took, tookOver} or
 * {refused, message}, then {released}.
 */
import { takeLock, type Lock } from '../../src/session/lock.js';

export type ContenderRequest = { type: 'take'; dir: string; sessionId: string; at: number } | { type: 'release' };
export type ContenderReply = { type: 'took'; pid: number; tookOver: boolean } | { type: 'refused'; pid: number; message: string } | { type: 'released'; pid: number };

let held: Lock | undefined;
const reply = (m: ContenderReply) => process.send?.(m);

process.on('message', (m: ContenderRequest) => {
  if (m.type === 'release') {
    held?.release();
    held = undefined;
    reply({ type: 'released', pid: process.pid });
    return;
  }
  // sleep to just before the start, then spin to it: together, without 8 processes spinning long
  const sleep = m.at - Date.now() - 3;
  if (sleep > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, sleep);
  while (Date.now() < m.at) {
    /* spin: start together */
  }
  const r = takeLock(m.dir, m.sessionId);
  if (typeof r === 'string') reply({ type: 'refused', pid: process.pid, message: r });
  else {
    held = r;
    reply({ type: 'took', pid: process.pid, tookOver: r.tookOver !== undefined });
  }
});
process.on('disconnect', () => process.exit(0));

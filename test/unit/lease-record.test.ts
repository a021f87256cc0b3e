/** The words a refused start prints about a lease or hold someone else wrote (team/lease-record.ts): one line, no escapes. */
import { describe, expect, it } from 'vitest';
import { holdRefusal, refusal, type HoldRecord, type LeaseRecord } from '../../src/team/lease-record.js';

const HOSTILE = 'ok\n12:00:00 ■ RELEASED\x1b]52;c;cGF5bG9hZA==\x07\x1b[2J';
const holder = { user: 'mallory\x1b[2J', host: 'box\nfake', pid: 1 };

describe('what a refusal says of another holder', () => {
  it('their message, names and session stay on one line without escapes', () => {
    const r: LeaseRecord = { v: 1, kind: 'lease', holder, session: 's\n1', message: HOSTILE, since: 0, expires: 60_000, generation: 1 };
    const text = refusal(r, 'production (web)', 0);
    expect(text).not.toMatch(/[\n\x1b\x07]/);
    expect(text).toBe('production (web) is held by mallory@box fake (pid 1) since 1970-01-01 00:00:00 UTC (session s 1): "ok 12:00:00 ■ RELEASED"; the lease runs 60 s more unless renewed');
  });

  it('a hold\'s reason too', () => {
    const h: HoldRecord = { v: 1, kind: 'hold', holder, reason: HOSTILE, since: 0 };
    const text = holdRefusal(h, 'production (web)');
    expect(text).not.toMatch(/[\n\x1b\x07]/);
    expect(text).toContain(': ok 12:00:00 ■ RELEASED (cockpit unhold lifts it)');
  });
});

/**
 * The one-shot flag step (`cockpit flag`) as a session method: one fresh sample judges the
 * guardrails, the step goes through the same guarded path as the screen's + and -.
 */
import { describe, expect, it } from 'vitest';
import { flagSetup } from '../helpers/flag-harness.js';

const RAMP = '    checkout: [5, 25, 50, 100]';

describe('Controller.flagStep', () => {
  it('starts the session without watching, reads the flag, steps up the ramp (--next)', async () => {
    const t = flagSetup({ ramps: RAMP }, { initial: { checkout: 5 } });
    const r = await t.c.flagStep({ flag: 'checkout', dir: 'up', forced: false });
    expect(r).toMatchObject({ from: 5, to: 25, result: { ok: true, percent: 25 } });
    expect('readError' in r && r.readError).toBeFalsy();
    expect(t.provider.sets()).toEqual([25]);
    expect(t.types().slice(0, 1)).toEqual(['session.started']);
    expect(t.events('flag.set')).toMatchObject([{ flag: 'checkout', percent: 25, by: 'command' }]);
  });

  it('a percentage asked for goes through as asked (down is never refused)', async () => {
    const t = flagSetup({ ramps: RAMP }, { initial: { checkout: 50 } });
    expect(await t.c.flagStep({ flag: 'checkout', to: 0, forced: false })).toMatchObject({ from: 50, to: 0, result: { ok: true, percent: 0 } });
  });

  it('no step past the end of the ramp: why, and nothing set', async () => {
    const t = flagSetup({ ramps: RAMP }, { initial: { checkout: 0 } });
    expect(await t.c.flagStep({ flag: 'checkout', dir: 'down', forced: false })).toMatchObject({ from: 0, noTarget: 'checkout is at 0 %' });
    expect(t.provider.sets()).toEqual([]);
  });

  it('a failed read is folded as failed, and the step down is taken all the same', async () => {
    const t = flagSetup({ ramps: RAMP }, { initial: { checkout: 5 } });
    t.provider.failRead.set('checkout', 'connection refused');
    const r = await t.c.flagStep({ flag: 'checkout', to: 0, forced: false });
    expect(r).toMatchObject({ to: 0, result: { ok: true, percent: 0 } });
    expect(t.events('flag.read')).toMatchObject([{ flag: 'checkout', percent: null, error: 'connection refused' }]);
  });

  it('a step up on a critical metric is refused (exit 4 in the CLI) unless forced', async () => {
    const t = flagSetup({ ramps: RAMP }, { initial: { checkout: 5 }, script: { error_rate: Array<number>(600).fill(9) } });
    const r = await t.c.flagStep({ flag: 'checkout', dir: 'up', forced: false });
    expect(r).toMatchObject({ to: 25, result: { ok: false, refused: true } });
    expect(t.provider.sets()).toEqual([]);
    const f = flagSetup({ ramps: RAMP }, { initial: { checkout: 5 }, script: { error_rate: Array<number>(600).fill(9) } });
    expect(await f.c.flagStep({ flag: 'checkout', dir: 'up', forced: true })).toMatchObject({ to: 25, result: { ok: true, percent: 25 } });
  });
});

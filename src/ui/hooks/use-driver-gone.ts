/** A follower's "no cockpit drives it" (session.driverGone): re-read when the follower marks it. */
import { useEffect, useState } from 'react';
import type { Session } from '../../session/session.js';

export function useDriverGone(session: Session): string | undefined {
  const [, setVersion] = useState(0);
  useEffect(() => session.onDriverGone?.(() => setVersion((v) => v + 1)), [session]);
  return session.driverGone;
}

/**
 * The runbook's `notify:` targets, told of the rollback: when it starts (`rollback`), when verify
 * passes (`verified`), when it fails (`failed`). Each message carries the reason and the incident's
 * decision record; each outcome is journalled (notification.finished) and shown, a failure too,
 * also after verify. Like the records (records.ts) it listens to the controller, works after the
 * event that caused it, and is drained before the journal closes.
 */
import type { NotifyOn, NotifyTarget } from '../runbook/types.js';
import { channelLabel } from '../runbook/notify.js';
import type { SessionEvent } from '../core/events.js';
import { deliver, type Post } from '../guard/notify-send.js';
import type { NotifyContext } from '../guard/notify-payload.js';
import type { Controller } from './controller.js';
import type { SessionState } from './reduce.js';

export type NotifierOptions = {
  readonly env: NodeJS.ProcessEnv;
  readonly post?: Post;
  readonly retries?: number;
  readonly retryDelayMs?: number;
};

export type Notifier = {
  /** Resolves when every message caused so far has its outcome journalled. */
  drain(): Promise<void>;
  /** Stops listening and retrying; nothing is journalled after this (the journal is about to close). */
  detach(): void;
};

/** Which target event a session event is, if any. */
export function notifyOnOf(e: SessionEvent): NotifyOn | undefined {
  if (e.type === 'rollback.started') return 'rollback';
  if (e.type === 'rollback.verified') return 'verified';
  if (e.type === 'rollback.finished' && !e.ok) return 'failed';
  return undefined;
}

/** What the targets are told of this event, from the session as it stands after it. */
export function notifyContext(s: SessionState, e: SessionEvent, on: NotifyOn): NotifyContext {
  const failed = e.type === 'rollback.finished' && !e.ok ? s.rollback.steps.find((x) => x.id === e.step) : undefined;
  return {
    event: on,
    session: s.sessionId ?? '',
    incident: String(s.guard.incidentAt ?? s.rollback.startedAt ?? 0),
    runbook: s.runbook,
    environment: s.environment,
    version: s.version,
    reason: s.rollback.reason ?? '',
    record: s.guard.decision,
    ...(e.type === 'rollback.verified' ? { restoreMs: e.restoreMs } : {}),
    ...(e.type === 'rollback.finished' && !e.ok ? { failedAt: `${failed?.title ?? e.step ?? '?'}: ${e.reason ?? 'failed'}` } : {}),
    at: e.at,
  };
}

export function attachNotifier(c: Controller, targets: readonly NotifyTarget[], o: NotifierOptions): Notifier {
  let closed = false;
  const inflight = new Set<Promise<void>>();
  const waiters = new Set<(why: true | string) => void>();
  const wait = (attempt: number) =>
    new Promise<true | string>((resolve) => {
      if (closed) return resolve('the cockpit closed the session');
      const timer = setTimeout(() => (waiters.delete(resolve), resolve(true)), (o.retryDelayMs ?? 1000) * attempt);
      waiters.add((why) => (clearTimeout(timer), resolve(why)));
    });
  // one target's messages go in order: a PagerDuty resolve never overtakes its trigger's retries
  const chains = new Map<NotifyTarget, Promise<void>>();
  const send = (t: NotifyTarget, ctx: NotifyContext) => {
    const p = (chains.get(t) ?? Promise.resolve())
      .then(() => deliver(t, ctx, o.env, { post: o.post, retries: o.retries, wait }))
      .then((r) => {
        if (!closed) c.record({ type: 'notification.finished', target: channelLabel(t), on: ctx.event as NotifyOn, ok: r.ok, attempts: r.attempts, ...(r.status !== undefined ? { status: r.status } : {}), ...(r.error !== undefined ? { error: r.error } : {}) });
      });
    chains.set(t, p);
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  };
  const off = targets.length
    ? c.subscribe((s, e) => {
        const on = notifyOnOf(e);
        if (on === undefined || closed) return;
        const ctx = notifyContext(s, e, on);
        // after the event has reached every subscriber (never inside another event's delivery)
        for (const t of targets) if (t.on.includes(on)) queueMicrotask(() => send(t, ctx));
      })
    : () => undefined;
  return {
    async drain() {
      await new Promise<void>((r) => setImmediate(r));
      while (inflight.size > 0) await Promise.all([...inflight]);
    },
    detach() {
      closed = true;
      off();
      for (const w of [...waiters]) w('the cockpit closed the session');
      waiters.clear();
    },
  };
}

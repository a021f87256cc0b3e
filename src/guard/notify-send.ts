/**
 * Sends one notification to one channel: its secret from the environment (a variable that is not
 * set is a failure, said so, never an empty success), the payload for its kind, retried on failure.
 * Never throws: every outcome comes back as a result to journal and show.
 */
import { discardBody } from '../core/http-body.js';
import type { NotifyChannel } from '../runbook/types.js';
import { channelEnv } from '../runbook/notify.js';
import { pagerDutyPayload, slackPayload, webhookPayload, type NotifyContext } from './notify-payload.js';
import { errorMessage } from '../core/error-message.js';
import { describeFetchError } from '../core/fetch-error.js';

export type PostResult = { ok: boolean; status?: number; error?: string };
export type Post = (url: string, body: unknown, timeoutMs: number) => Promise<PostResult>;
export type Delivery = { readonly ok: boolean; readonly attempts: number; readonly status?: number; readonly error?: string };

export const POST_TIMEOUT_MS = 5000;

export async function postJson(url: string, body: unknown, timeoutMs: number): Promise<PostResult> {
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
    await discardBody(res);
    return res.ok ? { ok: true, status: res.status } : { ok: false, status: res.status, error: `HTTP ${res.status}` };
  } catch (e) {
    return { ok: false, error: describeFetchError(e, timeoutMs) };
  }
}

/** The URL and body a channel is sent, or why nothing can be sent (its variable is not set). */
export function requestFor(c: NotifyChannel, ctx: NotifyContext, env: NodeJS.ProcessEnv): { url: string; body: unknown } | { error: string } {
  const name = channelEnv(c);
  const secret = name !== undefined ? env[name] : undefined;
  if (name !== undefined && !secret) return { error: `$${name} is not set: no ${c.kind === 'slack' ? 'Slack message' : c.kind === 'pagerduty' ? 'PagerDuty event' : 'webhook'} sent` };
  switch (c.kind) {
    case 'slack':
      return { url: secret!, body: slackPayload(ctx) };
    case 'webhook':
      return { url: secret ?? c.url!, body: webhookPayload(ctx) };
    case 'pagerduty':
      return { url: c.url, body: pagerDutyPayload(ctx, secret!, c.severity) };
  }
}

export type DeliverOptions = {
  readonly post?: Post;
  readonly retries?: number;
  /** Waits before retry `attempt`; resolves why not when retrying should stop (the incident resolved, the session ended). */
  readonly wait: (attempt: number) => Promise<true | string>;
};

/** Sends, retrying a failure; the last failure's error when every attempt failed. */
export async function deliver(c: NotifyChannel, ctx: NotifyContext, env: NodeJS.ProcessEnv, o: DeliverOptions): Promise<Delivery> {
  const req = requestFor(c, ctx, env);
  if ('error' in req) return { ok: false, attempts: 0, error: req.error };
  const post = o.post ?? postJson;
  const tries = (o.retries ?? 2) + 1;
  let last: PostResult = { ok: false };
  for (let attempt = 1; attempt <= tries; attempt++) {
    // a post that throws is a failure like any other: retried, then reported, never thrown
    last = await post(req.url, req.body, POST_TIMEOUT_MS).catch((e: unknown) => ({ ok: false, error: errorMessage(e) }));
    if (last.ok) return { ok: true, attempts: attempt, ...(last.status !== undefined ? { status: last.status } : {}) };
    const go = attempt < tries ? await o.wait(attempt) : true;
    if (go !== true) return { ok: false, attempts: attempt, ...(last.status !== undefined ? { status: last.status } : {}), error: `${last.error ?? 'failed'} (not retried: ${go})` };
  }
  return { ok: false, attempts: tries, ...(last.status !== undefined ? { status: last.status } : {}), error: last.error ?? 'failed' };
}

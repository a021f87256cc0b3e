/**
 * What the step runs with: the environment (the secrets' values handed over beside the spec, which
 * has them masked), the tag its processes are found by, and the masking of its output.
 */
import { bootTicks, newTag, tagEnv } from '../descendants.js';
import { maskerFor, secretStartsFor } from '../log-format.js';
import type { Handover, SupervisorSpec } from '../spec.js';

export type StepEnv = {
  /** The step's environment, its tag included. */
  readonly env: NodeJS.ProcessEnv;
  readonly tag: string;
  /** Boot ticks now: a process older than the step is never the step's. */
  readonly since: number;
  readonly mask: (s: string) => string;
  readonly secretStart: ReturnType<typeof secretStartsFor>;
  /** The longest secret value masked (values under 3 characters are not). */
  readonly longestSecret: number;
};

export function stepEnvOf(spec: SupervisorSpec, handover: Handover): StepEnv {
  // the secrets' values were handed over beside the spec (which has them masked)
  const env = { ...process.env, ...spec.env, ...handover.env };
  // the step's processes are found by this even once they leave its group (exec/descendants.ts)
  const tag = newTag();
  const since = bootTicks();
  // the step's own env may carry a secret too: mask what the step can see
  const secrets = spec.secretNames.flatMap((n) => [process.env[n] ?? '', env[n] ?? '']);
  return {
    env: { ...env, ...tagEnv(tag, env) },
    tag,
    since,
    mask: maskerFor(secrets),
    secretStart: secretStartsFor(secrets),
    longestSecret: Math.max(0, ...secrets.map((v) => (v.length >= 3 ? v.length : 0))),
  };
}

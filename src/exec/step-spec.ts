/**
 * A step request → what its supervisor is given: the spec file (secrets masked) and the hand-over
 * beside it (the secrets' values; the whole spec when its file could not be written).
 */
import { refusalOf, writeNoFollow } from '../core/safe-open.js';
import { MASK, maskerFor } from './log-format.js';
import type { StepRequest } from './step-types.js';
import type { Handover, SupervisorSpec } from './spec.js';
import { statusPathOf } from './step-status.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export type PreparedStep = {
  readonly specPath: string;
  readonly statusPath: string;
  readonly handover: Handover;
  /** The hand-over for a cold supervisor's environment (spec.ts HANDOVER_ENV), when there is one. */
  readonly handedOver: string | undefined;
};

/**
 * A secret never reaches the spec file: a variable named a secret, or any value or argument
 * holding one, is written there masked; the real values are handed over beside it.
 */
export function specOf(req: StepRequest, statusPath: string): { spec: SupervisorSpec; handover: Mutable<Handover> } {
  const env = { ...req.invocation.env, ...req.env };
  const mask = maskerFor(req.secretNames.flatMap((n) => [process.env[n] ?? '', env[n] ?? '']));
  const named = new Set(req.secretNames);
  const secretEnv = Object.fromEntries(Object.entries(env).filter(([k, v]) => named.has(k) || mask(v) !== v));
  const args = req.invocation.args.map(mask);
  const spec: SupervisorSpec = {
    file: req.invocation.file,
    args,
    cwd: req.cwd,
    env: { ...env, ...Object.fromEntries(Object.keys(secretEnv).map((k) => [k, MASK])) },
    logPath: req.logPath,
    statusPath,
    timeoutMs: req.timeoutMs,
    graceMs: req.graceMs,
    secretNames: req.secretNames,
  };
  const handover: Mutable<Handover> = {};
  if (Object.keys(secretEnv).length > 0) handover.env = secretEnv;
  if (args.some((a, i) => a !== req.invocation.args[i])) handover.args = req.invocation.args;
  return { spec, handover };
}

/**
 * Writes the step's files: its log (created empty, appended to by a retry) and its spec. A log
 * path refused (a symlink planted since the look before: safe-open.ts) is `{ refused }`.
 */
export function prepareStep(req: StepRequest): PreparedStep | { refused: string } {
  const base = req.logPath.replace(/\.log$/, '');
  const statusPath = statusPathOf(req.logPath);
  const specPath = `${base}.spec.json`;
  const { spec, handover } = specOf(req, statusPath);
  try {
    writeNoFollow(req.logPath, '', 'append');
  } catch (e) {
    // planted since the look before: refused all the same
    const refused = refusalOf(e);
    if (refused) return { refused };
    throw e;
  }
  try {
    writeNoFollow(specPath, JSON.stringify(spec));
  } catch {
    // a full disk: the spec goes with the hand-over (the step, a rollback above all, still runs)
    handover.spec = spec;
  }
  const handedOver = Object.keys(handover).length > 0 ? JSON.stringify(handover) : undefined;
  return { specPath, statusPath, handover, handedOver };
}

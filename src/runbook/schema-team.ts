/**
 * What a team shares beyond one runbook's steps: its delivery targets (targets:, compared by
 * `cockpit history`) and the git remote that holds each environment's lease and holds (team:,
 * team/git-lease.ts).
 */
import { z } from 'zod';
import { duration } from './schema-common.js';
import { SPAN_PATTERN } from './span.js';

const span = z
  .string({ error: 'expected a span like 4h, 1d or 1w' })
  .regex(SPAN_PATTERN, { error: (iss) => `bad span ${JSON.stringify(iss.input)}: expected a span like 30m, 4h, 1d or 1w` })
  .meta({ description: 'A span: 30m, 4h, 1d, 2d12h, 1w' });

const rate = z
  .union([z.number().min(0).max(100), z.string().regex(/^\s*(?:100|\d{1,2})(?:\.\d+)?\s*%\s*$/)], { error: 'expected a percentage like 15%' })
  .meta({ description: 'A percentage: 15% (or the number 15)' });

export const TargetsSchema = z
  .strictObject({
    deploymentFrequency: z.enum(['daily', 'weekly', 'monthly', 'yearly']).optional().meta({ description: 'Met when the Four Keys bucket is at least this often' }),
    leadTime: span.optional().meta({ description: 'Median commit-to-deploy time: met when at most this' }),
    changeFailureRate: rate.optional().meta({ description: 'Deployments that led to an incident: met when at most this' }),
    timeToRestore: span.optional().meta({ description: 'Median incident start to verified rollback: met when at most this' }),
    rollbackRate: rate.optional().meta({ description: 'Deployments rolled back: met when at most this' }),
  })
  .meta({ description: 'DORA targets `cockpit history` compares the four keys (and the rollback rate) against' });

export const TeamSchema = z
  .strictObject({
    remote: z
      .string({ error: 'expected the name of a git remote of this repository (e.g. origin)' })
      .min(1)
      .regex(/^[^\s-][^\s]*$/, { error: 'a git remote name: no spaces, not starting with "-"' })
      .meta({ description: 'The git remote the team shares: the lease on the environment (refs/cockpit/locks/…), holds, and the release history every operator’s and CI’s sessions add to when they end (refs/cockpit/history/…; cockpit history reads it) live there' }),
    lease: duration.optional().meta({ description: 'How long the lease holds without renewal (default 30s; renewed every third of it while the session lives)' }),
  })
  .meta({ description: 'A team on several machines: one lease per environment on the git remote, so only one cockpit releases it at a time, and one release history for everyone' });

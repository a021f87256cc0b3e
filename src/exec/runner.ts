/**
 * Starts steps under a supervisor (see supervisor.ts) and follows them: tails the log file and
 * hands new lines to subscribers in batches (every 50 ms at most), reads the exit status.
 *
 * What a runner is (the types the session uses) is step-types.ts; the real one is spread over
 * files of one job each: process-runner.ts (ProcessRunner), spare-pool.ts (the spare supervisors it owns),
 * step-spec.ts (a request → the supervisor's spec and hand-over), supervised-step.ts (one running
 * step: its result, kill()), attach-step.ts (a step another cockpit started), log-tail.ts (the
 * batched log), step-status.ts (a status → a result).
 */
export { BATCH_MS } from './log-tail.js';
export { attachStep } from './attach-step.js';
export { ProcessRunner, supervisorPath } from './process-runner.js';
export { SPARE_FIRST_DELAY_MS } from './spare-pool.js';
export { describeResult } from './step-status.js';
export type { AttachRequest, Runner, StepHandle, StepRequest, StepResult } from './step-types.js';

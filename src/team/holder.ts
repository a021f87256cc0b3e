/** Who and where this cockpit is: the holder a lease records, and the driver a shared session names. */
import { hostname, userInfo } from 'node:os';
import type { LeaseHolder } from './lease-record.js';

/** Where this cockpit runs, for the record a refused operator reads. */
export function holderHere(env: NodeJS.ProcessEnv = process.env): LeaseHolder {
  let user = env.USER ?? env.LOGNAME ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    /* no passwd entry (a container): the environment's name */
  }
  const gh = env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : undefined;
  const ci = gh ?? env.CI_JOB_URL ?? env.BUILD_URL ?? env.CIRCLE_BUILD_URL;
  return { user, host: hostname(), pid: process.pid, ...(ci ? { ci } : {}) };
}

/** The flag provider a runbook names. */
import { parseCommand } from '../../runbook/command.js';
import type { Runbook } from '../../runbook/types.js';
import { CommandFlagProvider } from './command.js';
import { FlagdProvider } from './flagd.js';
import type { FlagProvider } from './provider.js';
import { UnleashProvider } from './unleash.js';

export function providerFor(rb: Runbook, env: NodeJS.ProcessEnv = process.env): FlagProvider | undefined {
  const p = rb.flags?.provider;
  if (!p) return undefined;
  switch (p.type) {
    case 'command':
      return new CommandFlagProvider(parseCommand(p.run), p.read !== undefined ? parseCommand(p.read) : undefined, rb.dir);
    case 'flagd':
      return new FlagdProvider(p.file, rb.dir);
    case 'unleash':
      return new UnleashProvider({ url: p.url, project: p.project, environment: p.environment, token: env[p.tokenEnv] ?? '', strategyId: p.strategyId });
  }
}

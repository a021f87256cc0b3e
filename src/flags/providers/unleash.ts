/**
 * The Unleash provider, through the admin API: updates the `rollout` parameter of the flag's
 * flexibleRollout strategy in the project/environment, then reads back the feature environment
 * (GET …/features/{flag}/environments/{env}: `enabled` and its `strategies`), so that what it
 * reports is what users are served: 0 % while the flag is disabled in the environment or its
 * strategy is disabled, whatever the rollout says. The API token comes from an environment
 * variable the runbook names.
 */
import { describeFetchError } from '../../core/fetch-error.js';
import { readBodyText } from '../../core/http-body.js';
import { FlagProviderError, parsePercent, type FlagProvider, type FlagReading } from './provider.js';

type Strategy = { id?: string; name?: string; parameters?: Record<string, unknown>; constraints?: unknown[]; variants?: unknown[]; segments?: unknown[]; title?: string | null; disabled?: boolean };
/** The part of Unleash's featureEnvironmentSchema cockpit reads. */
type FeatureEnvironment = { enabled?: unknown; strategies?: unknown };

export type UnleashOptions = { url: string; project: string; environment: string; token: string; strategyId?: string; timeoutMs?: number };

export class UnleashProvider implements FlagProvider {
  readonly kind = 'unleash';
  constructor(private readonly o: UnleashOptions) {}

  private get timeoutMs(): number {
    return this.o.timeoutMs ?? 10_000;
  }

  private env(flag: string): string {
    const e = encodeURIComponent;
    return `${this.o.url.replace(/\/$/, '')}/api/admin/projects/${e(this.o.project)}/features/${e(flag)}/environments/${e(this.o.environment)}`;
  }

  private async call(url: string, init: RequestInit = {}): Promise<unknown> {
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, { ...init, headers: { Authorization: this.o.token, 'Content-Type': 'application/json', Accept: 'application/json', ...init.headers }, signal: AbortSignal.timeout(this.timeoutMs) });
      // the body is under the same deadline: a server that sends headers and stalls times out too
      text = await readBodyText(res);
    } catch (e) {
      throw new FlagProviderError(`unleash: ${describeFetchError(e, this.timeoutMs)}`);
    }
    if (!res.ok) throw new FlagProviderError(`unleash: HTTP ${res.status}${text ? `: ${text.slice(0, 120)}` : ''}`);
    try {
      return text ? JSON.parse(text) : undefined;
    } catch {
      throw new FlagProviderError(`unleash: not JSON: ${text.slice(0, 60)}`);
    }
  }

  /** The feature environment: whether it is enabled, and the strategy cockpit ramps. */
  private async environment(flag: string): Promise<{ enabled: boolean; strategy: Strategy; others: Strategy[] }> {
    const body = (await this.call(this.env(flag))) as FeatureEnvironment | undefined;
    if (!body || typeof body !== 'object' || typeof body.enabled !== 'boolean' || !Array.isArray(body.strategies))
      throw new FlagProviderError(`unleash: the feature environment of ${flag} in ${this.o.project}/${this.o.environment} has no "enabled" and "strategies"`);
    const list = body.strategies as Strategy[];
    const s = this.o.strategyId ? list.find((x) => x.id === this.o.strategyId) : list.find((x) => x.name === 'flexibleRollout');
    if (!s?.id) throw new FlagProviderError(`unleash: flag ${flag} has no flexibleRollout strategy in ${this.o.project}/${this.o.environment}`);
    return { enabled: body.enabled, strategy: s, others: list.filter((x) => x !== s && x.disabled !== true) };
  }

  private reading(e: { enabled: boolean; strategy: Strategy; others: Strategy[] }, written?: number): FlagReading {
    const p = parsePercent(e.strategy.parameters?.rollout);
    if (p === undefined) throw new FlagProviderError(`unleash: strategy ${e.strategy.id} has no rollout percentage`);
    const env = this.o.environment;
    const held = written === undefined ? `rollout ${p} %` : p === written ? `${p} % written` : `${written} % written, Unleash holds ${p} %`;
    if (!e.enabled) return { percent: p, served: 0, says: `${held}; environment ${env} is DISABLED: users are served 0 %` };
    if (e.strategy.disabled === true) return { percent: p, served: 0, says: `${held}; its strategy is DISABLED in ${env}: users are served 0 % by it` };
    const others = e.others.length ? ` (other enabled strategies: ${e.others.map((x) => x.name ?? '?').join(', ')})` : '';
    const asked = written !== undefined && written !== p ? ` (${written} % asked)` : '';
    return { percent: p, served: p, says: `confirmed by Unleash: ${env} enabled, users are served ${p} %${asked}${others}` };
  }

  async read(flag: string): Promise<FlagReading> {
    return this.reading(await this.environment(flag));
  }

  async set(flag: string, percent: number): Promise<FlagReading> {
    const { strategy: s } = await this.environment(flag);
    const parameters = { stickiness: 'default', groupId: flag, ...s.parameters, rollout: String(percent) };
    await this.call(`${this.env(flag)}/strategies/${encodeURIComponent(s.id!)}`, {
      method: 'PUT',
      // Unleash replaces constraints and variants with what the body carries: send them back as they were
      body: JSON.stringify({ name: 'flexibleRollout', parameters, constraints: s.constraints ?? [], ...(s.variants ? { variants: s.variants } : {}), ...(s.segments ? { segments: s.segments } : {}), ...(s.title ? { title: s.title } : {}), ...(s.disabled !== undefined ? { disabled: s.disabled } : {}) }),
    });
    return this.reading(await this.environment(flag), percent);
  }
}

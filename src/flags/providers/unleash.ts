/**
 * The Unleash provider, through the admin API: updates the `rollout` parameter of the flag's
 * flexibleRollout strategy in the project/environment, then reads it back. The API token comes
 * from an environment variable the runbook names.
 */
import { FlagProviderError, parsePercent, type FlagProvider } from './provider.js';

type Strategy = { id?: string; name?: string; parameters?: Record<string, unknown>; constraints?: unknown[]; variants?: unknown[]; segments?: unknown[]; title?: string; disabled?: boolean };

export type UnleashOptions = { url: string; project: string; environment: string; token: string; strategyId?: string; timeoutMs?: number };

export class UnleashProvider implements FlagProvider {
  readonly kind = 'unleash';
  constructor(private readonly o: UnleashOptions) {}

  private base(flag: string): string {
    const e = encodeURIComponent;
    return `${this.o.url.replace(/\/$/, '')}/api/admin/projects/${e(this.o.project)}/features/${e(flag)}/environments/${e(this.o.environment)}/strategies`;
  }

  private async call(url: string, init: RequestInit = {}): Promise<unknown> {
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, { ...init, headers: { Authorization: this.o.token, 'Content-Type': 'application/json', Accept: 'application/json', ...init.headers }, signal: AbortSignal.timeout(this.o.timeoutMs ?? 10_000) });
      // the body is under the same deadline: a server that sends headers and stalls times out too
      text = await res.text();
    } catch (e) {
      const err = e as { name?: string; cause?: { code?: string }; message?: string };
      throw new FlagProviderError(`unleash: ${err.name === 'TimeoutError' ? 'timed out' : err.cause?.code ?? err.message}`);
    }
    if (!res.ok) throw new FlagProviderError(`unleash: HTTP ${res.status}${text ? `: ${text.slice(0, 120)}` : ''}`);
    try {
      return text ? JSON.parse(text) : undefined;
    } catch {
      throw new FlagProviderError(`unleash: not JSON: ${text.slice(0, 60)}`);
    }
  }

  private async strategy(flag: string): Promise<Strategy> {
    const body = await this.call(this.base(flag));
    const list = (Array.isArray(body) ? body : (body as { strategies?: Strategy[] })?.strategies ?? []) as Strategy[];
    const s = this.o.strategyId ? list.find((x) => x.id === this.o.strategyId) : list.find((x) => x.name === 'flexibleRollout');
    if (!s?.id) throw new FlagProviderError(`unleash: flag ${flag} has no flexibleRollout strategy in ${this.o.project}/${this.o.environment}`);
    return s;
  }

  async read(flag: string): Promise<number | undefined> {
    const s = await this.strategy(flag);
    const p = parsePercent(s.parameters?.rollout);
    if (p === undefined) throw new FlagProviderError(`unleash: strategy ${s.id} has no rollout percentage`);
    return p;
  }

  async set(flag: string, percent: number): Promise<number> {
    const s = await this.strategy(flag);
    const parameters = { stickiness: 'default', groupId: flag, ...s.parameters, rollout: String(percent) };
    await this.call(`${this.base(flag)}/${encodeURIComponent(s.id!)}`, {
      method: 'PUT',
      // Unleash replaces constraints and variants with what the body carries: send them back as they were
      body: JSON.stringify({ name: 'flexibleRollout', parameters, constraints: s.constraints ?? [], ...(s.variants ? { variants: s.variants } : {}), ...(s.segments ? { segments: s.segments } : {}), ...(s.title ? { title: s.title } : {}), ...(s.disabled !== undefined ? { disabled: s.disabled } : {}) }),
    });
    const back = await this.read(flag);
    if (back === undefined) throw new FlagProviderError('unleash: applied, but could not read it back');
    return back;
  }
}

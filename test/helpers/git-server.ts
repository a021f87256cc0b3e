/**
 * A real git server on loopback for the team tests: `git daemon` serving bare repositories with
 * receive-pack enabled (pushes over git://, as to any remote: not a file:// path), on a free port,
 * its process group ended by stop().
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const GIT_ENV = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };

export function gitSync(cwd: string, ...args: string[]): string {
  return gitSyncWith({}, cwd, ...args);
}

/** gitSync with more environment (GIT_COMMITTER_DATE …): GIT_ENV is fixed, so process.env changes do not reach git. */
export function gitSyncWith(env: Record<string, string>, cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: { ...GIT_ENV, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export class GitServer {
  private constructor(
    readonly root: string,
    readonly port: number,
    private readonly daemon: ChildProcess,
  ) {}

  /** The URL of repository `name` (created bare on first use). */
  url(name = 'team.git'): string {
    return `git://127.0.0.1:${this.port}/${name}`;
  }

  static async start(): Promise<GitServer> {
    const root = mkdtempSync(join(tmpdir(), 'cockpit-git-server-'));
    mkdirSync(join(root, 'repos'));
    gitSync(join(root, 'repos'), 'init', '--bare', '-q', 'team.git');
    for (let attempt = 0; ; attempt++) {
      const port = await freePort();
      const daemon = spawn('git', ['daemon', '--reuseaddr', '--export-all', '--enable=receive-pack', '--listen=127.0.0.1', `--port=${port}`, `--base-path=${join(root, 'repos')}`, join(root, 'repos')], { detached: true, stdio: 'ignore' });
      const server = new GitServer(root, port, daemon);
      if (await server.ready()) return server;
      server.stop();
      if (attempt >= 3) throw new Error('git daemon did not start');
    }
  }

  /** Waits until the daemon answers (ls-remote works), up to 5 s. */
  private async ready(): Promise<boolean> {
    const end = Date.now() + 5000;
    while (Date.now() < end) {
      if (this.daemon.exitCode !== null) return false;
      try {
        gitSync(this.root, 'ls-remote', this.url());
        return true;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    return false;
  }

  /** A clone of `name` in a new directory under the server's root (remote "origin"). */
  clone(label: string, name = 'team.git'): string {
    const dir = join(this.root, 'clones', label);
    mkdirSync(join(this.root, 'clones'), { recursive: true });
    gitSync(this.root, 'clone', '-q', this.url(name), dir);
    return dir;
  }

  stop(): void {
    try {
      if (this.daemon.pid) process.kill(-this.daemon.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }

  remove(): void {
    this.stop();
    rmSync(this.root, { recursive: true, force: true });
  }
}

/**
 * A team runbook (`name: web`, `environment: production`): one stage `deploy` whose one step `ship`
 * runs `step` with sh -c, on `remote` (origin) with a `lease` (30s), and `extra` lines after it.
 */
export function teamRunbook(step: string, o: { remote?: string; lease?: string; extra?: readonly string[] } = {}): string {
  return [
    'name: web',
    'environment: production',
    `team: { remote: ${o.remote ?? 'origin'}, lease: ${o.lease ?? '30s'} }`,
    'stages:',
    '  - id: deploy',
    '    steps:',
    '      - id: ship',
    `        run: [sh, -c, '${step}']`,
    ...(o.extra ?? []),
    '',
  ].join('\n');
}

/**
 * For a test file: a git server (started before its tests, removed after) and a clone per name,
 * each with `runbook` as its cockpit.yml. `clones[name]` and `server()` once the tests run.
 */
export function teamClones(names: readonly string[], runbook: string): { readonly clones: Record<string, string>; server(): GitServer } {
  let server: GitServer | undefined;
  const clones: Record<string, string> = {};
  beforeAll(async () => {
    server = await GitServer.start();
    for (const n of names) {
      clones[n] = server.clone(n);
      writeFileSync(join(clones[n], 'cockpit.yml'), runbook);
    }
  }, 30_000);
  afterAll(() => server?.remove());
  return { clones, server: () => server! };
}

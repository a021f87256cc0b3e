// A real git server for the team benchmarks: `git daemon` with receive-pack on a free loopback
// port, serving one bare repository (team.git) under `root`/repos. stop() ends its process group.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const git = (cwd, ...args) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 512 * 1024 * 1024 });

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function startGitDaemon(root) {
  mkdirSync(join(root, 'repos'));
  git(join(root, 'repos'), 'init', '--bare', '-q', 'team.git');
  const port = await freePort();
  const daemon = spawn('git', ['daemon', '--reuseaddr', '--export-all', '--enable=receive-pack', '--listen=127.0.0.1', `--port=${port}`, `--base-path=${join(root, 'repos')}`, join(root, 'repos')], { detached: true, stdio: 'ignore' });
  const url = `git://127.0.0.1:${port}/team.git`;
  const stop = () => {
    try {
      process.kill(-daemon.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  };
  for (let i = 0; ; i++) {
    try {
      git(root, 'ls-remote', url);
      return { url, stop };
    } catch (e) {
      if (i >= 100) {
        stop();
        throw e;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

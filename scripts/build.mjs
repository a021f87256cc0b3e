// Bundles the CLI into dist/cockpit.js and the step supervisor into dist/supervisor.js.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const banner = {
  js: "import { createRequire as __cockpitCreateRequire } from 'node:module'; const require = __cockpitCreateRequire(import.meta.url);",
};
const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  banner,
  define: {
    'process.env.NODE_ENV': '"production"',
    __COCKPIT_VERSION__: JSON.stringify(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version),
  },
  alias: { 'react-devtools-core': join(root, 'scripts/stub-devtools.mjs') },
  external: ['blessed', 'blessed-contrib', 'node-pty'],
  // Ink and its libraries measure text with string-width, very slow on non-ASCII text; the screen
  // uses an exact, faster equivalent (src/ui/fast-width.ts, checked against it in the tests)
  plugins: [
    {
      name: 'fast-string-width',
      setup(b) {
        const fast = join(root, 'src/ui/fast-width.ts');
        b.onResolve({ filter: /^string-width$/ }, (a) => (a.importer === fast ? undefined : { path: fast }));
      },
    },
  ],
  logLevel: 'warning',
  legalComments: 'none',
};

// The supervisor is its own small bundle (it starts once per step). The CLI splits the screen
// (Ink, React) into a chunk loaded only when a terminal UI opens, so headless runs start fast.
// dist/ is never removed first (a running cockpit or test may be loading from it); chunks that
// the new build no longer produces are deleted afterwards.
const [cli, supervisor] = await Promise.all([
  build({ ...common, metafile: true, entryPoints: { cockpit: join(root, 'src/cli/main.ts') }, outdir: join(root, 'dist'), splitting: true, chunkNames: 'chunks/[name]-[hash]' }),
  build({ ...common, metafile: true, entryPoints: [join(root, 'src/exec/supervisor.ts')], outfile: join(root, 'dist/supervisor.js') }),
]);
const produced = new Set([...Object.keys(cli.metafile.outputs), ...Object.keys(supervisor.metafile.outputs)].map((p) => resolve(p)));
const chunks = join(root, 'dist/chunks');
for (const f of await readdir(chunks).catch(() => [])) {
  if (!produced.has(join(chunks, f))) await rm(join(chunks, f), { force: true });
}

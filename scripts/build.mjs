// Bundles the CLI into dist/cockpit.js and the step supervisor into dist/supervisor.js.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { patchStyledChars } from './patches.mjs';

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
  // blessed is the one package dist/ loads from node_modules at run time (the wallboard; it reads
  // its terminfo and fonts from its own directory): the package's only dependency. Everything else,
  // blessed-contrib's line chart included, is bundled, and is a devDependency.
  external: ['blessed', 'node-pty'],
  // Ink and its libraries measure text with string-width, very slow on non-ASCII text; the screen
  // uses an exact, faster equivalent (src/ui/fast-width.ts, checked against it in the tests)
  plugins: [
    {
      // blessed-contrib's line chart (bundled into the wallboard's chunk) uses one lodash function,
      // max, but requires all of lodash (540 KB): it gets lodash/max alone
      name: 'line-chart-lodash-max',
      setup(b) {
        b.onLoad({ filter: /blessed-contrib[\\/]lib[\\/]widget[\\/]charts[\\/]line\.js$/ }, (a) => {
          const text = readFileSync(a.path, 'utf8');
          const whole = "_ = require('lodash');";
          const uses = text.match(/\b_\.\w+/g) ?? [];
          if (!text.includes(whole) || uses.some((u) => u !== '_.max')) throw new Error(`blessed-contrib's line.js changed: expected ${whole} and only _.max, found ${[...new Set(uses)].join(', ')}`);
          return { contents: text.replace(whole, "_ = { max: require('lodash/max') };"), loader: 'js' };
        });
      },
    },
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

// The screen (Ink, React: ~900 KB) is a CommonJS bundle of its own, dist/tui.cjs, so that it can be
// loaded through V8's code cache (src/cli/code-cache.ts; Node 20 has no compile cache for ES
// modules). CommonJS has no top-level await: yoga is made synchronous (src/ui/yoga-sync.ts) and
// Ink's two development-only awaits (React devtools, its package.json when DEV=true) are dropped.
const yoga = join(root, 'node_modules/yoga-layout/dist');
const tuiPlugins = [
  {
    name: 'yoga-sync',
    setup(b) {
      b.onResolve({ filter: /^yoga-layout$/ }, () => ({ path: join(root, 'src/ui/yoga-sync.ts') }));
      b.onResolve({ filter: /^cockpit-yoga\// }, (a) => ({
        path: { 'cockpit-yoga/binary': join(yoga, 'binaries/yoga-wasm-base64-esm.js'), 'cockpit-yoga/wrap': join(yoga, 'src/wrapAssembly.js'), 'cockpit-yoga/enums': join(yoga, 'src/generated/YGEnums.js') }[a.path],
      }));
      // the embedded binary's data URI, exported once (the loader refers to it instead of its own copy)
      b.onLoad({ filter: /yoga-wasm-base64-esm\.js$/ }, (a) => {
        const text = readFileSync(a.path, 'utf8');
        const uri = /"(data:application\/octet-stream;base64,[A-Za-z0-9+/=]+)"/.exec(text);
        if (!uri) throw new Error('yoga-layout: no embedded WebAssembly data URI found');
        return { contents: `export const yogaWasmDataUri = ${JSON.stringify(uri[1])};\n${text.replace(uri[0], 'yogaWasmDataUri')}`, loader: 'js' };
      });
    },
  },
  {
    name: 'ink-no-top-level-await',
    setup(b) {
      b.onLoad({ filter: /ink[\\/]build[\\/]reconciler\.js$/ }, (a) => {
        const text = readFileSync(a.path, 'utf8');
        const devtools = "await import('./devtools.js');";
        const pkg = '? await loadPackageJson()';
        if (!text.includes(devtools) || !text.includes(pkg)) throw new Error('ink/build/reconciler.js changed: its top-level awaits were not found');
        const out = text.replace(devtools, 'void 0;').replace(pkg, '? { name: undefined, version: undefined }');
        return { contents: out, loader: 'js' };
      });
    },
  },
  {
    name: 'styled-chars-fast-path',
    setup(b) {
      b.onLoad({ filter: /@alcalzone[\\/]ansi-tokenize[\\/]build[\\/]styledChars\.js$/ }, (a) => ({ contents: patchStyledChars(readFileSync(a.path, 'utf8')), loader: 'js' }));
    },
  },
  ...common.plugins,
];

// The supervisor is its own small bundle (it starts once per step). The CLI splits the screen
// (Ink, React) into a chunk loaded only when a terminal UI opens, so headless runs start fast.
// dist/ is never removed first (a running cockpit or test may be loading from it); chunks that
// the new build no longer produces are deleted afterwards.
const [cli, supervisor] = await Promise.all([
  build({ ...common, metafile: true, entryPoints: { cockpit: join(root, 'src/cli/main.ts') }, outdir: join(root, 'dist'), splitting: true, chunkNames: 'chunks/[name]-[hash]' }),
  build({ ...common, metafile: true, entryPoints: [join(root, 'src/exec/supervisor.ts')], outfile: join(root, 'dist/supervisor.js') }),
  // the Markdown parser under its time limit runs in a worker thread (src/runbook/markdown-parse.ts)
  build({ ...common, entryPoints: [join(root, 'src/runbook/markdown-worker.ts')], outfile: join(root, 'dist/markdown-worker.js') }),
  build({
    ...common,
    format: 'cjs',
    entryPoints: [join(root, 'src/ui/run-tui.tsx')],
    outfile: join(root, 'dist/tui.cjs'),
    banner: { js: "const __cockpitMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    define: { ...common.define, 'import.meta.url': '__cockpitMetaUrl' },
    plugins: tuiPlugins,
  }),
]);
const produced = new Set([...Object.keys(cli.metafile.outputs), ...Object.keys(supervisor.metafile.outputs)].map((p) => resolve(p)));
const chunks = join(root, 'dist/chunks');
for (const f of await readdir(chunks).catch(() => [])) {
  if (!produced.has(join(chunks, f))) await rm(join(chunks, f), { force: true });
}

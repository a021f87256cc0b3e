// Bundles the CLI into dist/cockpit.js and the step supervisor into dist/supervisor.js.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';

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
  logLevel: 'warning',
  legalComments: 'none',
};

await Promise.all([
  build({ ...common, entryPoints: [join(root, 'src/cli/main.ts')], outfile: join(root, 'dist/cockpit.js') }),
  build({ ...common, entryPoints: [join(root, 'src/exec/supervisor.ts')], outfile: join(root, 'dist/supervisor.js') }),
]);

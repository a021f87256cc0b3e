/**
 * yoga-layout, ready at import with no top-level await, for the screen's CommonJS bundle
 * (dist/tui.cjs, which V8's code cache can serve: scripts/build.mjs points `yoga-layout` here).
 * The package's entry awaits its WebAssembly at the top level, which CommonJS cannot; here the
 * same embedded binary is compiled and instantiated synchronously (~8 ms) through the Emscripten
 * loader's `instantiateWasm` hook, which fills in the module object before the loader returns.
 * Tests (vitest) import the package as it is.
 */
import loadYogaImpl, { yogaWasmDataUri } from 'cockpit-yoga/binary';
import wrapAssembly from 'cockpit-yoga/wrap';

type Instantiated = (instance: WebAssembly.Instance, module: WebAssembly.Module) => void;

function loadYogaSync(): ReturnType<typeof wrapAssembly> {
  const bytes = Buffer.from(yogaWasmDataUri.slice(yogaWasmDataUri.indexOf(',') + 1), 'base64');
  const wasm = new WebAssembly.Module(bytes);
  const lib: Record<string, unknown> = {
    instantiateWasm(imports: WebAssembly.Imports, done: Instantiated) {
      const instance = new WebAssembly.Instance(wasm, imports);
      done(instance, wasm);
      return instance.exports;
    },
  };
  // its promise resolves later; by the time the loader returns, `lib` is the initialised module
  void loadYogaImpl(lib);
  if (typeof lib.Node !== 'function') throw new Error('cockpit: yoga-layout did not initialise synchronously');
  return wrapAssembly(lib);
}

const Yoga = loadYogaSync();
export default Yoga;
export * from 'cockpit-yoga/enums';

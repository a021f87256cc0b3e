/** The parts of yoga-layout that scripts/build.mjs points src/ui/yoga-sync.ts at. */
declare module 'cockpit-yoga/binary' {
  export default function loadYoga(module: Record<string, unknown>): Promise<unknown>;
  export const yogaWasmDataUri: string;
}
declare module 'cockpit-yoga/wrap' {
  export default function wrapAssembly(lib: unknown): typeof import('yoga-layout').default;
}
declare module 'cockpit-yoga/enums' {
  export * from 'yoga-layout';
}

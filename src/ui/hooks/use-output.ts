/**
 * Re-renders when new output arrived, at most every `ms`: never one update per line. While a step
 * floods the screen (more than `floodLines` lines since the last refresh, faster than anyone can
 * read), at most every `floodMs`: drawing a frame costs the cockpit ~25 ms of CPU, which a
 * flooding step on a small machine needs for itself.
 */
import { useEffect, useState } from 'react';
import type { OutputStore } from '../output-store.js';

export function useOutputVersion(store: OutputStore, ms = 50, floodMs = 500, floodLines = 200): number {
  const [version, setVersion] = useState(store.version);
  useEffect(() => {
    let timer: NodeJS.Timeout | undefined;
    let shown = store.appended;
    const off = store.subscribe(() => {
      timer ??= setTimeout(
        () => {
          timer = undefined;
          shown = store.appended;
          setVersion(store.version);
        },
        store.appended - shown > floodLines ? floodMs : ms,
      );
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [store, ms, floodMs, floodLines]);
  return version;
}

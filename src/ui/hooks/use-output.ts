/** Re-renders when new output arrived, at most every `ms`: never one update per line. */
import { useEffect, useState } from 'react';
import type { OutputStore } from '../output-store.js';

export function useOutputVersion(store: OutputStore, ms = 50): number {
  const [version, setVersion] = useState(store.version);
  useEffect(() => {
    let timer: NodeJS.Timeout | undefined;
    const off = store.subscribe(() => {
      timer ??= setTimeout(() => {
        timer = undefined;
        setVersion(store.version);
      }, ms);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [store, ms]);
  return version;
}

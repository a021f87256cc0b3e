/**
 * Re-renders when new output arrived, at most every `ms`: never one update per line. While a step
 * floods the screen (more than `floodLines` lines since the last frame, faster than anyone can
 * read), at most every `floodMs` after the last frame, whatever drew it: the screen reads the
 * latest lines whenever it draws (the clock's tick, a state change), so a frame drawn for another
 * reason shows the flood too and this one is put off. A frame costs the cockpit ~25-50 ms of CPU,
 * which a flooding step on a small machine needs for itself.
 */
import { useEffect, useRef, useState } from 'react';
import type { FrameHold } from '../frame-hold.js';
import type { OutputStore } from '../output-store.js';

export function useOutputVersion(store: OutputStore, hold?: FrameHold, ms = 50, floodMs = 1000, floodLines = 200): number {
  const [version, setVersion] = useState(store.version);
  const shown = useRef({ at: 0, version: store.version, appended: store.appended });
  // after every frame of the screen (this hook's component re-rendered, for whatever reason): what
  // it drew is the store as it was at the render (output may come between a render and its effects)
  const drawn = { version: store.version, appended: store.appended };
  useEffect(() => {
    shown.current = { at: Date.now(), ...drawn };
  });
  useEffect(() => {
    let timer: NodeJS.Timeout | undefined;
    let flooding = false;
    const refresh = (): void => {
      timer = undefined;
      const s = shown.current;
      if (store.version === s.version) return; // a frame since has shown it all
      const wait = flooding ? s.at + floodMs - Date.now() : 0;
      if (wait > 0) {
        timer = setTimeout(refresh, wait);
        return;
      }
      const apply = () => setVersion(store.version);
      if (hold) hold.latestOf('output', apply);
      else apply();
    };
    const off = store.subscribe(() => {
      if (timer) return;
      const s = shown.current;
      flooding = store.appended - s.appended > floodLines;
      timer = setTimeout(refresh, flooding ? Math.max(ms, s.at + floodMs - Date.now()) : ms);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [store, hold, ms, floodMs, floodLines]);
  return version;
}

/**
 * Reading a cockpit screen (a frame, or a terminal's capture) by its parts: its lines, the header
 * (the first line), the hint bar (the last line drawn: the terminal's last row stays empty) and
 * whether Enter would run the next stage now (the hint bar offers it).
 */
export const lines = (x: string): string[] => x.split('\n');
export const header = (x: string): string => lines(x)[0] ?? '';
export const hint = (x: string): string => lines(x).filter(Boolean).at(-1) ?? '';
export const canRun = (x: string): boolean => / ⏎ run\/continue /.test(hint(x));

/** Types of bench/lib/bash-times.mjs, for the tests. */
export declare const TIMES_MARK: string;
export declare function bashTimes(o?: { fd?: 1 | 2; redirect?: string }): string[];
export declare function timesSeconds(t: string): number;
export declare function splitTimes(text: string): { before: string; user: number; sys: number } | undefined;

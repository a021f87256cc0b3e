/**
 * The DORA four keys, computed the way Four Keys (github.com/dora-team/fourkeys, METRICS.md and
 * its dashboard queries) computes them, plus the rollback rate. Pure: times in, figures out.
 * The definitions and where cockpit differs are in docs/history.md.
 */
import type { Frequency } from '../runbook/types.js';

export type Level = 'elite' | 'high' | 'medium' | 'low';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;

/** BigQuery's PERCENTILE_CONT: linear interpolation between the closest ranks; undefined for no values. */
export function percentileCont(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = p * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

export function median(values: readonly number[]): number | undefined {
  return percentileCont(values, 0.5);
}

/** The UTC day of a wall time, as Four Keys truncates timestamps: 2024-05-01. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

const dayMs = (day: string) => Date.parse(`${day}T00:00:00Z`);

/** The week a day belongs to: BigQuery's TIMESTAMP_TRUNC(day, WEEK), weeks starting on Sunday. */
export function weekOf(day: string): string {
  const ms = dayMs(day);
  return utcDay(ms - new Date(ms).getUTCDay() * DAY);
}

export type FrequencyFigures = {
  readonly bucket: Frequency;
  readonly level: Level;
  readonly deployments: number;
  /** Distinct days with a deployment in the calendar. */
  readonly deployDays: number;
  readonly weeks: number;
  readonly medianDaysPerWeek: number;
  readonly medianWeekDeployed: number;
  readonly medianMonthlyDeploys: number;
};

const FREQUENCY_LEVEL: Record<Frequency, Level> = { daily: 'elite', weekly: 'high', monthly: 'medium', yearly: 'low' };
const FREQUENCY_RANK: Record<Frequency, number> = { daily: 0, weekly: 1, monthly: 2, yearly: 3 };

/**
 * Deployment frequency over the calendar of days `fromDay`..`toDay` (inclusive, UTC), Four Keys'
 * query step by step: days are grouped into Sunday weeks; per week, the distinct days with a
 * deployment (`days_deployed`) and whether it had one (`week_deployed`); per week, the weeks with
 * a deployment in the month its Sunday falls in (`monthly_deploys`). Daily when the median of
 * days_deployed is at least 3, weekly when the median of week_deployed is at least 1, monthly
 * when the median of monthly_deploys is at least 1, else yearly. Deployments outside the calendar
 * do not count (the calendar is the left side of Four Keys' join).
 */
export function deploymentFrequency(deployTimes: readonly number[], fromDay: string, toDay: string): FrequencyFigures {
  const deployDays = new Set(deployTimes.map(utcDay));
  const weeks = new Map<string, { days: number; deployed: number }>();
  let inCalendar = 0;
  for (let ms = dayMs(fromDay); ms <= dayMs(toDay); ms += DAY) {
    const day = utcDay(ms);
    const w = weeks.get(weekOf(day)) ?? { days: 0, deployed: 0 };
    if (deployDays.has(day)) {
      w.days++;
      w.deployed = 1;
      inCalendar++;
    }
    weeks.set(weekOf(day), w);
  }
  const rows = [...weeks.entries()];
  const monthly = rows.map(([week]) => rows.filter(([w]) => w.slice(0, 7) === week.slice(0, 7)).reduce((n, [, r]) => n + r.deployed, 0));
  const medianDaysPerWeek = median(rows.map(([, r]) => r.days)) ?? 0;
  const medianWeekDeployed = median(rows.map(([, r]) => r.deployed)) ?? 0;
  const medianMonthlyDeploys = median(monthly) ?? 0;
  const bucket: Frequency = medianDaysPerWeek >= 3 ? 'daily' : medianWeekDeployed >= 1 ? 'weekly' : medianMonthlyDeploys >= 1 ? 'monthly' : 'yearly';
  const deployments = deployTimes.filter((t) => utcDay(t) >= fromDay && utcDay(t) <= toDay).length;
  return { bucket, level: FREQUENCY_LEVEL[bucket], deployments, deployDays: inCalendar, weeks: rows.length, medianDaysPerWeek, medianWeekDeployed, medianMonthlyDeploys };
}

/** Four Keys' lead-time and time-to-restore buckets. */
export type SpanBucket = 'one day' | 'one week' | 'one month' | 'six months' | 'one year';

function spanBucket(ms: number): SpanBucket {
  const h = ms / HOUR;
  return h < 24 ? 'one day' : h < 168 ? 'one week' : h < 730 ? 'one month' : h < 730 * 6 ? 'six months' : 'one year';
}

export type SpanFigures = { readonly medianMs: number; readonly count: number; readonly bucket: SpanBucket; readonly level: Level };

/**
 * Lead time for changes: the median, over every commit of every deployment, of deploy time minus
 * commit time. Like Four Keys, a change deployed less than a whole minute after it was committed
 * (an automated push that triggered the deployment itself) is left out.
 */
export function leadTime(pairs: readonly { readonly deployAt: number; readonly commitAt: number }[]): SpanFigures | undefined {
  const spans = pairs.map((p) => p.deployAt - p.commitAt).filter((ms) => ms >= MINUTE);
  const m = median(spans);
  if (m === undefined) return undefined;
  const bucket = spanBucket(m);
  const level: Level = bucket === 'one day' ? 'elite' : bucket === 'one week' ? 'high' : bucket === 'one month' ? 'medium' : 'low';
  return { medianMs: m, count: spans.length, bucket, level };
}

/**
 * Time to restore: the median of the incidents' restore times (restore-time.ts). Four Keys buckets
 * it by days (one day, one week…); below an hour is DORA's elite, which those buckets do not tell apart.
 */
export function timeToRestoreFigures(restoreMs: readonly number[]): SpanFigures | undefined {
  const m = median(restoreMs);
  if (m === undefined) return undefined;
  const level: Level = m < HOUR ? 'elite' : m < 24 * HOUR ? 'high' : m < 168 * HOUR ? 'medium' : 'low';
  return { medianMs: m, count: restoreMs.length, bucket: spanBucket(m), level };
}

export type RateBucket = '0-15%' | '16-45%' | '46-60%';
export type RateFigures = { readonly rate: number; readonly count: number; readonly of: number };

/** A share of deployments (change failure rate, rollback rate); undefined without deployments. */
export function rate(count: number, of: number): RateFigures | undefined {
  return of === 0 ? undefined : { rate: count / of, count, of };
}

/** Four Keys' change-failure-rate bucket and the DORA level it stands for. */
export function failureBucket(r: number): { bucket: RateBucket; level: Level } {
  if (r <= 0.15) return { bucket: '0-15%', level: 'elite' };
  if (r < 0.46) return { bucket: '16-45%', level: 'medium' };
  return { bucket: '46-60%', level: 'low' };
}

export type Verdict = 'met' | 'missed' | 'no data' | 'no target';

/** A ceiling target: met when the value is at most the target. */
export function atMost(value: number | undefined, target: number | undefined): Verdict {
  if (target === undefined) return 'no target';
  if (value === undefined) return 'no data';
  return value <= target ? 'met' : 'missed';
}

/** A frequency target: met when the bucket is at least as often as the target. */
export function atLeastAsOften(bucket: Frequency | undefined, target: Frequency | undefined): Verdict {
  if (target === undefined) return 'no target';
  if (bucket === undefined) return 'no data';
  return FREQUENCY_RANK[bucket] <= FREQUENCY_RANK[target] ? 'met' : 'missed';
}

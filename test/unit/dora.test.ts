/**
 * The DORA maths (src/history/dora.ts) against figures worked out by hand from Four Keys' queries
 * (METRICS.md, queries/*.sql of github.com/dora-team/fourkeys). Calendars are UTC; 2024-04-28 and
 * 2024-05-05 are Sundays, the day BigQuery's WEEK starts on.
 */
import { describe, expect, it } from 'vitest';
import { atLeastAsOften, atMost, deploymentFrequency, failureBucket, leadTime, median, percentileCont, rate, timeToRestoreFigures, utcDay, weekOf } from '../../src/history/dora.js';

const at = (day: string, time = '12:00') => Date.parse(`${day}T${time}:00Z`);
const H = 3_600_000;
const D = 24 * H;

describe('PERCENTILE_CONT and the median', () => {
  it('interpolates between the closest ranks, like BigQuery', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([10, 1, 3])).toBe(3);
    expect(median([7])).toBe(7);
    expect(median([])).toBeUndefined();
    // rank 0.25 × (5 - 1) = 1: the second value; 0.9 × 4 = 3.6: 40 + 0.6 × (50 - 40)
    expect(percentileCont([10, 20, 30, 40, 50], 0.25)).toBe(20);
    expect(percentileCont([10, 20, 30, 40, 50], 0.9)).toBe(46);
  });
});

describe('days and weeks', () => {
  it('truncates to the UTC day and to the Sunday that starts the week', () => {
    expect(utcDay(Date.parse('2024-05-01T23:59:59Z'))).toBe('2024-05-01');
    expect(utcDay(Date.parse('2024-05-02T00:00:00Z'))).toBe('2024-05-02');
    expect(weekOf('2024-05-01')).toBe('2024-04-28'); // a Wednesday
    expect(weekOf('2024-04-28')).toBe('2024-04-28'); // a Sunday starts its own week
    expect(weekOf('2024-05-04')).toBe('2024-04-28'); // the Saturday ends it
  });
});

describe('deployment frequency, bucketed as Four Keys does', () => {
  it('daily: the median of days with deployments per week is at least 3', () => {
    // weeks of Apr 28 and May 5: 3 days (Mon Tue Wed, two deploys on Tue) and 4 days → median 3.5
    const deploys = ['2024-04-29', '2024-04-30', '2024-05-01', '2024-05-06', '2024-05-07', '2024-05-08', '2024-05-09'].map((d) => at(d));
    deploys.push(at('2024-04-30', '18:00'));
    const f = deploymentFrequency(deploys, '2024-04-28', '2024-05-11');
    expect(f).toEqual({ bucket: 'daily', level: 'elite', deployments: 8, deployDays: 7, weeks: 2, medianDaysPerWeek: 3.5, medianWeekDeployed: 1, medianMonthlyDeploys: 1 });
  });

  it('weekly: fewer than 3 days a week, but most weeks have one', () => {
    const f = deploymentFrequency([at('2024-04-29'), at('2024-05-10')], '2024-04-28', '2024-05-11');
    expect(f).toMatchObject({ bucket: 'weekly', level: 'high', medianDaysPerWeek: 1, medianWeekDeployed: 1 });
  });

  it('3 days in one week of two is not daily, not weekly: monthly, because both weeks are in May', () => {
    // days per week [3, 0] → 1.5; weeks deployed [1, 0] → 0.5; May has 1 week with a deployment → [1, 1] → 1
    const f = deploymentFrequency([at('2024-05-06'), at('2024-05-07'), at('2024-05-08')], '2024-05-05', '2024-05-18');
    expect(f).toMatchObject({ bucket: 'monthly', level: 'medium', medianDaysPerWeek: 1.5, medianWeekDeployed: 0.5, medianMonthlyDeploys: 1 });
  });

  it('monthly: one deployment in four weeks of May', () => {
    const f = deploymentFrequency([at('2024-05-14')], '2024-05-05', '2024-06-01');
    expect(f).toMatchObject({ bucket: 'monthly', weeks: 4, medianDaysPerWeek: 0, medianWeekDeployed: 0, medianMonthlyDeploys: 1 });
  });

  it('the same single deployment, when the weeks straddle two months, is yearly: the month is the Sunday’s', () => {
    // weeks of Apr 28 (April) and May 5, 12 (May): monthly_deploys per week [1, 0, 0] → median 0
    const f = deploymentFrequency([at('2024-04-30')], '2024-04-28', '2024-05-18');
    expect(f).toMatchObject({ bucket: 'yearly', level: 'low', weeks: 3, medianMonthlyDeploys: 0 });
  });

  it('yearly without deployments; deployments outside the calendar do not count', () => {
    expect(deploymentFrequency([], '2024-05-05', '2024-05-18')).toMatchObject({ bucket: 'yearly', deployments: 0, deployDays: 0 });
    // calendar Wed May 1 .. Tue May 7: part weeks of Apr 28 and May 5; Apr 30 is before it
    const f = deploymentFrequency([at('2024-04-30'), at('2024-05-02'), at('2024-05-06')], '2024-05-01', '2024-05-07');
    expect(f).toMatchObject({ bucket: 'weekly', deployments: 2, deployDays: 2, weeks: 2, medianDaysPerWeek: 1 });
  });
});

describe('lead time for changes', () => {
  it('is the median over every commit of deploy time minus commit time, without changes under a minute', () => {
    const deployAt = at('2024-05-10');
    const pairs = [30_000, 2 * H, 5 * H, 30 * H].map((ms) => ({ deployAt, commitAt: deployAt - ms }));
    expect(leadTime(pairs)).toEqual({ medianMs: 5 * H, count: 3, bucket: 'one day', level: 'elite' });
  });

  it('buckets by Four Keys’ hours: < 24 one day, < 168 one week, < 730 one month, < 4380 six months', () => {
    const lt = (...days: number[]) => leadTime(days.map((d) => ({ deployAt: 1000 * D, commitAt: 1000 * D - d * D })));
    expect(lt(1, 3)).toMatchObject({ medianMs: 2 * D, bucket: 'one week', level: 'high' });
    expect(lt(10, 40)).toMatchObject({ medianMs: 25 * D, bucket: 'one month', level: 'medium' }); // 600 h
    expect(lt(100)).toMatchObject({ bucket: 'six months', level: 'low' }); // 2400 h
    expect(lt(200)).toMatchObject({ bucket: 'one year', level: 'low' }); // 4800 h
    expect(leadTime([])).toBeUndefined();
    expect(leadTime([{ deployAt: 10 * H, commitAt: 10 * H - 59_999 }])).toBeUndefined();
  });
});

describe('time to restore', () => {
  it('is the median of the restore times; under an hour is elite, under a day high, under a week medium', () => {
    expect(timeToRestoreFigures([30 * 60_000])).toEqual({ medianMs: 30 * 60_000, count: 1, bucket: 'one day', level: 'elite' });
    expect(timeToRestoreFigures([30 * 60_000, 2 * H, 5 * H])).toMatchObject({ medianMs: 2 * H, level: 'high', bucket: 'one day' });
    expect(timeToRestoreFigures([2 * D])).toMatchObject({ level: 'medium', bucket: 'one week' });
    expect(timeToRestoreFigures([10 * D])).toMatchObject({ level: 'low', bucket: 'one month' });
    expect(timeToRestoreFigures([])).toBeUndefined();
  });
});

describe('change failure rate and rollback rate', () => {
  it('is a share of deployments, bucketed 0-15 %, 16-45 %, 46-60 %', () => {
    expect(rate(1, 3)).toEqual({ rate: 1 / 3, count: 1, of: 3 });
    expect(rate(0, 0)).toBeUndefined();
    expect(failureBucket(0.15)).toEqual({ bucket: '0-15%', level: 'elite' });
    expect(failureBucket(0.16)).toEqual({ bucket: '16-45%', level: 'medium' });
    expect(failureBucket(0.455)).toEqual({ bucket: '16-45%', level: 'medium' });
    expect(failureBucket(0.46)).toEqual({ bucket: '46-60%', level: 'low' });
  });
});

describe('targets', () => {
  it('a ceiling is met at or below it; a frequency at least as often', () => {
    expect(atMost(1 / 3, 0.15)).toBe('missed');
    expect(atMost(0.15, 0.15)).toBe('met');
    expect(atMost(undefined, 0.1)).toBe('no data');
    expect(atMost(2, undefined)).toBe('no target');
    expect(atLeastAsOften('weekly', 'daily')).toBe('missed');
    expect(atLeastAsOften('daily', 'weekly')).toBe('met');
    expect(atLeastAsOften('monthly', 'monthly')).toBe('met');
    expect(atLeastAsOften(undefined, 'daily')).toBe('no data');
  });
});

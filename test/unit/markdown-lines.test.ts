/**
 * Guardrails in runbook prose, as the line readers of src/runbook/markdown-lines.ts (and the words
 * of src/runbook/markdown/guard-words.ts) read them: sustained and rate windows in English, German,
 * Spanish, French and Japanese; comparisons whose "over" is an operator only before a value;
 * escalation levels with their times; threshold and rollback tables; shell blocks through the
 * project's one shell lexer.
 */
import { describe, expect, it } from 'vitest';
import { bandOf, blockCommands, comparison, escalationAfter, metricOf, tableBands, tableTriggers, windowOf, windowWords, type WindowWords } from '../../src/runbook/markdown-lines.js';

describe('windows: how long a condition must hold (for), how far back a rate looks (rate), consecutive samples', () => {
  const cases: [string, WindowWords][] = [
    ['for 2+ minutes', { for: '2m' }],
    ['for more than 2 minutes', { for: '2m' }],
    ['for at least 5 min', { for: '5m' }],
    ['for over 10 minutes', { for: '10m' }],
    ['over 5 minutes', { for: '5m' }],
    ['over a 5 minute window', { for: '5m' }],
    ['over a 5-minute window', { for: '5m' }],
    ['over a 30 second window', { for: '30s' }],
    ['sustained for 3 minutes', { for: '3m' }],
    ['sustained 3 minutes', { for: '3m' }],
    ['for 2 consecutive minutes', { for: '2m' }],
    ['3 consecutive minutes', { for: '3m' }],
    ['2 minutes in a row', { for: '2m' }],
    ['during 5 minutes', { for: '5m' }],
    ['for 30s', { for: '30s' }],
    ['for 90 seconds', { for: '90s' }],
    ['for 1h', { for: '1h' }],
    ['for 1.5 minutes', { for: '1m30s' }],
    ['5m', { for: '5m' }],
    ['5 min', { for: '5m' }],
    ['≥ 5 min', { for: '5m' }],
    ['(2m)', { for: '2m' }],
    ['für 5 Minuten', { for: '5m' }],
    ['länger als 2 Minuten', { for: '2m' }],
    ['für mindestens 1,5 Minuten', { for: '1m30s' }],
    ['über 5 Minuten', { for: '5m' }],
    ['durante 5 minutos', { for: '5m' }],
    ['por más de 2 minutos', { for: '2m' }],
    ['pendant 5 minutes', { for: '5m' }],
    ['pendant plus de 2 minutes', { for: '2m' }],
    ['5分間', { for: '5m' }],
    ['5分以上', { for: '5m' }],
    ['30秒間継続', { for: '30s' }],
    // a rate's lookback: never a sustained `for`
    ['in the last 10 minutes', { rate: '10m' }],
    ['over the last 5 minutes', { rate: '5m' }],
    ['over the past hour', { rate: '1h' }],
    ['within 10 minutes', { rate: '10m' }],
    ['in a 5-minute window', { rate: '5m' }],
    ['in den letzten 10 Minuten', { rate: '10m' }],
    ['en los últimos 10 minutos', { rate: '10m' }],
    ['dans les 10 dernières minutes', { rate: '10m' }],
    ['直近10分で5回', { rate: '10m' }],
    ['10分以内に3回', { rate: '10m' }],
    ['more than 5 errors in the last 10 minutes for 2 minutes', { rate: '10m', for: '2m' }],
    // consecutive samples: a count, not a duration
    ['3 consecutive failed checks', { samples: 3 }],
    ['for 3 consecutive health checks', { samples: 3 }],
    ['3 failed checks in a row', { samples: 3 }],
    ['3回連続で失敗', { samples: 3 }],
    // nothing
    ['sustained', {}],
    ['over 800ms', {}],
    ['for 2-3 minutes', {}],
    ['for a while', {}],
  ];
  it.each(cases)('%s', (text, want) => expect(windowWords(text)).toEqual(want));
  it('windowOf is the sustained one only', () => {
    expect(['for 2 consecutive minutes', 'in the last 10 minutes', '3 consecutive failed checks', 'over 5 minutes'].map(windowOf)).toEqual(['2m', undefined, undefined, '5m']);
  });
});

describe('comparisons: the first operator before a value; "over N minutes" is a window', () => {
  const cases: [string, ReturnType<typeof comparison>][] = [
    ['Error rate > 1% for 2 consecutive minutes', { subject: 'Error rate', op: 'above', value: 1, unit: '%', rest: 'for 2 consecutive minutes' }],
    ['Response time > 2 seconds for 3 consecutive minutes', { subject: 'Response time', op: 'above', value: 2, unit: 'seconds', rest: 'for 3 consecutive minutes' }],
    ['Memory usage > 85% for 5 minutes', { subject: 'Memory usage', op: 'above', value: 85, unit: '%', rest: 'for 5 minutes' }],
    ['Error rate > 5% for 2+ minutes', { subject: 'Error rate', op: 'above', value: 5, unit: '%', rest: 'for 2+ minutes' }],
    ['p99 latency over 800ms sustained for 3 minutes', { subject: 'p99 latency', op: 'above', value: 800, unit: 'ms', rest: 'sustained for 3 minutes' }],
    ['Error rate > 2% over 5 minutes', { subject: 'Error rate', op: 'above', value: 2, unit: '%', rest: 'over 5 minutes' }],
    ['Error rate over 5%', { subject: 'Error rate', op: 'above', value: 5, unit: '%', rest: '' }],
    ['Success rate drops below 99.5%', { subject: 'Success rate', op: 'below', value: 99.5, unit: '%', rest: '' }],
    ['Throughput ≤ 100 rps', { subject: 'Throughput', op: 'below', value: 100, unit: 'rps', rest: '' }],
    ['Tasa de error mayor que 5% durante 5 minutos', { subject: 'Tasa de error', op: 'above', value: 5, unit: '%', rest: 'durante 5 minutos' }],
    ['Latencia menor que 200 ms', { subject: 'Latencia', op: 'below', value: 200, unit: 'ms', rest: '' }],
    ['Fehlerrate größer als 2,5% für 5 Minuten', { subject: 'Fehlerrate', op: 'above', value: 2.5, unit: '%', rest: 'für 5 Minuten' }],
    ['Verfügbarkeit kleiner als 99%', { subject: 'Verfügbarkeit', op: 'below', value: 99, unit: '%', rest: '' }],
    ['Fehlerrate über 5% länger als 2 Minuten', { subject: 'Fehlerrate', op: 'above', value: 5, unit: '%', rest: 'länger als 2 Minuten' }],
    ['CPU unter 10%', { subject: 'CPU', op: 'below', value: 10, unit: '%', rest: '' }],
    ["Taux d'erreur supérieur à 2% pendant 5 minutes", { subject: "Taux d'erreur", op: 'above', value: 2, unit: '%', rest: 'pendant 5 minutes' }],
    ['Latence inférieur à 300 ms', { subject: 'Latence', op: 'below', value: 300, unit: 'ms', rest: '' }],
    ['Latency over 2s for 5 minutes', { subject: 'Latency', op: 'above', value: 2, unit: 's', rest: 'for 5 minutes' }],
    ['Disponibilité inférieure à 99 %', { subject: 'Disponibilité', op: 'below', value: 99, unit: '%', rest: '' }],
    ['エラー率が5%を超える状態が5分間続く', { subject: 'エラー率', op: 'above', value: 5, unit: '%', rest: '状態が5分間続く' }],
    ['p99レイテンシが500ms以上', { subject: 'p99レイテンシ', op: 'above', value: 500, unit: 'ms', rest: '' }],
    ['成功率が99%未満', { subject: '成功率', op: 'below', value: 99, unit: '%', rest: '' }],
    // a window, not a comparison
    ['Error rate elevated over 5 minutes', undefined],
    ['Errors for more than 2 minutes', undefined],
    ['Errors for more than 30 seconds', undefined],
    ['Fehler über 5 Minuten', undefined],
    ['エラーが5分以上', undefined],
    ['Zero 5xx errors', undefined],
    ['Turnover 5%', undefined],
  ];
  it.each(cases)('%s', (text, want) => expect(comparison(text)).toEqual(want));

  /** A trigger line as the mapper reads it: the comparison, its metric, and the window in the rest. */
  const trigger = (line: string) => {
    const c = comparison(line)!;
    return { metric: metricOf(c.subject, [], c.rest)?.name, op: c.op, value: c.value, unit: c.unit, for: windowOf(c.rest) };
  };
  it.each([
    ['Error rate > 5% for 2+ minutes', { metric: 'error_rate', op: 'above', value: 5, unit: '%', for: '2m' }],
    ['p99 latency over 800ms sustained for 3 minutes', { metric: 'latency_p99', op: 'above', value: 800, unit: 'ms', for: '3m' }],
    ['Error rate > 2% over 5 minutes', { metric: 'error_rate', op: 'above', value: 2, unit: '%', for: '5m' }],
    ['Error rate > 1% for 2 consecutive minutes', { metric: 'error_rate', op: 'above', value: 1, unit: '%', for: '2m' }],
    ['Response time > 2 seconds for 3 consecutive minutes', { metric: 'latency_p95', op: 'above', value: 2, unit: 'seconds', for: '3m' }],
    ['Memory usage > 85% for 5 minutes', { metric: 'memory', op: 'above', value: 85, unit: '%', for: '5m' }],
    ['Error rate > 5 in the last 10 minutes', { metric: 'error_rate', op: 'above', value: 5, unit: undefined, for: undefined }],
  ])('trigger: %s', (line, want) => expect(trigger(line)).toEqual(want));
});

describe('escalation levels and their times', () => {
  const cases: [string, { after: string; match: string } | undefined][] = [
    ['Level 1 (0-5 min): Automated alerts to #releases', { after: '0m', match: '(0-5 min)' }],
    ['Level 2 (5-15 min): Page on-call engineer', { after: '5m', match: '(5-15 min)' }],
    ['Level 3 (15+ min): Escalate to engineering leadership', { after: '15m', match: '(15+ min)' }],
    ['Level 1 (5 min)', { after: '5m', match: '(5 min)' }],
    ['Level 2 (after 15 minutes): page', { after: '15m', match: '(after 15 minutes)' }],
    ['L2 – 15m: page the on-call', { after: '15m', match: '– 15m' }],
    ['P1: 15 minutes', { after: '15m', match: ': 15 minutes' }],
    ['Nivel 1 (5 min): alerta', { after: '5m', match: '(5 min)' }],
    ['Nivel 2 (después de 15 minutos)', { after: '15m', match: '(después de 15 minutos)' }],
    ['Stufe 2 (nach 15 Minuten): Bereitschaft anrufen', { after: '15m', match: '(nach 15 Minuten)' }],
    ['Niveau 2 (après 15 minutes)', { after: '15m', match: '(après 15 minutes)' }],
    ['レベル2（15分）：オンコール呼び出し', { after: '15m', match: '（15分）' }],
    ['15分後: 責任者に連絡', { after: '15m', match: '15分後' }],
    ['15 min: page on-call', { after: '15m', match: '15 min' }],
    ['T+15m: escalate', { after: '15m', match: 'T+15m' }],
    ['After 30 minutes: call the VP', { after: '30m', match: 'After 30 minutes' }],
    ['After 10 minutes: page', { after: '10m', match: 'After 10 minutes' }],
    ['Tier 3 (1h): incident commander', { after: '1h', match: '(1h)' }],
    // a level with a number and no time: undefined, the caller reports it
    ['Level 2: page the on-call', undefined],
    ['L2 – escalate to SRE', undefined],
    ['P1: all hands', undefined],
    ['Stufe 3: Geschäftsführung', undefined],
    ['Self-service: use the scripts', undefined],
    ['Level 2 (after 3 alerts)', undefined],
  ];
  it.each(cases)('%s', (text, want) => expect(escalationAfter(text)).toEqual(want));
});

describe('the seed runbook\'s threshold list', () => {
  it('reads "< 500ms (Warning), < 1s (Critical)" as before', () => {
    expect(bandOf('< 500ms (Warning), < 1s (Critical)')).toEqual({ warn: 500, warnUnit: 'ms', critical: 1, criticalUnit: 's' });
    expect(bandOf('< 70% (Warning), < 85% (Critical)')).toEqual({ warn: 70, warnUnit: '%', critical: 85, criticalUnit: '%' });
  });
});

describe('threshold tables → bands', () => {
  it('| Metric | Warning | Critical |: values, units, windows in a cell, availability breached below', () => {
    const rows = [
      ['Error rate', '> 1%', '> 5%'],
      ['**p95 latency**', '< 500ms', '1s'],
      ['CPU', '2 %', '> 85% for 5 min'],
      ['Availability', '< 99.9%', '< 99%'],
      ['Queue depth', '-', '1000'],
    ];
    expect(tableBands(['Metric', 'Warning', 'Critical'], rows)).toEqual([
      { row: 0, subject: 'Error rate', band: { warn: 1, warnUnit: '%', critical: 5, criticalUnit: '%' } },
      { row: 1, subject: 'p95 latency', band: { warn: 500, warnUnit: 'ms', critical: 1, criticalUnit: 's' } },
      { row: 2, subject: 'CPU', band: { warn: 2, warnUnit: '%', critical: 85, criticalUnit: '%' }, window: '5m' },
      { row: 3, subject: 'Availability', band: { warn: 99.9, warnUnit: '%', critical: 99, criticalUnit: '%', direction: 'below' } },
      { row: 4, subject: 'Queue depth', band: { critical: 1000 } },
    ]);
  });
  it('| Metric | Healthy | Warning | Critical | and a Duration column', () => {
    expect(tableBands(['Metric', 'Healthy', 'Warning', 'Critical', 'Duration'], [['Response time', '< 300ms', '> 500ms', '> 1s', '5 min']])).toEqual([{ row: 0, subject: 'Response time', band: { warn: 500, warnUnit: 'ms', critical: 1, criticalUnit: 's' }, window: '5m' }]);
    // one value: which side is healthy says the direction
    expect(tableBands(['Metric', 'Healthy', 'Critical'], [['Success rate', '> 99.9%', '< 99%']])).toEqual([{ row: 0, subject: 'Success rate', band: { critical: 99, criticalUnit: '%', direction: 'below' } }]);
  });
  it('| Métrica | Advertencia | Crítico | and units in the header', () => {
    expect(tableBands(['Métrica', 'Advertencia', 'Crítico'], [['Tasa de error', 'mayor que 1%', '5%']])).toEqual([{ row: 0, subject: 'Tasa de error', band: { warn: 1, warnUnit: '%', critical: 5, criticalUnit: '%' } }]);
    expect(tableBands(['Metric', 'Warning (ms)', 'Critical (ms)'], [['Latency', '500', '1000']])).toEqual([{ row: 0, subject: 'Latency', band: { warn: 500, warnUnit: 'ms', critical: 1000, criticalUnit: 'ms' } }]);
  });
  it('| Signal | Threshold | Action |: alert is the warning value, page the critical one, rollback is a trigger', () => {
    expect(
      tableBands(
        ['Signal', 'Threshold', 'Action'],
        [
          ['Error rate', '> 1%', 'Alert #releases'],
          ['Error rate', '> 5%', 'Page on-call'],
          ['p99 latency', '> 2s', 'Roll back'],
          ['Disk', '> 80%', 'Look at it'],
        ],
      ),
    ).toEqual([
      { row: 0, subject: 'Error rate', band: { warn: 1, warnUnit: '%' } },
      { row: 1, subject: 'Error rate', band: { critical: 5, criticalUnit: '%' } },
      { row: 2, subject: 'p99 latency', reason: 'a rollback trigger ("Roll back"): see tableTriggers' },
      { row: 3, subject: 'Disk', reason: 'the action "Look at it" is neither a warning (alert, notify) nor critical (page, escalate)' },
    ]);
  });
  it('rows it cannot read say why; a table without levels is none', () => {
    const out = tableBands(
      ['Metric', 'Warning', 'Critical'],
      [
        ['Latency', 'baseline + 20%', '> 2s'],
        ['Errors', '', 'n/a'],
        ['CPU', '> 70% for 5 min', '> 90% for 2 min'],
      ],
    );
    expect(out).toEqual([
      { row: 0, subject: 'Latency', reason: 'could not read "baseline + 20%" (Warning): write it like "> 1%", "< 500ms" or "> 85% for 5 min"' },
      { row: 1, subject: 'Errors', reason: 'no warning or critical value' },
      { row: 2, subject: 'CPU', reason: 'different windows in one row (5m, 2m): one band has one window' },
    ]);
    expect(tableBands(['Service', 'Owner'], [['api', 'team-a']])).toBeUndefined();
  });
});

describe('rollback tables → triggers', () => {
  it('| Condition | Threshold | Duration | Action |: rollback rows are triggers, alert and page rows are not', () => {
    expect(
      tableTriggers(
        ['Condition', 'Threshold', 'Duration', 'Action'],
        [
          ['Error rate', '> 5%', '2 min', 'Rollback'],
          ['p95 latency', '> 800ms', '5m', 'Automatic roll back'],
          ['Error rate', '> 1%', '5 min', 'Alert'],
          ['Success rate', '< 99%', '', 'Page on-call'],
          ['CPU', '90%', '5m', 'Revert'],
          ['Memory', '> 90%', '', "Don't roll back, scale up"],
        ],
      ),
    ).toEqual([
      { row: 0, subject: 'Error rate', op: 'above', value: 5, unit: '%', window: '2m' },
      { row: 1, subject: 'p95 latency', op: 'above', value: 800, unit: 'ms', window: '5m' },
      { row: 2, subject: 'Error rate', reason: 'the action "Alert" does not roll back: not a trigger' },
      { row: 3, subject: 'Success rate', reason: 'the action "Page on-call" does not roll back: not a trigger' },
      { row: 4, subject: 'CPU', reason: '"90%" has no operator: write "> 90%" or "< 90%"' },
      { row: 5, subject: 'Memory', reason: 'the action "Don\'t roll back, scale up" does not roll back: not a trigger' },
    ]);
  });
  it('| Metric | Rollback when | For |: every row', () => {
    expect(
      tableTriggers(
        ['Metric', 'Rollback when', 'For'],
        [
          ['Error rate', '> 2%', '5m'],
          ['Availability', '< 99.5%', ''],
        ],
      ),
    ).toEqual([
      { row: 0, subject: 'Error rate', op: 'above', value: 2, unit: '%', window: '5m' },
      { row: 1, subject: 'Availability', op: 'below', value: 99.5, unit: '%' },
    ]);
  });
  it('Spanish and German actions; the whole condition in one cell', () => {
    expect(tableTriggers(['Condición', 'Umbral', 'Duración', 'Acción'], [['Tasa de error', '> 5%', '2 minutos', 'Rollback automático']])).toEqual([{ row: 0, subject: 'Tasa de error', op: 'above', value: 5, unit: '%', window: '2m' }]);
    expect(tableTriggers(['Bedingung', 'Aktion'], [['Fehlerrate über 5% für 2 Minuten', 'zurückrollen']])).toEqual([{ row: 0, subject: 'Fehlerrate', op: 'above', value: 5, unit: '%', window: '2m' }]);
    expect(tableTriggers(['Signal', 'Threshold', 'Action'], [['Error rate', '> 85% for 5 min', 'roll back']])).toEqual([{ row: 0, subject: 'Error rate', op: 'above', value: 85, unit: '%', window: '5m' }]);
    expect(tableTriggers(['Metric', 'Warning', 'Critical'], [['Error rate', '> 1%', '> 5%']])).toBeUndefined();
  });
  it('a Trigger column holds the condition; a negated rollback is none, a rollback after a condition is one', () => {
    expect(
      tableTriggers(
        ['Trigger', 'Action'],
        [
          ['p99 latency > 2s for 3 minutes', 'Roll back if not recovered'],
          ['Error rate > 1%', 'No rollback: page'],
          ['Error rate > 5%', 'kein Rollback'],
          ['Error rate > 9%', 'Page; if not resolved, roll back'],
        ],
      ),
    ).toEqual([
      { row: 0, subject: 'p99 latency', op: 'above', value: 2, unit: 's', window: '3m' },
      { row: 1, subject: 'Error rate', reason: 'the action "No rollback: page" does not roll back: not a trigger' },
      { row: 2, subject: 'Error rate', reason: 'the action "kein Rollback" does not roll back: not a trigger' },
      { row: 3, subject: 'Error rate', op: 'above', value: 9, unit: '%' },
    ]);
  });
});

describe('shell blocks through the one shell lexer', () => {
  it('cd, export and set -e are commands: nothing hoisted, nothing skipped', () => {
    const block = ['#!/bin/bash', 'set -euo pipefail', '# 1. Build', 'cd app', 'export STAGE=prod', 'make build \\', '  --release', '', 'if [ -f x ]; then', '  echo yes', 'fi'].join('\n');
    const { commands, skipped } = blockCommands(block, 'bash');
    expect(commands.map((c) => [c.index, c.col, c.title, c.text])).toEqual([
      [1, 0, undefined, 'set -euo pipefail'],
      [3, 0, 'Build', 'cd app'],
      [4, 0, undefined, 'export STAGE=prod'],
      [5, 0, undefined, 'make build \\\n  --release'],
      [8, 0, undefined, 'if [ -f x ]; then\n  echo yes\nfi'],
    ]);
    expect(skipped).toEqual([]);
  });
  it('a console block: the $ lines (and their > continuations) are commands, the rest is output', () => {
    const block = ['# Check the workers', '$ ./ops/ingest.sh status', 'workers: 0/4 running', '$ kubectl get pods \\', '> -n search', 'NAME   READY', '$'].join('\n');
    const { commands, skipped } = blockCommands(block, 'console');
    expect(commands.map((c) => [c.index, c.col, c.title, c.text])).toEqual([
      [1, 2, 'Check the workers', './ops/ingest.sh status'],
      [3, 2, undefined, 'kubectl get pods \\\n  -n search'],
    ]);
    expect(skipped).toEqual([
      { index: 2, text: 'workers: 0/4 running', why: 'output shown in a console block' },
      { index: 5, text: 'NAME   READY', why: 'output shown in a console block' },
    ]);
  });
  it('a console block with another prompt and no $ runs nothing: its > lines are output, never redirections', () => {
    expect(blockCommands('> Get-Process\nHandles  NPM(K)', 'console')).toEqual({
      commands: [],
      skipped: [
        { index: 0, text: '> Get-Process', why: 'output shown in a console block' },
        { index: 1, text: 'Handles  NPM(K)', why: 'output shown in a console block' },
      ],
    });
  });
  it('a console block without prompts is a script; a bash block keeps its $ lines as they are', () => {
    expect(blockCommands('npm test\nnpm run build', 'console')).toEqual({ commands: [{ text: 'npm test', index: 0, col: 0 }, { text: 'npm run build', index: 1, col: 0 }], skipped: [] });
    expect(blockCommands('cat <<EOF\n$ not a prompt\nEOF', 'bash').commands.map((c) => c.text)).toEqual(['cat <<EOF\n$ not a prompt\nEOF']);
  });
});

/**
 * Pieces of the runbook schema (schema.ts) used in many places: durations (with the message an
 * editor shows instead of the raw pattern), ids, and the JSON-Schema-only fragments that let the
 * published schema say what rules.ts checks (rules.ts keeps the located messages; the tests in
 * test/unit/schema-rules.test.ts keep the two in step, example by example).
 */
import { z } from 'zod';
import { DURATION_PATTERN, MAX_DURATION_MS, MAX_DURATION_TEXT, parseDuration } from './duration.js';

const DURATION_HELP = 'a whole number with a unit (ms, s, m, h), largest unit first — 500ms, 90s, 2m, 1h30m — or 0; at most 720h';

const durationText = z
  .string({ error: 'expected a duration like 90s, 2m or 1h30m' })
  .regex(DURATION_PATTERN, { error: (iss) => `bad duration ${JSON.stringify(iss.input)}: expected a duration like 90s, 2m or 1h30m` })
  .refine((text) => (parseDuration(text) ?? 0) <= MAX_DURATION_MS, { error: (iss) => `duration ${JSON.stringify(iss.input)} is too long: at most ${MAX_DURATION_TEXT}` })
  // editors (VS Code's YAML and JSON) show errorMessage instead of "does not match pattern ^(?:0|…"
  .meta({ errorMessage: `Expected a duration: ${DURATION_HELP}` });

/** A duration as written: text, or the number 0 (`for: 0`, as the docs write it), which reads as "0". */
export const duration = z
  .union([durationText, z.literal(0).transform(() => '0')], { error: 'expected a duration like 90s, 2m or 1h30m' })
  .meta({ description: `A duration: 500ms, 90s, 2m, 1h30m, or 0 (at most ${MAX_DURATION_TEXT})` });

/** JSON Schema only (validate says these in rules.ts, located): exactly one of two keys. */
export const exactlyOne = (a: string, b: string) => ({ oneOf: [{ required: [a] }, { required: [b] }] });
/** JSON Schema only: a step list without these kinds of step (rules.ts says why, located). */
export const withoutSteps = (...keys: string[]) => ({ allOf: [{ items: { not: { type: 'object', anyOf: keys.map((k) => ({ required: [k] })) } } }] });
export const ENV_NAME = '^[A-Za-z_][A-Za-z0-9_]*$';

export const id = z
  .string({ error: 'expected an id (letters, digits, - and _)' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, { error: (iss) => `bad id ${JSON.stringify(iss.input)}: use letters, digits, "-", "_" and "."` });

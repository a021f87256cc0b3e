/**
 * The runbook schema: the single source for validation (with located errors, see validate.ts),
 * for the TypeScript types (types.ts) and for the published JSON Schema (`cockpit schema`).
 * Cross-field rules (unknown metric names, duplicate ids, ramp order) live in rules.ts.
 */
import { z } from 'zod';
import { duration, ENV_NAME, exactlyOne, id, withoutSteps } from './schema-common.js';
import { TargetsSchema, TeamSchema } from './schema-team.js';
import { NotifyTargetSchema, SlackChannel, WebhookChannel } from './schema-notify.js';

export { NotifyTargetSchema };

export const RunSchema = z
  .union([z.string().min(1), z.array(z.string()).min(1)], {
    error: 'expected a command: a string, or a list of strings (argv, no shell)',
  })
  .meta({
    description:
      'A command. A list is argv (no shell). A string is split into argv when it has no shell syntax, else it runs under bash -c and placeholders reach it only as COCKPIT_* environment variables.',
  });

const envMap = z.record(z.string(), z.string(), { error: 'expected a map of environment variable names to strings' });

export const CommandStepSchema = z.strictObject({
  id: id.optional(),
  title: z.string().optional(),
  run: RunSchema,
  timeout: duration.optional().meta({ description: 'SIGTERM to the whole process group after this, SIGKILL after the grace period' }),
  retries: z.number().int().min(0).max(10).optional().meta({ description: 'Automatic retries before the step counts as failed' }),
  cwd: z.string().optional().meta({ description: "Where the command runs, relative to the runbook's directory (it must exist)" }),
  env: envMap.optional().meta({ description: 'Environment variables for the command' }),
});

export const MonitorStepSchema = z.strictObject({
  id: id.optional(),
  title: z.string().optional(),
  monitor: duration.meta({ description: 'A timed watch: the stage waits this long with the triggers armed' }),
});

export const FlagStepSchema = z.strictObject({
  id: id.optional(),
  title: z.string().optional(),
  flag: z.string().meta({ description: 'A ramped flag: this step sets it through the same guarded path as the + key' }),
  to: z.union([z.number().min(0).max(100), z.literal('next')], { error: 'expected a percentage (0–100) or "next"' }).meta({ description: 'The percentage to set, or "next": the next step of its ramp' }),
});

export const ManualStepSchema = z.strictObject({
  id: id.optional(),
  title: z.string().optional().meta({ description: 'The checklist line (default: the text, shortened)' }),
  manual: z.string({ error: 'expected what the operator does and ticks (a string)' }).regex(/\S/, { error: 'a manual step needs its text: what the operator does, then ticks' }).meta({
    description:
      'A manual step: the stage waits here until the operator ticks it (space on the screen; headless: --confirm "<title>" or --yes, else the stage fails at it). Not in a rollback: a rollback never waits for a tick',
  }),
});

const CommandOnlySchema = z.union([CommandStepSchema, z.string().min(1), z.array(z.string()).min(1)], { error: 'expected a command step: {run: …} or a command' });

export const ChoiceOptionSchema = z.strictObject({
  id: id.optional(),
  title: z.string({ error: 'expected a title (a string)' }),
  steps: z.array(CommandOnlySchema, { error: 'expected a list of steps' }).min(1, { error: 'an option needs at least one step' }),
});

export const ChooseStepSchema = z
  .strictObject({
    choose: z.strictObject({
      id: id.optional(),
      title: z.string({ error: 'expected a title (a string)' }),
      options: z.array(ChoiceOptionSchema, { error: 'expected a list of options' }).min(2, { error: 'a choice needs at least two options' }),
    }),
  })
  .meta({
    description:
      'Alternatives (never chained): the operator chooses one option, once (`--choose ID=OPTION`, the plan review on the screen, or `choices:`); until then nothing in this stage, or the rollback, runs',
  });

export const StepSchema = z.union([CommandStepSchema, MonitorStepSchema, FlagStepSchema, ManualStepSchema, ChooseStepSchema, z.string().min(1), z.array(z.string()).min(1)], {
  error: 'expected a step: {run: …}, {monitor: <duration>}, {flag: …, to: …}, {manual: …}, {choose: …} or a command',
});

export const InputSchema = z.strictObject({
  prompt: z.string().optional().meta({ description: 'What the screen asks for (default: the name)' }),
  description: z.string().optional(),
  pattern: z.string().optional().meta({ description: 'A regular expression the whole value must match' }),
});

export const CriterionSchema = z
  .strictObject({
    metric: z.string().meta({ description: 'A series under metrics.series' }),
    below: z.number().optional().meta({ description: 'Met when the latest sample is below this' }),
    above: z.number().optional().meta({ description: 'Met when the latest sample is above this' }),
  })
  .meta({ description: 'Checked against the latest samples at stage end: exactly one of below or above', ...exactlyOne('below', 'above') });

export const PreflightItemSchema = z.strictObject({
  id: id.optional(),
  title: z.string({ error: 'expected a title (a string)' }),
  run: RunSchema.optional().meta({ description: 'An automated check: passes when it exits 0' }),
  manual: z.string().optional().meta({ description: 'A manual item: the operator ticks it (its text says what to check)' }),
  timeout: duration.optional(),
  retries: z.number().int().min(0).max(10).optional(),
}).meta({ description: 'A pre-flight check: exactly one of run (automated) or manual (ticked)', ...exactlyOne('run', 'manual') });

export const StageSchema = z.strictObject({
  id,
  title: z.string().optional(),
  environment: z.string().optional().meta({ description: 'The environment this stage changes (shown in the rollback dialog)' }),
  budget: duration.optional().meta({ description: 'Time budget: shown as elapsed / budget, warns when over' }),
  confirm: z.enum(['press-r', 'type-name']).optional().meta({ description: 'How a rollback during this stage is confirmed' }),
  armed: z.boolean().optional().meta({ description: 'Whether rollback triggers are armed during this stage (default: production and later)' }),
  steps: z.array(StepSchema, { error: 'expected a list of steps' }).min(1, { error: 'a stage needs at least one step' }).meta({ description: 'What the stage runs, in order: commands, monitors, flag steps, manual steps, choices' }),
  criteria: z.array(CriterionSchema).optional().meta({ description: 'Success criteria, checked against the latest samples at stage end' }),
});

const band = z.number({ error: 'expected a number' });

export const SeriesSchema = z.strictObject({
  query: z.string().optional().meta({ description: 'PromQL (prometheus source)' }),
  pointer: z.string().optional().meta({ description: 'JSON pointer into the response (http-json source), starting with "/"', pattern: '^(?:/|$)' }),
  unit: z.string().optional().meta({ description: 'Shown after the value (ms, %, rps)' }),
  label: z.string().optional().meta({ description: 'The name shown (default: the series name)' }),
  warn: band.optional().meta({ description: 'The warn level (yellow)' }),
  critical: band.optional().meta({ description: 'The critical level (red)' }),
  direction: z.enum(['above', 'below']).optional().meta({ description: 'Whether warn/critical are breached above (default) or below' }),
  dropWarnPct: z.number().min(0).max(100).optional().meta({ description: 'Warns when the value drops this many percent below the baseline' }),
  riseWarnPct: z.number().min(0).optional().meta({ description: 'Warns when the value rises this many percent above the baseline' }),
  baselineSamples: z.number().int().min(1).optional().meta({ description: 'Samples averaged into the baseline by sources without history (http-json, command)' }),
});

export const MetricSourceSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('prometheus'), url: z.string().url({ error: 'expected a URL' }), headers: envMap.optional() }),
    z.strictObject({ type: z.literal('command'), run: RunSchema }),
    z.strictObject({ type: z.literal('http-json'), url: z.string().url({ error: 'expected a URL' }), headers: envMap.optional() }),
    z.strictObject({ type: z.literal('demo') }),
  ],
  { error: 'expected a metric source type: prometheus, command, http-json or demo' },
);

export const MetricsSchema = z.strictObject({
  interval: duration.optional().meta({ description: 'How often the series are read (default 5s)' }),
  timeout: duration.optional().meta({ description: 'How long one read may take (default: half the interval)' }),
  maxErrors: z.number().int().min(1).optional().meta({ description: "Consecutive missed samples before a trigger's onNoData applies (default 4)" }),
  baseline: duration.optional().meta({
    description:
      'The window before the release whose mean per series is the baseline of dropWarnPct/riseWarnPct (default 30m): a prometheus source reads it once with query_range when the session starts, so the first armed stage has one. Sources without history (http-json, command) take the mean of the last baselineSamples samples when each stage starts, and say so',
  }),
  holdLimit: duration.optional().meta({
    description:
      "How long a trigger with onNoData: hold may hold the release for lack of data (a monitor's countdown paused) before the stage fails, saying why (default 10m); then the failure policy applies",
  }),
  source: MetricSourceSchema.optional().meta({
    description:
      'Where the series come from. Without one the series, their bands, the criteria and the rollback triggers over them are kept but not armed (cockpit validate lists them; a run says auto-rollback is off)',
  }),
  series: z.record(z.string(), SeriesSchema).meta({ description: 'The series shown and watched, by name (the name triggers and criteria use)' }),
}).meta({
  // JSON Schema only (rules.ts says it, located): each series reads what its source needs
  allOf: [
    ['prometheus', 'query'],
    ['http-json', 'pointer'],
  ].map(([type, key]) => ({
    $comment: `With source type ${type}, every series needs a non-empty ${key}`,
    if: { required: ['source'], properties: { source: { required: ['type'], properties: { type: { const: type } } } } },
    then: { properties: { series: { additionalProperties: { required: [key], properties: { [key]: { minLength: 1 } } } } } },
  })),
});

export const ProbeSchema = z.strictObject({
  name: z.string().meta({ description: 'The name a probe trigger uses' }),
  url: z.string().url({ error: 'expected a URL' }),
  critical: z.boolean().optional().meta({ description: 'Watched by a trigger on probe "critical"' }),
  interval: duration.optional(),
  timeout: duration.optional(),
  method: z.enum(['GET', 'HEAD']).optional().meta({ description: 'The HTTP method (default GET)' }),
});

const noData = z.enum(['hold', 'rollback', 'ignore']).meta({
  description: 'After maxErrors missed samples: hold pauses monitors and auto ramps (up to metrics.holdLimit), rollback rolls back, ignore only shows NO DATA (default hold)',
});
const breachFor = duration.meta({ description: 'How long the breach must last before the trigger fires (0: on the first breaching sample)' });

export const MetricTriggerSchema = z.strictObject({
  id: id.optional(),
  metric: z.string().meta({ description: 'A series under metrics.series' }),
  above: z.number().optional().meta({ description: 'Fires when the metric is above this (exactly one of above or below)' }),
  below: z.number().optional().meta({ description: 'Fires when the metric is below this (exactly one of above or below)' }),
  for: breachFor.optional(),
  onNoData: noData.optional(),
  maxErrors: z.number().int().min(1).optional(),
  shadow: z.boolean().optional().meta({
    description:
      'A shadow trigger: evaluated like the others and journalled ("would have fired at …"), shown apart, but it never rolls back, never holds the release for lack of data and never refuses a ramp: the way to introduce a new guardrail',
  }),
}).meta(exactlyOne('above', 'below'));

export const ProbeTriggerSchema = z.strictObject({
  id: id.optional(),
  probe: z.string().meta({ description: 'A probe name, or "critical" for every critical probe' }),
  status: z.union([z.literal('5xx'), z.literal('4xx'), z.literal('error'), z.number().int()]).optional().meta({ description: 'Fires on this status: 5xx, 4xx, a status code, or error (no answer) (default 5xx)' }),
  latencyAbove: z.number().optional().meta({ description: 'Fires when the response takes longer than this many ms' }),
  for: breachFor.optional(),
  onNoData: noData.optional(),
  shadow: z.boolean().optional().meta({
    description:
      'A shadow trigger: evaluated like the others and journalled ("would have fired at …"), shown apart, but it never rolls back, never holds the release for lack of data and never refuses a ramp: the way to introduce a new guardrail',
  }),
});

export const TriggerSchema = z.union([MetricTriggerSchema, ProbeTriggerSchema], {
  error: 'expected a trigger: {metric, above|below, for} or {probe, status}',
});

export const RollbackSchema = z.strictObject({
  steps: z
    .array(StepSchema)
    .min(1, { error: 'rollback needs at least one step' })
    .meta({ description: 'What the rollback runs: commands and choices (no monitor, flag or manual step: a rollback never waits)', ...withoutSteps('monitor', 'flag', 'manual') }),
  verify: z
    .array(StepSchema)
    .optional()
    .meta({ description: 'Commands that verify the rollback (no monitor, flag, manual step or choice)', ...withoutSteps('monitor', 'flag', 'manual', 'choose') }),
  incident: RunSchema.optional().meta({ description: 'Runs after verify with the reason as {reason}' }),
  triggers: z.array(TriggerSchema).optional().meta({ description: 'Automatic rollback triggers over metrics and probes (armed in armed stages)' }),
  grace: duration.optional().meta({ description: 'Time between SIGTERM and SIGKILL when a running step is interrupted' }),
});

export const EscalationSchema = z.strictObject({
  after: duration.meta({ description: 'When this level acts, from the start of the incident (levels in order of after)' }),
  title: z.string().optional().meta({ description: 'What the level is; with neither run nor notify, a reminder shown (and journalled) at its time' }),
  run: RunSchema.optional(),
  notify: z
    .union([z.strictObject({ slack: SlackChannel }), z.strictObject({ webhook: WebhookChannel })], { error: 'expected {slack: {webhookEnv}} or {webhook: {url|urlEnv}}' })
    .optional()
    .meta({ description: 'A message at this level, with the reason and the decision record' }),
}).meta({
  description: 'An escalation level: it needs run, notify, or a title (a reminder)',
  anyOf: [{ required: ['run'] }, { required: ['notify'] }, { required: ['title'], properties: { title: { pattern: '\\S' } } }],
});

const percent = z.number({ error: 'expected a percentage' }).meta({ minimum: 0, maximum: 100 });
const rampSteps = z.array(percent).meta({ description: 'Percentages, ascending, each within 0–100', minItems: 1 });

export const RampSchema = z.union(
  [
    rampSteps,
    z.strictObject({
      steps: rampSteps,
      hold: duration.optional().meta({ description: 'How long each step holds before the next' }),
      auto: z.boolean().optional().meta({ description: 'Whether the ramp goes on by itself after each hold' }),
      rollbackTo: percent.optional().meta({ description: 'The percentage a rollback sets (default 0)' }),
    }),
  ],
  { error: 'expected a ramp: a list of percentages, or {steps, hold, auto, rollbackTo}' },
);

export const FlagProviderSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('command'), run: RunSchema, read: RunSchema.optional() }),
    z.strictObject({ type: z.literal('flagd'), file: z.string() }),
    z.strictObject({
      type: z.literal('unleash'),
      url: z.string().url({ error: 'expected a URL' }),
      project: z.string(),
      environment: z.string(),
      tokenEnv: z.string(),
      strategyId: z.string().optional(),
    }),
  ],
  { error: 'expected a flag provider type: command, flagd or unleash' },
);

export const FlagsSchema = z.strictObject({
  provider: FlagProviderSchema,
  ramps: z.record(z.string(), RampSchema),
  deploy: RunSchema.optional().meta({ description: 'Deploys the code with a flag off, before its ramp starts ({flag}): `d` on the Flags pane, `cockpit flag <name> --deploy`' }),
});

export const ExperimentSchema = z.strictObject({
  variants: z.array(z.string()).min(2, { error: 'an experiment needs at least two variants' }).meta({ description: 'The first variant is the control' }),
  metric: z.string().meta({ description: 'The conversion being compared (its name, for people)' }),
  minSample: z.number().int().min(1).optional().meta({ description: 'Exposures per variant before any verdict' }),
  flag: z.string().optional().meta({ description: 'A ramped flag that splits traffic: its percentage goes to the second variant' }),
  splits: z.array(z.number().min(0).max(100)).optional().meta({ description: 'Traffic splits offered by keypress, as the treatment percentage (default 10, 50, 90)' }),
  deploy: RunSchema.optional().meta({ description: 'Deploys both variants ({experiment})' }),
  conclude: RunSchema.optional().meta({ description: 'Concludes the experiment ({experiment} {winner} {decision})' }),
  brief: z.string().optional().meta({ description: 'A Markdown experiment brief: the decision is appended under its "Experiment Log" heading' }),
  source: MetricSourceSchema.optional().meta({ description: 'Where per-variant exposures and conversions come from (default: metrics.source)' }),
  exposures: z.string().optional().meta({ description: 'Per-variant query (PromQL) or JSON pointer, with {variant} and {experiment}; default /experiments/{experiment}/{variant}/exposures' }),
  conversions: z.string().optional().meta({ description: 'Like exposures; default /experiments/{experiment}/{variant}/conversions' }),
});

export const TroubleshootingSchema = z.strictObject({
  match: z.string().meta({ description: 'Matched (case-insensitive) against the failed step title, command and last output lines' }),
  title: z.string().optional(),
  hint: z.string().optional(),
  run: RunSchema.optional(),
  steps: z.array(StepSchema).optional().meta({ description: 'Several commands to offer, in order (no manual step: write it in hint)', ...withoutSteps('manual') }),
});

export const EmergencySchema = z
  .strictObject({
    title: z.string(),
    run: RunSchema.optional(),
    rollback: z.boolean().optional().meta({
      description:
        'This item is the rollback: Enter in the emergency reference (e) opens the rollback dialog (R) and the runbook\'s rollback runs, recorded as a rollback; its run is never run as an emergency action (without a rollback section, it is the rollback). Default: true when the title says "stop the bleeding" or starts with "roll back", or the program is a rollback-… script',
    }),
  })
  .refine((e) => e.run !== undefined || e.rollback === true, { error: 'an emergency item needs `run` (or `rollback: true`: the item is the rollback)' })
  .meta({ anyOf: [{ required: ['run'] }, { required: ['rollback'], properties: { rollback: { const: true } } }] });

export const RiskRegisterSchema = z
  .union(
    [
      z.strictObject({ file: z.string().min(1).meta({ description: 'Appends an entry on every rollback: YAML for .yml/.yaml, else Markdown (relative to the runbook)' }) }),
      z.strictObject({
        run: RunSchema.meta({ description: 'Runs on every rollback with {reason} {trigger} {outcome} {restore} {journal} {session} {version} (argv or COCKPIT_* variables, never a shell string)' }),
        timeout: duration.optional(),
      }),
    ],
    { error: 'expected a risk register: {file: path} or {run: command}' },
  )
  .meta({ description: "Where a rollback's risk-register entry goes (the seed's risk-incident-sync)" });

export const RunbookSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: z.string({ error: 'expected a name (a string)' }).meta({ description: 'The service or release name, shown on the screen and in history' }),
    version: z.string().optional().meta({ description: 'Version template: {git.describe} {git.sha} {date}' }),
    environment: z.string().optional(),
    preflight: z.array(PreflightItemSchema).optional().meta({ description: 'Checks before the first stage: automated (run) or ticked (manual)' }),
    stages: z.array(StageSchema, { error: 'expected a list of stages' }).min(1, { error: 'a runbook needs at least one stage' }).meta({ description: 'The release, stage by stage' }),
    metrics: MetricsSchema.optional().meta({ description: 'The series the cockpit shows and the triggers watch' }),
    probes: z.array(ProbeSchema).optional().meta({ description: 'HTTP probes the cockpit polls' }),
    rollback: RollbackSchema.optional().meta({ description: 'The rollback pipeline: steps, verify, incident, and the triggers that start it' }),
    escalation: z.array(EscalationSchema).optional().meta({ description: 'What happens as an incident goes on, level by level (in order of after)' }),
    notify: z
      .array(NotifyTargetSchema, { error: 'expected a list of notification targets' })
      .optional()
      .meta({ description: 'Who is told when a rollback starts, is verified or fails: Slack, a generic JSON webhook, PagerDuty' }),
    flags: FlagsSchema.optional().meta({ description: 'Feature flags ramped through a provider' }),
    experiments: z.record(z.string(), ExperimentSchema).optional().meta({ description: 'A/B experiments, by id' }),
    troubleshooting: z.array(TroubleshootingSchema).optional().meta({ description: 'Hints and commands offered when a step fails and matches' }),
    emergency: z.array(EmergencySchema).optional().meta({ description: 'The emergency reference (e on the screen)' }),
    secrets: z.array(z.string().meta({ pattern: ENV_NAME })).optional().meta({ description: 'Environment variable names whose values are masked everywhere' }),
    targets: TargetsSchema.optional(),
    riskRegister: RiskRegisterSchema.optional(),
    team: TeamSchema.optional(),
    inputs: z
      .record(z.string().regex(/^[a-z][a-z0-9_]*$/, { error: 'an input name is lower-case letters, digits and _' }), InputSchema)
      .optional()
      .meta({ description: 'Values the operator gives before the run (`--set NAME=VALUE`, or the screen asks): {input.NAME} in commands, COCKPIT_INPUT_NAME in their environment' }),
    choices: z
      .record(z.string(), z.union([z.string(), z.number().int().min(1)]))
      .optional()
      .meta({ description: 'Choices made in advance: a choice id → the option id or its number (1 is the first)' }),
  })
  .meta({
    title: 'cockpit runbook',
    description: 'A release runbook for cockpit',
    // JSON Schema only (rules.ts says it, located): a trigger on "critical" probes needs one, when there are probes
    $comment: 'A rollback trigger on probe "critical" needs a probe with critical: true, when there are probes',
    if: {
      required: ['rollback', 'probes'],
      properties: { probes: { minItems: 1 }, rollback: { required: ['triggers'], properties: { triggers: { contains: { type: 'object', required: ['probe'], properties: { probe: { const: 'critical' } } } } } } },
    },
    then: { properties: { probes: { contains: { required: ['critical'], properties: { critical: { const: true } } } } } },
  });

export type RawRunbook = z.infer<typeof RunbookSchema>;
export type RawStep = z.infer<typeof StepSchema>;
export type RawRun = z.infer<typeof RunSchema>;
export type RawMetricSource = z.infer<typeof MetricSourceSchema>;

/** The published JSON Schema (draft 2020-12). */
export function jsonSchema(): unknown {
  // io: 'input': what a runbook may write (a duration may be the number 0, read as "0")
  return z.toJSONSchema(RunbookSchema, { target: 'draft-2020-12', unrepresentable: 'any', io: 'input' });
}

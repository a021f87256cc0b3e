/** The typed Runbook every part of cockpit works on, whichever file form it came from. */
import type { Command } from './command.js';
import type { RawMetricSource, RawRunbook } from './schema.js';

/** One top-level command of a multi-command shell step (a Markdown ```bash block, a `run: |`). */
export type BlockCommand = {
  readonly text: string;
  /** 1-based line within the script where it starts. */
  readonly line: number;
  /** The `# comment` directly above it. */
  readonly title?: string;
};

export type CommandStep = {
  readonly kind: 'command';
  readonly id: string;
  readonly title: string;
  readonly command: Command;
  /** The command as the runbook wrote it, for display. */
  readonly display: string;
  readonly timeoutMs?: number;
  readonly retries: number;
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  /**
   * A shell script with 2+ top-level commands: they run as one script in one shell, each shown as
   * its own row (src/exec/block-script.ts). Absent for every other step.
   */
  readonly block?: { readonly commands: readonly BlockCommand[] };
};

export type MonitorStep = {
  readonly kind: 'monitor';
  readonly id: string;
  readonly title: string;
  readonly durationMs: number;
};

/** Sets a ramped flag through the guarded path (refused like the + key while a trigger is pending). */
export type FlagStep = {
  readonly kind: 'flag';
  readonly id: string;
  readonly title: string;
  readonly flag: string;
  readonly to: number | 'next';
};

/**
 * Something the operator does by hand ("Verify the canary dashboard", "Announce in #releases"): the
 * stage waits at it until it is ticked (space on the screen; headless: --confirm or --yes). Never in
 * a rollback: a rollback runs without waiting for anyone.
 */
export type ManualStep = {
  readonly kind: 'manual';
  readonly id: string;
  /** The checklist line: as written, else the text shortened. */
  readonly title: string;
  /** What to do, in full (the output pane shows it). */
  readonly text: string;
};

export type Step = CommandStep | MonitorStep | FlagStep | ManualStep;

export type PreflightItem = (Omit<CommandStep, 'kind'> & { readonly kind: 'auto' }) | ManualStep;

export type Criterion = { readonly metric: string; readonly below?: number; readonly above?: number };

export type Stage = {
  readonly id: string;
  readonly title: string;
  readonly environment: string;
  readonly budgetMs?: number;
  readonly confirm: 'press-r' | 'type-name';
  readonly armed: boolean;
  readonly steps: readonly Step[];
  readonly criteria: readonly Criterion[];
};

export type Trigger =
  | {
      readonly kind: 'metric';
      readonly id: string;
      readonly metric: string;
      readonly op: 'above' | 'below';
      readonly threshold: number;
      readonly forMs: number;
      readonly onNoData: 'hold' | 'rollback' | 'ignore';
      readonly maxErrors: number;
    }
  | {
      readonly kind: 'probe';
      readonly id: string;
      readonly probe: string;
      readonly status?: '5xx' | '4xx' | 'error' | number;
      readonly latencyAbove?: number;
      readonly forMs: number;
      readonly onNoData: 'hold' | 'rollback' | 'ignore';
    };

export type Rollback = {
  readonly steps: readonly CommandStep[];
  readonly verify: readonly CommandStep[];
  readonly incident?: CommandStep;
  readonly triggers: readonly Trigger[];
  /**
   * `shadow: true` triggers: evaluated like the triggers and journalled (trigger.shadow-fired), shown
   * apart; they never roll back, never hold the release and never refuse a ramp (kept out of
   * `triggers` so that nothing that acts on a trigger can act on one).
   */
  readonly shadows?: readonly Trigger[];
  readonly graceMs: number;
};

/** When a notification target is told: the rollback started, verify passed, the rollback failed. */
export type NotifyOn = 'rollback' | 'verified' | 'failed';

/**
 * Where a notification goes (src/guard/notify-*.ts). Secrets (webhook URLs, routing keys) come from
 * environment variables, named here; a generic webhook may give its URL as written.
 */
export type NotifyChannel =
  | { readonly kind: 'slack'; readonly webhookEnv: string }
  | { readonly kind: 'webhook'; readonly urlEnv?: string; readonly url?: string }
  | {
      readonly kind: 'pagerduty';
      readonly routingKeyEnv: string;
      /** Events API v2 endpoint (default https://events.pagerduty.com/v2/enqueue). */
      readonly url: string;
      readonly severity: 'critical' | 'error' | 'warning' | 'info';
    };

/** A top-level `notify:` target: a channel and the rollback events it is told of. */
export type NotifyTarget = NotifyChannel & { readonly on: readonly NotifyOn[] };

export type EscalationLevel = {
  readonly level: number;
  readonly afterMs: number;
  readonly title: string;
  readonly run?: CommandStep;
  readonly notify?: Extract<NotifyChannel, { kind: 'slack' | 'webhook' }>;
};

export type Troubleshooting = {
  readonly match: string;
  readonly title: string;
  readonly hint?: string;
  readonly steps: readonly CommandStep[];
};

export type Frequency = 'daily' | 'weekly' | 'monthly' | 'yearly';

/** DORA targets (`targets:`): spans in ms, rates as fractions (0.15 for 15 %). */
export type Targets = {
  readonly deploymentFrequency?: Frequency;
  readonly leadTimeMs?: number;
  readonly changeFailureRate?: number;
  readonly timeToRestoreMs?: number;
  readonly rollbackRate?: number;
};

/** Where a rollback's risk-register entry goes: a file to append to, or a command to run. */
export type RiskRegister = { readonly kind: 'file'; readonly file: string } | { readonly kind: 'run'; readonly step: CommandStep };

/** A value the runbook needs from the operator before it runs (`<commit-hash>`, `{{VERSION}}` in a Markdown runbook): `{input.NAME}` in commands, COCKPIT_INPUT_NAME in their environment. */
export type Input = {
  readonly name: string;
  /** How the runbook wrote it (`<commit-hash>`): what the screen asks for. */
  readonly prompt: string;
  readonly description?: string;
  /** A regular expression the value must match (anchored), when the runbook gives one. */
  readonly pattern?: string;
};

/** One alternative of a choice: the steps it runs when chosen. */
export type ChoiceOption = { readonly id: string; readonly title: string; readonly steps: readonly CommandStep[] };

/**
 * Alternatives the runbook offers ("Option 1 … Option 3", "Method 1: helm rollback / Method 2: …"):
 * never chained. The operator chooses one, once (`--choose ID=OPTION`, the plan review on the
 * screen, or `choices:` in the runbook); until then nothing in its stage (or the rollback) can run.
 */
export type Choice = {
  readonly id: string;
  readonly title: string;
  /** Where it sits: a stage's id, or 'rollback'. */
  readonly where: string;
  readonly options: readonly ChoiceOption[];
  /** The chosen option's id, when chosen. */
  readonly chosen?: string;
  /**
   * Where it sits in its list (the stage's steps, or the rollback's steps): how many steps come
   * before it there. The chosen option's steps are in the list from this index.
   */
  readonly at?: number;
};

export type Runbook = {
  /** Absolute path of the file it was loaded from. */
  readonly file: string;
  /**
   * Directory steps run in, and relative paths resolve from: the runbook's directory, or for a
   * Markdown runbook inside a git repository the repository root (run-dir.ts).
   */
  readonly dir: string;
  /** The runbook's own directory, where its .cockpit/ lives, when steps run elsewhere (dir is a repository root). */
  readonly home?: string;
  readonly name: string;
  readonly versionTemplate: string;
  readonly environment: string;
  readonly preflight: readonly PreflightItem[];
  readonly stages: readonly Stage[];
  readonly rollback?: Rollback;
  readonly escalation: readonly EscalationLevel[];
  /** Who is told when a rollback starts, is verified or fails (`notify:`). */
  readonly notify: readonly NotifyTarget[];
  readonly troubleshooting: readonly Troubleshooting[];
  /** The emergency reference's runnable actions (an item that is the rollback is not one: see emergencyRollback). */
  readonly emergency: readonly CommandStep[];
  /**
   * The emergency item that is the rollback ("Stop the bleeding"): the `e` reference opens the R
   * dialog for it, never runs its script beside the release (a rollback nobody would record).
   */
  readonly emergencyRollback?: { readonly title: string; readonly display?: string };
  readonly secrets: readonly string[];
  /** Sections the guardrails and flags layers read (validated, durations still as written). Metrics only with a source: without one nothing is watched (see unarmed). */
  readonly metrics?: NonNullable<RawRunbook['metrics']> & { readonly source: RawMetricSource };
  readonly probes: NonNullable<RawRunbook['probes']>;
  readonly flags?: RawRunbook['flags'];
  readonly experiments: NonNullable<RawRunbook['experiments']>;
  readonly targets?: Targets;
  readonly riskRegister?: RiskRegister;
  /** The team's git remote: the environment's lease and holds live there (team/git-lease.ts). */
  readonly team?: { readonly remote: string; readonly leaseMs: number };
  /**
   * Rollback triggers the runbook writes but the run cannot watch (no metrics source, or no probe for
   * a critical-probe trigger), in words ("error_rate > 1 % for 2m"); left out of rollback.triggers.
   * The same for a Markdown runbook and the cockpit.yml imported from it (armed.ts).
   */
  readonly unarmed?: readonly string[];
  /** Values the operator must give before the run (Input); their values, once given, in inputValues. */
  readonly inputs: readonly Input[];
  readonly inputValues: Readonly<Record<string, string>>;
  /** Alternatives the runbook offers: each must be chosen before the run starts (unresolvedChoices). */
  readonly choices: readonly Choice[];
};

/**
 * One plan of every command a runbook can run: the pre-flight checks, the stages' steps, the
 * rollback, escalation, emergency actions, troubleshooting scripts, the flags' set and deploy
 * commands, the experiments' deploy and conclude. The program check at the start of a session and
 * `--dry-run` both read this list, so what the dry run shows is what the session checks and runs.
 */
import { channelLabel } from '../runbook/notify.js';
import { EMERGENCY, ESCALATION, EXPERIMENT, FLAG, PREFLIGHT, ROLLBACK } from '../core/events.js';
import { commandStep } from '../runbook/normalize.js';
import type { PlaceholderValues } from '../runbook/placeholders.js';
import type { CommandStep, Runbook } from '../runbook/types.js';
import { rollbackSteps } from './reduce.js';

/** A section of the plan, in the order the dry run prints them. */
export type PlanSection = {
  readonly title: string;
  readonly items: readonly PlanItem[];
  /** The stage's id, for a stage's section. */
  readonly stage?: string;
};

export type PlanItem =
  | {
      readonly kind: 'command';
      /** The (pseudo-)stage it runs in: its {stage} value and its log file's prefix. */
      readonly stage: string;
      readonly step: CommandStep;
      /** Placeholder values it gets beyond the session's (<...> where only the run knows them). */
      readonly given: PlaceholderValues;
      /** A step the session state tracks (its missing program is marked on it when the session opens). */
      readonly tracked: boolean;
    }
  | { readonly kind: 'note'; readonly id: string; readonly text: string };

const cmd = (stage: string, step: CommandStep, given: PlaceholderValues = {}, tracked = false): PlanItem => ({ kind: 'command', stage, step, given, tracked });
const note = (id: string, text: string): PlanItem => ({ kind: 'note', id, text });

export function commandPlan(rb: Runbook): PlanSection[] {
  const sections: PlanSection[] = [];
  if (rb.preflight.length)
    sections.push({
      title: 'pre-flight',
      items: rb.preflight.map((p) => (p.kind === 'manual' ? note(p.id, `manual: ${p.title}${p.text ? ` (${p.text})` : ''}`) : cmd(PREFLIGHT, { ...p, kind: 'command' }, {}, true))),
    });
  for (const st of rb.stages)
    sections.push({
      title: `stage ${st.id}: ${st.title}`,
      stage: st.id,
      items: st.steps.map((s) =>
        s.kind === 'monitor'
          ? note(s.id, `monitor ${s.durationMs / 1000}s`)
          : s.kind === 'flag'
            ? note(s.id, `flag ${s.flag} → ${s.to === 'next' ? 'next step' : `${s.to} %`} (through the flag provider, guarded)`)
            : s.kind === 'manual'
              ? note(s.id, `manual: ${s.text.replace(/\s+/g, ' ')}`)
              : cmd(st.id, s, {}, true),
      ),
    });
  if (rb.rollback) sections.push({ title: 'rollback', items: rollbackSteps(rb).map((s) => cmd(ROLLBACK, s, { reason: '<reason>' }, true)) });
  // everything else the runbook can run, when asked or when it fires
  if (rb.escalation.length)
    sections.push({
      title: 'escalation',
      items: rb.escalation.map((e) => {
        const id = `level ${e.level} (after ${e.afterMs / 60_000} min)`;
        if (e.run) return cmd(ESCALATION, { ...e.run, id }, { level: String(e.level), reason: '<reason>' });
        return note(id, e.notify ? (e.notify.kind === 'slack' ? `Slack webhook from $${e.notify.webhookEnv}` : channelLabel(e.notify)) : `reminder: ${e.title}`);
      }),
    });
  if (rb.notify.length) sections.push({ title: 'notifications', items: rb.notify.map((t, i) => note(`${i + 1}`, `${channelLabel(t)} on ${t.on.join(', ')}`)) });
  const er = rb.emergencyRollback;
  // the item that is the rollback opens the R dialog: the rollback section above runs, its own script never does
  const erNote = er ? [note('rollback', `"${er.title}": the rollback (opens the R dialog)${er.display && !rb.rollback?.steps.some((s) => s.display === er.display) ? `; ${er.display} is not run` : ''}`)] : [];
  if (rb.emergency.length || er) sections.push({ title: 'emergency (the e overlay)', items: [...erNote, ...rb.emergency.map((s) => cmd(EMERGENCY, s, {}, true))] });
  // suggested to the operator when a step fails, run by hand where the release runs
  if (rb.troubleshooting.length)
    sections.push({ title: 'troubleshooting (offered when a step fails)', items: rb.troubleshooting.flatMap((t) => t.steps.map((s) => cmd(EMERGENCY, { ...s, id: `${t.title}: ${s.id}` }))) });
  const fl = rb.flags;
  if (fl) {
    const items: PlanItem[] = [];
    for (const flag of Object.keys(fl.ramps)) {
      const p = fl.provider;
      if (p.type === 'command') items.push(cmd(FLAG, commandStep(p.run, { id: `${flag} set` }), { flag, percent: '<percent>' }));
      else items.push(note(`${flag} set`, `through ${p.type === 'flagd' ? `the flagd file ${p.file}` : `Unleash at ${p.url}`}`));
      if (fl.deploy !== undefined) items.push(cmd(FLAG, commandStep(fl.deploy, { id: `${flag} deploy (flag off)` }), { flag }));
    }
    sections.push({ title: 'flags', items });
  }
  const reg = rb.riskRegister;
  if (reg?.kind === 'run')
    sections.push({ title: 'risk register (after every rollback)', items: [cmd(ROLLBACK, reg.step, { trigger: '<trigger>', outcome: '<outcome>', restore: '<restore ms>', journal: '<journal>' })] });
  else if (reg) sections.push({ title: `risk register: an entry appended to ${reg.file} after every rollback`, items: [] });
  for (const [id, ex] of Object.entries(rb.experiments)) {
    const items: PlanItem[] = [];
    if (ex.deploy !== undefined) items.push(cmd(EXPERIMENT, commandStep(ex.deploy, { id: 'deploy' }), { experiment: id }));
    if (ex.conclude !== undefined) items.push(cmd(EXPERIMENT, commandStep(ex.conclude, { id: 'conclude' }), { experiment: id, winner: '<winner>', decision: '<decision>' }));
    if (items.length) sections.push({ title: `experiment ${id}`, items });
  }
  return sections;
}

/** The plan's commands, flat. */
export function planCommands(rb: Runbook): Extract<PlanItem, { kind: 'command' }>[] {
  return commandPlan(rb).flatMap((s) => s.items.filter((i): i is Extract<PlanItem, { kind: 'command' }> => i.kind === 'command'));
}

/**
 * Side actions: commands that run beside the release in their own pseudo-stage (an emergency
 * quick-reference action, an experiment's deploy or conclude, a flag's deploy), journalled like
 * any step.
 */
import { join } from 'node:path';
import { EMERGENCY, EXPERIMENT, FLAG } from '../core/events.js';
import type { Decision } from '../flags/experiment.js';
import { commandStep } from '../runbook/normalize.js';
import type { Engine } from './engine.js';
import * as intents from './intents.js';
import { OK, refuse, type IntentResult } from './intents.js';

/** Runs an emergency quick-reference action (health check, incident alert…), beside whatever runs. */
export function runEmergency(x: Engine, id: string): IntentResult {
  const why = intents.emergencyRefusal(x.s, x.o.runbook, id);
  if (why) return refuse(why);
  const step = x.o.runbook.emergency.find((e) => e.id === id)!;
  x.begin();
  const attempt = (x.s.emergency.find((e) => e.id === id)?.attempt ?? 0) + 1;
  void x.steps.runCommand(EMERGENCY, step, attempt, {}, false);
  return OK;
}

/** Runs an experiment's deploy-variants command (pseudo-stage `experiment`, beside what runs). */
export function deployExperiment(x: Engine, id: string): IntentResult {
  const ex = x.o.runbook.experiments[id];
  if (!ex) return refuse(`no experiment "${id}"`);
  if (ex.deploy === undefined) return refuse(`experiment ${id} has no deploy command`);
  x.begin();
  void x.steps.runCommand(EXPERIMENT, commandStep(ex.deploy, { id: `${id}-deploy`, title: `deploy ${id} variants` }), 1, { experiment: id }, false);
  return OK;
}

/**
 * Runs the flags' deploy command for one flag (the code with the flag off, before its ramp), in
 * the pseudo-stage `flag`, beside what runs. Resolves when it has ended: ok, or why not.
 */
export async function deployFlag(x: Engine, flag: string): Promise<IntentResult> {
  const flags = x.o.runbook.flags;
  if (!flags || !(flag in flags.ramps)) return refuse(`no flag "${flag}"`);
  if (flags.deploy === undefined) return refuse('the runbook has no flag deploy command (flags.deploy)');
  const id = `${flag}-deploy`;
  if (x.deploying.has(id)) return refuse(`the deploy of ${flag} is already running`);
  x.begin();
  x.deploying.add(id);
  let reason: string | undefined;
  const off = x.log.feed.subscribe((_s, e) => {
    if (e.type === 'step.finished' && e.stage === FLAG && e.step === id) reason = e.reason;
  });
  try {
    const ok = await x.steps.runCommand(FLAG, commandStep(flags.deploy, { id, title: `deploy ${flag} (flag off)` }), 1, { flag }, false);
    return ok ? OK : refuse(`the deploy of ${flag} failed: ${reason ?? 'failed'} (log: ${join(x.o.sessionDir, `${FLAG}.${id}.log`)})`);
  } finally {
    off();
    x.deploying.delete(id);
  }
}

/**
 * Concludes an experiment: the conclude command runs with {winner} and {decision}, the decision
 * and its figures go to the journal and the brief's "Experiment Log".
 */
export async function concludeExperiment(x: Engine, id: string, winner: string, decision: Decision): Promise<IntentResult> {
  const ex = x.o.runbook.experiments[id];
  if (!ex) return refuse(`no experiment "${id}"`);
  if (winner !== 'none' && !ex.variants.includes(winner)) return refuse(`"${winner}" is not a variant of ${id} (${ex.variants.join(', ')})`);
  x.begin();
  const figures = (await x.experiments?.figures(id)) ?? x.s.experiments[id]?.figures;
  if (ex.conclude !== undefined) {
    const ok = await x.steps.runCommand(EXPERIMENT, commandStep(ex.conclude, { id: `${id}-conclude`, title: `conclude ${id}` }), 1, { experiment: id, winner, decision }, false);
    if (!ok) return refuse(`the conclude command failed: nothing recorded (see its log)`);
  }
  const brief = x.experiments?.record(id, winner, decision, figures);
  return brief?.startsWith('could not') ? refuse(brief) : OK;
}

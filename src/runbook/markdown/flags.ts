/** Feature-flag and A/B-test blocks → the flag provider, its ramps and the experiments. */
import type { Section } from '../markdown-tree.js';
import { quotedWords } from '../markdown-lines.js';
import { RAMP_LADDER, type Cmd, type Obj } from './model.js';
import { argValue } from './helpers.js';
import { MapState } from './state.js';

/** `./scripts/enable-feature-flag.sh --feature=new-feature --percentage=5` → the provider and a ramp. */
export function flagBlock(m: MapState, cmds: Cmd[], s: Section): void {
  for (const c of cmds) {
    const words = quotedWords(c.run)?.map((w) => w.word);
    const flag = words ? argValue(words, ['feature', 'flag', 'feature-flag', 'name']) : undefined;
    const pct = words ? argValue(words, ['percentage', 'percent', 'pct', 'rollout', 'to']) : undefined;
    if (words && flag && pct && /^\d+(\.\d+)?$/.test(pct.value)) {
      const run = words.map((w, i) => (i === flag.index ? flag.replace('{flag}') : i === pct.index ? pct.replace('{percent}') : w)).filter((w, i) => !(flag.valueIndex === i || pct.valueIndex === i));
      const start = Number(pct.value);
      if (m.provider === undefined) {
        m.provider = m.pos.mark({ type: 'command', run }, c.offset);
        m.note(c.line, `flag provider: ${JSON.stringify(run)} (from ${flag.name}=${flag.value}, ${pct.name}=${pct.value})`, ['flags', 'provider']);
      }
      if (!m.ramps[flag.value]) {
        const ramp = [start, ...RAMP_LADDER.filter((p) => p > start)];
        m.ramps[flag.value] = ramp;
        m.pos.mark(ramp, c.offset);
        m.note(c.line, `flag ${flag.value}: ramp ${JSON.stringify(ramp)} (${start} % from the Markdown; ${ramp.slice(1).join(', ')} are cockpit's usual steps)`, ['flags', 'ramps', flag.value]);
      }
      continue;
    }
    if (/monitor|watch/i.test(c.run) || /monitor|watch/i.test(c.title ?? ''))
      m.skip(c.line, `\`${c.run}\``, 'watching a ramp is what cockpit does: the Flags pane and the guardrails follow the flag and hold the ramp when a trigger is pending', 'elsewhere');
    else if (words && flag && !pct && /deploy|release|ship|install/i.test(`${words.filter((_, i) => i !== flag.index && i !== flag.valueIndex).join(' ')} ${c.title ?? ''}`) && m.flagDeploy === undefined) {
      // the code goes out with the flag off: one template for every flag ({flag})
      const run = words.map((w, i) => (i === flag.index ? flag.replace('{flag}') : w)).filter((_, i) => i !== flag.valueIndex);
      m.flagDeploy = { run, line: c.line, offset: c.offset, text: `\`${c.run}\`` };
    } else
      m.skip(c.line, `\`${c.run}\``, `a deploy for flag releases (${c.title ?? s.title}): cockpit ramps flags through the provider and has no flag deploy; make it a step of a stage if your release uses it`, 'no-place');
  }
}

/** `./scripts/deploy-ab-test.sh --experiment=checkout-flow-v2` and friends → an experiment. */
export function experimentBlock(m: MapState, cmds: Cmd[], s: Section): void {
  for (const c of cmds) {
    const words = quotedWords(c.run)?.map((w) => w.word);
    const ex = words ? argValue(words, ['experiment', 'exp', 'test']) : undefined;
    if (!words || !ex) {
      m.skip(c.line, `\`${c.run}\``, `a command in ${s.title} that names no --experiment: not mapped`, 'no-place');
      continue;
    }
    let e = m.experiments[ex.value];
    if (!e) {
      e = m.pos.mark({ variants: ['control', 'treatment'] } as Obj, c.offset);
      m.experiments[ex.value] = e;
    }
    const metricArg = argValue(words, ['metric', 'goal']);
    if (metricArg && e.metric === undefined) e.metric = metricArg.value;
    const variants = argValue(words, ['variants']);
    if (variants) e.variants = variants.value.split(',').map((v) => v.trim()).filter(Boolean);
    const run = words.map((w, i) => (i === ex.index ? ex.replace('{experiment}') : w)).filter((_, i) => i !== ex.valueIndex);
    const what = `${words.filter((_, i) => i !== ex.index && i !== ex.valueIndex).join(' ')} ${c.title ?? ''}`.toLowerCase();
    if (/monitor|watch|status/.test(what))
      m.skip(c.line, `\`${c.run}\``, `cockpit shows the experiment itself (the Flags pane, \`cockpit experiment ${ex.value}\`): rates, lift and p-value from the metrics source`, 'elsewhere');
    else if (/conclude|decision|decide|finish|\bstop\b|\bend\b|winner/.test(what) && e.conclude === undefined) e.conclude = run;
    else if (/deploy|start|launch|create/.test(what) && e.deploy === undefined) e.deploy = run;
    else m.skip(c.line, `\`${c.run}\``, 'an experiment command that is neither a deploy nor a conclusion', 'no-place');
  }
}

// ── the runbook ──────────────────────────────────────────────────────────────────────────

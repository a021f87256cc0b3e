/** The spare supervisor (`--standby`): waits for its step on stdin (see supervisor.ts). */
import { readNoFollow } from '../../core/safe-open.js';
import { HANDOVER_ENV, type Handover, type SupervisorSpec } from '../spec.js';

/** What the runner hands a spare: the spec's path, its environment, the hand-over. */
type Message = { spec: string; env: Record<string, string>; handover?: Handover };

/** Waits for one line on stdin, then calls `run` with its step; stdin closing first ends the spare. */
export function standby(run: (spec: SupervisorSpec, handover: Handover) => void): void {
  let input = '';
  const stdin = process.stdin;
  stdin.setEncoding('utf8');
  const onEnd = () => process.exit(0);
  const onData = (d: string) => {
    input += d;
    const nl = input.indexOf('\n');
    if (nl < 0) return;
    stdin.off('data', onData);
    stdin.off('end', onEnd);
    stdin.destroy();
    const { spec, handover } = takeOver(JSON.parse(input.slice(0, nl)) as Message);
    run(spec, handover);
  };
  stdin.on('data', onData);
  stdin.on('end', onEnd);
  process.stdout.write('ready\n');
}

function takeOver(msg: Message): { spec: SupervisorSpec; handover: Handover } {
  // the cockpit's environment now, exactly: what a supervisor started now would inherit
  for (const k of Object.keys(process.env)) if (!(k in msg.env)) delete process.env[k];
  Object.assign(process.env, msg.env);
  const handover = msg.handover ?? {};
  const spec = handover.spec ?? (JSON.parse(readNoFollow(msg.spec)) as SupervisorSpec);
  try {
    process.chdir(spec.cwd); // where a cold supervisor starts (the step gets spec.cwd either way)
  } catch {
    /* the spawn reports a bad cwd */
  }
  return { spec, handover };
}

/** A cold supervisor's step: its spec file, or the hand-over (spec.ts) taken out of the environment before the step sees it. */
export function coldStep(specPath: string): { spec: SupervisorSpec; handover: Handover } {
  const text = process.env[HANDOVER_ENV];
  delete process.env[HANDOVER_ENV];
  const handover = text ? (JSON.parse(text) as Handover) : {};
  return { spec: handover.spec ?? (JSON.parse(readNoFollow(specPath)) as SupervisorSpec), handover };
}

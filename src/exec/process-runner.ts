/** The real runner: every step in its own supervisor process and process group (supervisor.ts). */
import { lstatSync } from 'node:fs';
import { unsafeAmong } from '../core/safe-open.js';
import { attachStep } from './attach-step.js';
import { distFile } from './dist-file.js';
import { checkCwd, checkProgram } from './program.js';
import type { AttachRequest, Runner, StepHandle, StepRequest } from './step-types.js';
import { SparePool } from './spare-pool.js';
import { stepFiles } from './spec.js';
import { prepareStep } from './step-spec.js';
import { failedBeforeStart } from './step-status.js';
import { SupervisedStep } from './supervised-step.js';

export function supervisorPath(): string {
  const found = distFile('supervisor.js', import.meta.url);
  if (!found) throw new Error('the step supervisor (dist/supervisor.js) is missing: run "npm run build"');
  return found;
}

export class ProcessRunner implements Runner {
  /** Its spare supervisors (spare-pool.ts), booted ahead of the steps that take them. */
  private readonly spares: SparePool;

  constructor(private readonly supervisor = supervisorPath()) {
    this.spares = new SparePool(supervisor);
  }

  attach(req: AttachRequest): StepHandle {
    return attachStep(req, () => this.spares.noteFlood());
  }

  close(): void {
    this.spares.close();
  }

  programProblem(program: string | undefined, cwd: string): string | undefined {
    return program ? checkProgram(program, cwd) : checkCwd(cwd);
  }

  start(req: StepRequest): StepHandle {
    // a symlink planted among the step's files (safe-open.ts): the step does not start, by name
    const unsafe = unsafeAmong(stepFiles(req.logPath));
    if (unsafe) return failedBeforeStart(req, unsafe, false);
    const problem = checkProgram(req.invocation.file, req.cwd, { ...process.env, ...req.env });
    if (problem) return failedBeforeStart(req, problem);
    const files = prepareStep(req);
    if ('refused' in files) return failedBeforeStart(req, files.refused, false);
    // a retried step appends to the same log: follow only what this attempt writes
    const offset = lstatSync(req.logPath).size;
    const spare = this.spares.take(req.key);
    return new SupervisedStep({ supervisor: this.supervisor, req, files, offset, spare, onFlood: () => this.spares.noteFlood() }).handle();
  }
}

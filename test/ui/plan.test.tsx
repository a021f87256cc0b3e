/** The plan review and the input form on the screen: exact text after keypresses. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRunbook } from '../../src/runbook/load.js';
import { parseMarkdownRunbook } from '../../src/runbook/markdown.js';
import { InputForm } from '../../src/ui/plan/InputForm.js';
import { PlanReview } from '../../src/ui/plan/PlanReview.js';
import { plain, waitFor, waitForText } from '../helpers/ink.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/plan/release.md', import.meta.url));
const ESC = '\u001B';

function fixture() {
  const r = parseMarkdownRunbook(readFileSync(FIXTURE, 'utf8'), FIXTURE, 'release.md');
  if (!r.ok) throw new Error('fixture does not load');
  return { rb: r.runbook, hash: r.report.hash };
}

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

const UNCERTAIN = [{ line: 12, text: 'the rollback is a choice between three methods' }];

function review(size: { columns: number; rows: number }) {
  const { rb, hash } = fixture();
  const done: (Readonly<Record<string, string>> | undefined)[] = [];
  const r = render(<PlanReview runbook={rb} display="release.md" hash={hash} uncertain={UNCERTAIN} whole onDone={(v) => done.push(v)} size={size} />);
  cleanup = r.unmount;
  return { ...r, done };
}

describe('the plan review', () => {
  it('shows the plan at 80×24: uncertain mappings marked, the choice, stages, rollback and inputs', async () => {
    const r = review({ columns: 80, rows: 24 });
    const f = await waitForText(r.lastFrame, 'Plan review');
    expect(f.split('\n').map((l) => l.trimEnd())).toEqual([
      ' Plan review · plan-app · release.md · sha256 5d4715306a2c',
      ' Nothing runs until you accept this plan (once per version of the document).',
      ' ⚠ Look at these: cockpit is not sure of 1 mapping',
      '   ⚠ line 12: the rollback is a choice between three methods',
      ' Choices (Tab to one, then its number)',
      ' ▶ ◇ Rollback method (rollback-method, the rollback) NOT MADE',
      '      ○ 1 helm rollback: echo helm rollback web',
      '      ○ 2 kubectl rollout undo: echo kubectl rollout undo deployment/web',
      '      ○ 3 blue-green switch: echo switch to blue',
      ' Stages',
      '   ▸ Deploy to Staging (staging)',
      '     Deploy the commit: echo "deploying {input.commit_hash} to staging"',
      '   ▸ Deploy to Production (production)',
      '     Deploy to production: echo "deploying to production"',
      ' On an automatic rollback',
      '   no triggers: a rollback starts only with R',
      '   ◇ choice: Rollback method NOT MADE',
      ' Inputs (asked before every run)',
      '   commit_hash <commit-hash> (the commit to deploy, pattern [0-9a-f]{7,40})',
      '',
      '',
      '',
      '',
      ' ↑↓ PgUp/PgDn scroll  Tab choice  1–9 pick  a accept  q quit',
    ]);
  });

  it('refuses to accept until the choice is made, then accepts with the option picked', async () => {
    const r = review({ columns: 160, rows: 48 });
    await waitForText(r.lastFrame, 'NOT MADE');
    r.stdin.write('a');
    await waitForText(r.lastFrame, 'cannot accept yet: choose "Rollback method" first (Tab to it, then 1–3)');
    expect(r.done).toEqual([]);
    r.stdin.write('2');
    const f = await waitForText(r.lastFrame, '→ kubectl rollout undo');
    expect(f).toContain('      ● 2 kubectl rollout undo: echo kubectl rollout undo deployment/web');
    expect(f).toContain('   ◇ choice: Rollback method → kubectl rollout undo');
    expect(f).not.toContain('cannot accept yet');
    r.stdin.write('a');
    await waitFor(() => r.done.length === 1, 'the review to end');
    expect(r.done).toEqual([{ 'rollback-method': 'option-2' }]);
  });

  it('scrolls on a small screen and q leaves without accepting', async () => {
    const r = review({ columns: 80, rows: 10 });
    const top = await waitForText(r.lastFrame, 'lines 1–6 of 17');
    expect(top).toContain(' ⚠ Look at these');
    r.stdin.write(`${ESC}[B`);
    const down = await waitForText(r.lastFrame, 'lines 2–7 of 17');
    expect(down).not.toContain(' ⚠ Look at these');
    r.stdin.write(`${ESC}[6~`);
    await waitForText(r.lastFrame, 'lines 7–12 of 17');
    r.stdin.write('q');
    await waitFor(() => r.done.length === 1, 'the review to end');
    expect(r.done).toEqual([undefined]);
  });
});

describe('the input form', () => {
  it('asks for each input, refuses empty and off-pattern values with the reason, shows typed text sanitised', async () => {
    const { rb } = fixture();
    const done: (Readonly<Record<string, string>> | undefined)[] = [];
    const r = render(<InputForm title="Inputs · plan-app · release.md" inputs={rb.inputs} onDone={(v) => done.push(v)} size={{ columns: 80, rows: 24 }} />);
    cleanup = r.unmount;
    const f = await waitForText(r.lastFrame, '<commit-hash> > █');
    expect(f.split('\n').map((l) => l.trimEnd())).toEqual([
      ' Inputs · plan-app · release.md',
      ' The run needs a value: asked every run, passed to commands as {input.NAME} and…',
      '',
      ' ▶ commit_hash <commit-hash>',
      '',
      ' the commit to deploy',
      ' must match [0-9a-f]{7,40}',
      ' <commit-hash> > █',
      '',
      ' Enter confirm  Backspace erase  Esc quit (nothing runs)   1 of 1',
    ]);
    r.stdin.write('\r');
    await waitForText(r.lastFrame, '✗ a value is needed (empty is not a value)');
    r.stdin.write('xyz\u0007');
    await waitForText(r.lastFrame, '<commit-hash> > xyz█');
    r.stdin.write('\r');
    await waitForText(r.lastFrame, '✗ the value does not match [0-9a-f]{7,40}');
    for (const left of ['xy', 'x', '']) {
      r.stdin.write('\u007f');
      await waitForText(r.lastFrame, `<commit-hash> > ${left}█`);
    }
    r.stdin.write('abc1234');
    await waitForText(r.lastFrame, '<commit-hash> > abc1234█');
    r.stdin.write('\r');
    await waitFor(() => done.length === 1, 'the form to end');
    expect(done).toEqual([{ commit_hash: 'abc1234' }]);
    expect(plain(r.lastFrame())).not.toContain('✗');
  });

  it('Esc leaves without values', async () => {
    const { rb } = fixture();
    const done: (Readonly<Record<string, string>> | undefined)[] = [];
    const r = render(<InputForm title="Inputs" inputs={rb.inputs} onDone={(v) => done.push(v)} size={{ columns: 80, rows: 24 }} />);
    cleanup = r.unmount;
    await waitForText(r.lastFrame, '> █');
    r.stdin.write(ESC);
    await waitFor(() => done.length === 1, 'the form to end');
    expect(done).toEqual([undefined]);
  });
});

describe('the plan review shows a choice where it sits', () => {
  const yaml = (chosen: string) => `
name: order-app
${chosen}stages:
  - id: deploy
    steps:
      - ./build.sh
      - choose:
          id: how
          title: Deploy method
          options:
            - { title: canary, steps: ["echo canary 10"] }
            - { title: all at once, steps: ["echo all"] }
      - ./smoke.sh
rollback:
  steps:
    - ./current-version.sh
    - choose:
        id: rollback-method
        title: Rollback method
        options:
          - { title: helm rollback, steps: ["echo helm rollback", "echo helm status"] }
          - { title: kubectl rollout undo, steps: ["echo kubectl rollout undo"] }
    - ./tell-the-team.sh
  verify: ["./verify.sh"]
`;
  const lines = async (text: string) => {
    const parsed = parseRunbook(text, '/srv/app/cockpit.yml');
    if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
    const r = render(<PlanReview runbook={parsed.runbook} display="cockpit.yml" hash={"0".repeat(64)} uncertain={[]} whole onDone={() => {}} size={{ columns: 100, rows: 40 }} />);
    cleanup = r.unmount;
    const f = await waitForText(r.lastFrame, 'On an automatic rollback');
    return f.split('\n').map((l) => l.trimEnd());
  };
  /** From " Stages" on, without the blank rows and the hint bar. */
  const body = (all: string[]) => all.slice(all.indexOf(' Stages')).filter((l) => l !== '' && !l.startsWith(' ↑↓'));

  it('between the steps before and after it, in a stage and in the rollback (verify after them all)', async () => {
    expect(body(await lines(yaml('')))).toEqual([
      ' Stages',
      '   ▸ deploy (deploy)',
      '     build: ./build.sh',
      '     ◇ choice: Deploy method NOT MADE',
      '     smoke: ./smoke.sh',
      ' On an automatic rollback',
      '   no triggers: a rollback starts only with R',
      '   runs: current-version: ./current-version.sh',
      '   ◇ choice: Rollback method NOT MADE',
      '   runs: tell-the-team: ./tell-the-team.sh',
      '   verify: verify: ./verify.sh',
    ]);
  });

  it('an option chosen beforehand is its choice line, not steps repeated', async () => {
    expect(body(await lines(yaml('choices: { how: 1, rollback-method: 1 }\n')))).toEqual([
      ' Stages',
      '   ▸ deploy (deploy)',
      '     build: ./build.sh',
      '     ◇ choice: Deploy method → canary',
      '     smoke: ./smoke.sh',
      ' On an automatic rollback',
      '   no triggers: a rollback starts only with R',
      '   runs: current-version: ./current-version.sh',
      '   ◇ choice: Rollback method → helm rollback',
      '   runs: tell-the-team: ./tell-the-team.sh',
      '   verify: verify: ./verify.sh',
    ]);
  });
});

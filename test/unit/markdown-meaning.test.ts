/**
 * A team's own Markdown runbook: what it means runs, what it doesn't never does. One small document
 * per pattern seen in real runbooks (test/fixtures/wild has the real ones).
 */
import { describe, expect, it } from 'vitest';
import { parseMarkdownRunbook } from '../../src/runbook/markdown.js';
import { normalize } from '../../src/runbook/normalize.js';
import type { RawRunbook } from '../../src/runbook/schema.js';

const FILE = '/nonexistent/release.md';

function load(text: string) {
  const r = parseMarkdownRunbook(text, FILE, 'release.md');
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.line}: ${e.message}`).join('\n'));
  return r;
}

type AnyStep = string | string[] | { run?: string | string[]; manual?: string; title?: string; choose?: { title: string; options: { title: string; steps: unknown[] }[] } };

function steps(raw: RawRunbook, stage = 0): AnyStep[] {
  return raw.stages[stage].steps as AnyStep[];
}

function runs(list: readonly AnyStep[] | undefined): string[] {
  return (list ?? []).flatMap((s) => (typeof s === 'string' ? [s] : Array.isArray(s) ? [s.join(' ')] : s.run !== undefined ? [Array.isArray(s.run) ? s.run.join(' ') : s.run] : []));
}

function manuals(list: readonly AnyStep[]): string[] {
  return list.flatMap((s) => (typeof s === 'object' && !Array.isArray(s) && s.manual !== undefined ? [s.manual] : []));
}

const fence = (body: string) => '```bash\n' + body + '\n```';

describe('a section is judged by its own heading, never by the H1 alone', () => {
  it('"# Rollback Runbook" does not make its deploy a rollback', () => {
    const r = load(`# Rollback Runbook\n\n## Deploy the release\n\n${fence('./scripts/deploy.sh')}\n\n## Roll back\n\n${fence('./scripts/rollback.sh')}\n`);
    expect(runs(steps(r.raw!))).toEqual(['./scripts/deploy.sh']);
    expect(runs(r.raw!.rollback?.steps as AnyStep[])).toEqual(['./scripts/rollback.sh']);
  });

  it('German, Spanish and Japanese headings: pre-flight, a release stage and a rollback', () => {
    const r = load(
      `# Veröffentlichung\n\n## Voraussetzungen\n\n- [ ] Tests grün\n\n## Despliegue\n\n${fence('./scripts/deploy.sh')}\n\n## ロールバック\n\n${fence('./scripts/rollback.sh')}\n`,
    );
    expect(r.raw!.preflight).toEqual([{ title: 'Tests grün', manual: 'Tests grün' }]);
    expect(runs(steps(r.raw!))).toEqual(['./scripts/deploy.sh']);
    expect(runs(r.raw!.rollback?.steps as AnyStep[])).toEqual(['./scripts/rollback.sh']);
  });

  it('stage ids from headings in another script are readable (numbered), never empty', () => {
    const r = load(`# リリース\n\n## デプロイ手順\n\n### ビルド\n\n${fence('./a.sh')}\n\n### 本番反映\n\n${fence('./b.sh')}\n`);
    expect(r.raw!.stages.map((s) => s.id)).toEqual(['stage-1', 'stage-2']);
  });
});

describe('checklists become checklist items in the right place', () => {
  const doc = `# Release\n\n## Pre-Deployment Checklist\n\n- [ ] CI green\n- [ ] Change approved\n\n## Deploy to production\n\n${fence('./scripts/deploy.sh')}\n\n- [ ] Check the canary dashboard\n\n## Smoke Tests\n\n- [ ] Log in works\n- [ ] Checkout works\n`;
  it('before the first stage: pre-flight; inside a stage: its manual steps; after: a stage of its own', () => {
    const r = load(doc);
    expect(r.raw!.preflight?.map((p) => p.title)).toEqual(['CI green', 'Change approved']);
    expect(runs(steps(r.raw!, 0))).toEqual(['./scripts/deploy.sh']);
    expect(manuals(steps(r.raw!, 0))).toEqual(['Check the canary dashboard']);
    expect(manuals(steps(r.raw!, 1))).toEqual(['Log in works', 'Checkout works']);
  });

  it('a checklist with no commands at all loads as an all-manual release', () => {
    const r = load('# Release checklist\n\n- [ ] Bump the version\n- [ ] Write the changelog\n- [ ] Announce it\n');
    expect(r.raw!.stages).toHaveLength(1);
    expect(manuals(steps(r.raw!))).toEqual(['Bump the version', 'Write the changelog', 'Announce it']);
    expect(runs(steps(r.raw!))).toEqual([]);
  });

  it('a document with neither commands nor checklists is refused at line 1 with the fix', () => {
    const r = parseMarkdownRunbook('# Notes\n\nWe deploy on Tuesdays.\n', FILE, 'release.md');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatchObject({ line: 1, message: expect.stringMatching(/^no release stages found: /) });
  });
});

describe('alternatives are a choice, never a chain', () => {
  const doc = `# Release\n\n## Deploy\n\n${fence('./scripts/deploy.sh')}\n\n## Rollback\n\n### Method 1: helm rollback\n\n${fence('helm rollback web 0')}\n\n### Method 2: kubectl rollout undo\n\n${fence('kubectl rollout undo deploy/web')}\n\n## Automatic rollback triggers\n\n- Error rate > 1% for 2 minutes\n`;
  it('the rollback is one choice of two options; nothing of it runs until one is chosen, and it arms no trigger', () => {
    const r = load(doc);
    const rb = r.raw!.rollback!.steps as AnyStep[];
    expect(rb).toHaveLength(1);
    const choose = (rb[0] as { choose: { options: { title: string; steps: unknown[] }[] } }).choose;
    expect(choose.options.map((o) => [o.title, o.steps])).toEqual([
      ['Method 1: helm rollback', ['helm rollback web 0']],
      ['Method 2: kubectl rollout undo', ['kubectl rollout undo deploy/web']],
    ]);
    expect(r.runbook!.rollback?.steps).toEqual([]);
    expect(r.runbook!.rollback?.triggers).toEqual([]);
    expect(r.report.uncertain.map((u) => u.text)).toContainEqual(expect.stringMatching(/^2 alternatives for the rollback/));
    expect(r.report.mapped.map((x) => x.what)).toContain('choice to make before a run (Rollback)');
  });

  it('chosen (--choose rollback-choice=2), the rollback is that option alone', () => {
    const r = load(doc);
    const rb = normalize(r.raw!, FILE, { choices: { 'rollback-choice': '2' } }).rollback!;
    expect(rb.steps.map((s) => s.display)).toEqual(['kubectl rollout undo deploy/web']);
  });

  it('"# Option 1" / "# Or" comments inside one block: the block is for a person', () => {
    const r = load(`# Release\n\n## Deploy\n\n${fence('# Option 1: helm\nhelm upgrade web ./chart\n# Option 2: kubectl\nkubectl apply -f k8s/')}\n`);
    expect(runs(steps(r.raw!))).toEqual([]);
    expect(manuals(steps(r.raw!))[0]).toMatch(/alternatives/);
  });

  it('a command reference ("Useful commands") is never steps', () => {
    const r = load(`# Release\n\n## Deploy\n\n${fence('./scripts/deploy.sh')}\n\n## Useful commands\n\n${fence('kubectl rollout undo deploy/web\nkubectl delete pod web-0')}\n`);
    expect(runs(steps(r.raw!))).toEqual(['./scripts/deploy.sh']);
    expect(r.raw!.rollback).toBeUndefined();
    expect(r.report.unmapped.map((u) => u.why)).toContainEqual(expect.stringMatching(/command reference/));
  });
});

describe('a fenced block is one shell', () => {
  it('PREV=$(…) then ./rollback.sh $PREV: one script, the variable carried', () => {
    const r = load(`# Release\n\n## Deploy\n\n${fence('PREV=$(./get-previous-version.sh)\n./deploy.sh "$PREV"')}\n`);
    expect(runs(steps(r.raw!))).toEqual(['PREV=$(./get-previous-version.sh)\n./deploy.sh "$PREV"']);
  });

  it('source venv/bin/activate is part of the script, never a program', () => {
    const r = load(`# Release\n\n## Build\n\n${fence('source venv/bin/activate\npython -m build')}\n`);
    expect(runs(steps(r.raw!))).toEqual(['source venv/bin/activate\npython -m build']);
  });

  it('lines after `ssh host` were written for that host: never run here', () => {
    const r = load(`# Release\n\n## Deploy\n\n${fence('ssh deploy@prod-1\ncd /srv/app\n./restart.sh')}\n\n## Verify\n\n${fence('./check.sh')}\n`);
    expect(r.raw!.stages.flatMap((_, i) => runs(steps(r.raw!, i)))).toEqual([]);
    expect(manuals(steps(r.raw!))[0]).toMatch(/ssh deploy@prod-1/);
  });
});

describe('only what is meant runs', () => {
  it('inline code in a sentence is never a step; a checklist item naming a command is', () => {
    const r = load('# Release\n\n## Deploy\n\nThe apply job executes `run_terraform_apply.sh --auto-approve` in CI.\n\n- [ ] Deploy: `cap production deploy`\n');
    expect(runs(steps(r.raw!))).toEqual(['cap production deploy']);
  });

  it('placeholders become declared inputs; the command runs only with them', () => {
    const r = load(`# Release\n\n## Release\n\n${fence('git tag vX.Y.Z\ngit revert <commit-hash>')}\n`);
    expect(runs(steps(r.raw!))).toEqual(['git tag {input.version}', 'git revert {input.commit_hash}']);
    expect(r.raw!.inputs).toEqual({ version: { prompt: 'vX.Y.Z' }, commit_hash: { prompt: '<commit-hash>' } });
    expect(r.runbook!.inputs.map((i) => i.name)).toEqual(['version', 'commit_hash']);
    expect(r.report.mapped.map((x) => x.what)).toContain('inputs asked for before a run (version, commit_hash)');
  });

  it('a placeholder in the command position ({{BACKUP_COMMAND}}) is for a person', () => {
    const r = load(`# Release\n\n## Backup\n\n${fence('{{BACKUP_COMMAND}}')}\n`);
    expect(runs(steps(r.raw!))).toEqual([]);
  });

  it.each([
    ['kubectl get pods -w', /never ends/],
    ['kubectl logs -f deploy/web', /never ends/],
    ['tail -f /var/log/app.log', /never ends/],
    ['watch kubectl get pods', /repeats/],
    ['kubectl edit deploy/web', /editor/],
    ['heroku run bash', /interactive console/],
    ['ansible-playbook site.yml --ask-vault-pass', /password/],
  ])('`%s` becomes a manual step, reported with its line', (cmd, why) => {
    const r = load(`# Release\n\n## Deploy\n\n${fence(`./deploy.sh\n${cmd}`)}\n`);
    expect(runs(steps(r.raw!))).toEqual(['./deploy.sh']);
    expect(manuals(steps(r.raw!))[0]).toMatch(why);
    expect(r.report.unmapped.find((u) => u.kind === 'unreadable')?.line).toBe(7);
  });

  it('SQL in a bash fence is never run', () => {
    const r = load(`# Release\n\n## Migrate\n\n${fence("SELECT count(*) FROM users;\nUPDATE users SET active = false WHERE id = 1;")}\n`);
    expect(runs(steps(r.raw!))).toEqual([]);
    expect(manuals(steps(r.raw!))[0]).toMatch(/SQL, not shell/);
  });
});

describe('foreign front matter', () => {
  it("a GitHub issue template's keys are warnings, not errors", () => {
    const r = load('---\nname: Release checklist\nabout: Steps to release\ntitle: Release vX\nlabels: release\n---\n# Release\n\n- [ ] Tag it\n');
    expect(r.report.unmapped.filter((u) => u.kind === 'unsupported').map((u) => u.what)).toEqual(['front matter "about"', 'front matter "title"', 'front matter "labels"']);
    expect(r.raw!.name).toBe('Release checklist');
  });

  it('a near-miss of a runbook key is still an error at its line', () => {
    const r = parseMarkdownRunbook('---\nmetrcs: {}\n---\n# Release\n\n- [ ] Tag it\n', FILE, 'release.md');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0].message).toMatch(/metrcs/);
  });
});

describe('found driving the corpus', () => {
  it('a step that reads a variable an earlier block set is for a person (it would run with it empty)', () => {
    const r = load(`# Release\n\n## Set up\n\n${fence('MAJOR=1 MINOR=2')}\n\n## Tag\n\n${fence('git tag v$MAJOR.$MINOR')}\n`);
    expect(r.raw!.stages.flatMap((_, i) => runs(steps(r.raw!, i)))).toEqual(['MAJOR=1 MINOR=2']);
    expect(manuals(steps(r.raw!, 1))[0]).toMatch(/reads \$MAJOR, \$MINOR, set by the block at line 6/);
  });

  it('a URL path or a file to edit in a checklist item is not a command', () => {
    const r = load('# Release\n\n## Verify\n\n- [ ] Health checks passing (`/healthz`, `/readyz`)\n- [ ] Add an entry to `doc/_static/version_switch.js`\n- [ ] Run `./scripts/smoke.sh`\n');
    expect(runs(steps(r.raw!))).toEqual(['./scripts/smoke.sh']);
    expect(manuals(steps(r.raw!))).toHaveLength(2);
  });

  it('"Option C: Emergency Git Revert" stays an option of its rollback choice', () => {
    const r = load(`# Runbook\n\n## Deploy\n\n${fence('./deploy.sh')}\n\n## Rollback\n\n### Option A: Kubernetes\n\n${fence('kubectl rollout undo deploy/web')}\n\n### Option B: Helm\n\n${fence('helm rollback web')}\n\n### Option C: Emergency Git Revert\n\n${fence('git revert -m 1 HEAD')}\n`);
    const choose = (r.raw!.rollback!.steps[0] as { choose: { options: { title: string }[] } }).choose;
    expect(choose.options.map((o) => o.title)).toEqual(['Option A: Kubernetes', 'Option B: Helm', 'Option C: Emergency Git Revert']);
    expect(r.raw!.emergency).toBeUndefined();
  });

  it('bold pseudo-headings over checklists (no headings at all) are stages; sub-items are steps of their own', () => {
    const r = load('**Before release**:\n- [ ] Check CI\n  - [ ] Legacy tests pass\n\n**Release**:\n- [ ] Publish the release\n\n**After release**:\n- [ ] Announce it\n');
    expect(r.raw!.preflight?.map((p) => p.title)).toEqual(['Check CI', 'Legacy tests pass']);
    expect(r.raw!.stages.map((s) => [s.title, manuals(s.steps as AnyStep[])])).toEqual([
      ['Release', ['Publish the release']],
      ['After release', ['Announce it']],
    ]);
  });
});

describe('documents that are not a release', () => {
  it('an exercise ("Übung", "Tutorial", "Lab 3") is refused, even when it has commands', () => {
    const r = parseMarkdownRunbook(`## Übung: Deployment mit Rollback\n\n### Schritt 1: Deployment starten\n\n${fence('kubectl apply -f app.yaml')}\n`, FILE, 'release.md');
    expect(r.ok).toBe(false);
  });

  it('a rollback-only document runs its procedure as the release, said and marked for review', () => {
    const r = load(`# Cloud Run Rollback\n\n## Roll back\n\n${fence('gcloud run services update-traffic web --to-revisions=PREV=100')}\n`);
    expect(r.raw!.stages.map((s) => [s.id, runs(s.steps as AnyStep[])])).toEqual([['rollback', ['gcloud run services update-traffic web --to-revisions=PREV=100']]]);
    expect(r.raw!.rollback).toBeUndefined();
    expect(r.report.uncertain.map((u) => u.text)).toContainEqual(expect.stringMatching(/rollback-only document/));
  });
});

describe('guardrails keep their words', () => {
  it('a threshold table gives bands, a rollback-condition table gives triggers with their windows', () => {
    const r = load(
      `# Release\n\n## Deploy\n\n${fence('./deploy.sh')}\n\n## Rollback\n\n${fence('./rollback.sh')}\n\n## Alert thresholds\n\n| Metric | Warning | Critical |\n|---|---|---|\n| Error rate | > 1% | > 5% |\n| P95 latency | > 500ms | > 1s |\n\n## Rollback triggers\n\n| Condition | Threshold | Duration | Action |\n|---|---|---|---|\n| Error rate | > 5% | 2 min | Rollback |\n| CPU | > 90% | 10 min | Page on-call |\n`,
    );
    expect(r.raw!.metrics?.series).toMatchObject({ error_rate: { unit: '%', warn: 1, critical: 5 }, latency_p95: { unit: 'ms', warn: 500, critical: 1000 } });
    expect(r.raw!.rollback?.triggers).toEqual([{ metric: 'error_rate', above: 5, for: '2m' }]);
    // a row whose action pages someone is a critical band, not a trigger
    expect(r.raw!.metrics?.series?.cpu).toMatchObject({ critical: 90 });
  });

  it('windows in every phrasing: "for 2+ minutes", "sustained for 3 minutes", "over 5 minutes"', () => {
    const r = load(`# Release\n\n## Deploy\n\n${fence('./deploy.sh')}\n\n## Rollback\n\n${fence('./rollback.sh')}\n\n## Automatic rollback triggers\n\n- Error rate > 5% for 2+ minutes\n- p99 latency over 800ms sustained for 3 minutes\n- Error rate > 2% over 5 minutes\n`);
    expect(r.raw!.rollback?.triggers).toEqual([
      { metric: 'error_rate', above: 5, for: '2m' },
      { metric: 'latency_p99', above: 800, for: '3m' },
      { metric: 'error_rate', above: 2, for: '5m' },
    ]);
  });
});

describe('an item that says not to run a command', () => {
  it('"Do not run `kubectl delete ns prod`" is never a step, nor an offered action', () => {
    const r = load(
      `# Release\n\n## Deploy\n\n1. Run \`./scripts/deploy.sh\`\n2. Do not run \`kubectl delete ns prod\` while traffic is live\n3. Never use \`helm uninstall web\` here\n\n## Troubleshooting\n\n- Don't run \`kubectl delete pods --all\`: restart one pod at a time\n`,
    );
    expect(runs(steps(r.raw!))).toEqual(['./scripts/deploy.sh']);
    // the warning stays for the operator to read, as a manual step with its words
    expect(manuals(steps(r.raw!))).toEqual(['Do not run kubectl delete ns prod while traffic is live', 'Never use helm uninstall web here']);
    expect(r.raw!.troubleshooting).toBeUndefined();
    expect(r.report.unmapped.filter((u) => /says not to run it/.test(u.why)).map((u) => u.line)).toEqual([6, 7, 11]);
  });
});

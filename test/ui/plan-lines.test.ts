/** The plan review's lines: everything that runs is in the plan, the pre-flight's automated checks included. */
import { describe, expect, it } from 'vitest';
import { parseMarkdownRunbook } from '../../src/runbook/markdown.js';
import { reviewLines } from '../../src/ui/plan/review-lines.js';

describe('the plan review lists', () => {
  it("the pre-flight: an automated check's command, a manual item to tick", () => {
    const text = '# Release\n\n## Pre-flight\n\n- [ ] Tests pass: `./scripts/verify-tests.sh`\n- [ ] Team aware\n\n## Deploy\n\n```bash\n./scripts/deploy.sh\n```\n';
    const r = parseMarkdownRunbook(text, '/nonexistent/release.md', 'release.md');
    if (!r.ok) throw new Error(r.errors[0].message);
    const lines = reviewLines(r.runbook, { picks: {}, uncertain: [], whole: true }).map((l) => l.text);
    expect(lines.slice(0, 3)).toEqual(['Pre-flight', '    check: Tests pass: ./scripts/verify-tests.sh', '    ☐ Team aware']);
    expect(lines).toContain('Stages');
  });
});

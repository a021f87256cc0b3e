/**
 * A dialog is one row per line whatever it is given: a multi-line shell block in the rollback list
 * (a Markdown runbook's `curl -X POST … -d '{` … `}'`, as in the wild corpus' 01-labels-lab-rollback)
 * shows as its first line and `…`, and a newline that reaches the box never breaks its border.
 */
import { Box } from 'ink';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { commandLine } from '../../src/ui/overlays/RollbackDialog.js';
import { Dialog } from '../../src/ui/overlays/Dialog.js';
import { loadTheme } from '../../src/ui/theme.js';
import { ThemeContext } from '../../src/ui/theme-context.js';
import { plain } from '../helpers/ink.js';

describe('a dialog line with a newline in it', () => {
  it('the rollback list names a multi-line command by its first line', () => {
    expect(commandLine(`curl -X POST $SLACK_WEBHOOK -d '{\n  "text": "done"\n}'`)).toBe(`curl -X POST $SLACK_WEBHOOK -d '{ …`);
    expect(commandLine('./scripts/rollback.sh')).toBe('./scripts/rollback.sh');
  });

  it('never breaks the box: every row of the box starts and ends with its border', () => {
    const app = render(
      <ThemeContext.Provider value={loadTheme('default', { env: {} })}>
        <Box width={80} height={24}>
          <Dialog title="ROLLBACK" lines={['Runs, in order:', `  1. Update Slack  (curl -X POST $SLACK_WEBHOOK -d '{\n  "text": "done"\n}')`, '  2. verify']} screenWidth={80} screenHeight={24} width={76} />
        </Box>
      </ThemeContext.Provider>,
    );
    const rows = plain(app.lastFrame())
      .split('\n')
      .filter((l) => l.trim() !== '');
    app.unmount();
    // the long line is wrapped inside the box (issue 20: wrapped, not cut off), never across its border
    expect(rows).toHaveLength(6);
    for (const row of rows.slice(1, -1)) expect(row.trim()).toMatch(/^│ .* │$/);
    const text = rows.slice(1, -1).map((r) => r.trim().slice(2, -2).trim()).join(' ');
    expect(text).toContain(`1. Update Slack (curl -X POST $SLACK_WEBHOOK -d '{ "text": "done" }') 2. verify`);
  });
});

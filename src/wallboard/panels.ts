/**
 * The widgets of one layout (header, a line chart per series, stages, triggers, incident + flags,
 * output) and how the model fills them. A new layout (a resize, a different number of rows to
 * show) gets new widgets: a blessed-contrib chart sizes its canvas once, when it is attached.
 */
import { sanitizeLine } from '../core/terminal-text.js';
import type { Libs } from './blessed-load.js';
import type { BlessedElement, LineChart, Screen } from './blessed-types.js';
import type { Layout, Rect } from './layout.js';
import { yScale, type ChartModel } from './model-charts.js';
import type { WallboardModel } from './model.js';
import { clip, headerLines, incidentLines, painter, stageLines, triggerLines } from './panel-text.js';

/** A box label sits on the top border from the 3rd cell and wraps (over the first row) when longer than the room left. */
const labelRoom = (r: Rect) => r.width - 6;
const inner = (r: Rect) => ({ width: r.width - 2, height: r.height - 2 });

const BAND_LINE: Record<ChartModel['band'], string> = { ok: 'green', warn: 'yellow', critical: 'red', 'no data': 'white' };

export class Panels {
  private readonly header: BlessedElement;
  private readonly charts: readonly LineChart[];
  private readonly noCharts?: BlessedElement;
  private readonly stages: BlessedElement;
  private readonly triggers: BlessedElement;
  private readonly incident: BlessedElement;
  private readonly output: BlessedElement;

  constructor(
    private readonly libs: Libs,
    private readonly screen: Screen,
    readonly layout: Layout,
    private readonly colour: boolean,
    series: number,
  ) {
    const l = layout;
    this.header = this.box(l.header);
    this.charts = series > 0 ? l.charts.map((r) => this.chart(r)) : [];
    this.noCharts = this.charts.length ? undefined : this.box(l.charts[0], 'Metrics');
    this.stages = this.box(l.stages, 'Stages');
    this.triggers = this.box(l.triggers, 'Triggers');
    this.incident = this.box(l.incident, 'Incident · flags');
    this.output = this.box(l.output, 'Output', false);
  }

  private box(r: Rect, label?: string, tags = true): BlessedElement {
    const el = this.libs.blessed.box({
      ...r,
      tags,
      wrap: false,
      label: label === undefined ? undefined : ` ${label} `,
      border: label === undefined ? undefined : { type: 'line', fg: this.colour ? 'cyan' : undefined },
      style: { label: { bold: true } },
    });
    this.screen.append(el);
    return el;
  }

  private chart(r: Rect): LineChart {
    const c = this.libs.line({
      ...r,
      label: ' ',
      border: { type: 'line', fg: this.colour ? 'cyan' : undefined },
      // no legend: blessed-contrib draws it over the right end of the plot, the newest samples;
      // the title names the levels instead
      showLegend: false,
      minY: 0,
      abbreviate: true,
      xPadding: 3,
      xLabelPadding: 3,
      style: { line: 'green', text: this.colour ? 'white' : 'normal', baseline: this.colour ? 'white' : 'normal', label: { bold: true } },
    });
    this.screen.append(c);
    return c;
  }

  /** The text of every box for this model (to compare frames before touching the screen). */
  texts(m: WallboardModel, big: readonly string[], output: readonly string[]): string[] {
    const l = this.layout;
    const paint = painter(this.colour, m.status.tone);
    // runbook strings and reasons: made safe for the terminal (terminal-text.ts), then for blessed's tag parser
    const esc = (s: string) => this.libs.blessed.escape(sanitizeLine(s));
    const out = inner(l.output);
    return [
      [...(l.big ? big.map((b) => ` ${paint(m.status.tone, esc(b))}`) : []), ...headerLines(m, l.header.width, paint, esc)].join('\n'),
      stageLines(m, inner(l.stages).width, inner(l.stages).height, paint, esc).join('\n'),
      triggerLines(m, inner(l.triggers).width, inner(l.triggers).height, paint, esc).join('\n'),
      incidentLines(m, inner(l.incident).width, inner(l.incident).height, paint, esc).join('\n'),
      output.map((x) => clip(x, out.width)).join('\n') || (m.output ? '' : 'no step has run yet'),
      clip(`Triggers · ${m.armed ? 'armed' : 'not armed'}`, labelRoom(l.triggers)),
      clip(m.output ? `Output · ${m.output.title} · ${m.output.status}` : 'Output', labelRoom(l.output)),
      this.charts.length ? '' : paint('muted', 'no metric series in this runbook'),
    ];
  }

  /** Puts `texts` (from texts()) and the charts on the widgets. */
  fill(m: WallboardModel, texts: readonly string[]): void {
    const [header, stages, triggers, incident, output, triggersLabel, outputLabel, noCharts] = texts;
    this.header.setContent(header);
    this.stages.setContent(stages);
    this.triggers.setContent(triggers);
    this.incident.setContent(incident);
    this.output.setContent(output);
    this.triggers.setLabel(` ${triggersLabel} `);
    this.output.setLabel(` ${outputLabel} `);
    this.noCharts?.setContent(noCharts);
    this.charts.forEach((c, i) => this.fillChart(c, m.charts[i], this.layout.charts[i], i === this.charts.length - 1 ? this.layout.hiddenCharts : 0));
  }

  /** A chart: the longest title that fits, a round y scale, levels drawn first so the value line wins where they cross. */
  private fillChart(c: LineChart, m: ChartModel | undefined, r: Rect, more: number): void {
    const room = labelRoom(r);
    const suffix = more ? ` +${more}` : '';
    const title = m ? (m.titles.find((t) => t.length + suffix.length <= room) ?? m.titles[m.titles.length - 1]) + suffix : '';
    c.setLabel(` ${clip(title, room)} `);
    if (!m || m.x.length === 0) return c.clear(); // no samples (yet, or in a session that replaced the one drawn)
    // the chart's canvas is 4 pixels a row; its x axis and labels take 19 of them (blessed-contrib line.js)
    const plotRows = Math.floor((r.height * 4 - 8 - 11) / 4);
    const labels = Math.max(2, Math.min(5, Math.floor(plotRows / 2) + 1));
    Object.assign((c as unknown as { options: Record<string, unknown> }).options, { maxY: yScale(m.peak, labels).max, numYLabels: labels });
    const colour = (tone: string) => (this.colour ? (tone === 'value' ? BAND_LINE[m.band] : tone === 'warn' ? 'yellow' : 'red') : 'normal');
    const [value, ...levels] = m.lines;
    c.setData([...levels, value].map((l) => ({ title: l.title, x: [...m.x], y: [...l.y], style: { line: colour(l.tone) } })));
  }

  destroy(): void {
    for (const el of [this.header, ...this.charts, this.noCharts, this.stages, this.triggers, this.incident, this.output]) el?.destroy();
  }
}

// Time-series charts (uPlot): sized to their panel, coloured from the theme's CSS variables,
// with a legend that shows the values under the cursor.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h } from './dom.js';

export interface SeriesSpec {
  readonly label: string;
  /** A CSS variable name (e.g. --c1) or a colour. */
  readonly color: string;
  readonly values: readonly (number | null | undefined)[];
  readonly format?: (v: number) => string;
  readonly axis?: 'y2';
  readonly dash?: boolean;
  readonly bars?: boolean;
}

const css = (name: string) => (name.startsWith('--') ? getComputedStyle(document.documentElement).getPropertyValue(name).trim() : name);

/** A chart panel; its uPlot is destroyed when `signal` aborts (the page is left). */
export function chart(title: string, times: readonly number[], series: readonly SeriesSpec[], signal: AbortSignal, yFormat?: (v: number) => string, y2Format?: (v: number) => string): HTMLElement {
  const box = h('div.chart');
  const panel = h('figure.panel.chart-panel', h('figcaption', title), box);
  const axisColor = css('--muted');
  const grid = { stroke: css('--grid'), width: 1 };
  const hasY2 = series.some((s) => s.axis === 'y2');
  const opts: uPlot.Options = {
    width: 400,
    height: 180,
    cursor: { drag: { x: false, y: false } },
    legend: { live: true },
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] }, ...(hasY2 ? { y2: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } } : {}) },
    axes: [
      { stroke: axisColor, grid, ticks: grid },
      { stroke: axisColor, grid, ticks: grid, size: 64, values: (_u, vals) => vals.map((v) => (yFormat ? yFormat(v) : fmt(v))) },
      ...(hasY2 ? [{ scale: 'y2', side: 1, stroke: axisColor, grid: { show: false }, size: 64, values: (_u: uPlot, vals: number[]) => vals.map((v) => (y2Format ? y2Format(v) : fmt(v))) }] : []),
    ],
    series: [
      { value: (_u, v) => (v == null ? '–' : new Date(v * 1000).toLocaleTimeString()) },
      ...series.map((s) => ({
        label: s.label,
        stroke: css(s.color),
        width: 1.5,
        scale: s.axis ?? 'y',
        dash: s.dash ? [5, 4] : undefined,
        fill: s.bars ? css(s.color) + '55' : undefined,
        paths: s.bars ? uPlot.paths.bars!({ size: [0.7, 40] }) : undefined,
        // Lone points (a bucket with data between empty ones) show as dots.
        // (and so do the points of a series too short to draw a line: a query's one or two bins)
        points: { show: !s.bars && (s.values.length < 3 || s.values.some((v) => v == null)), size: 4, fill: css(s.color) },
        spanGaps: false,
        value: (_u: uPlot, v: number | null) => (v == null ? '–' : s.format ? s.format(v) : fmt(v)),
      })),
    ],
  };
  const data = [times.map((t) => t / 1000), ...series.map((s) => s.values.map((v) => (v === undefined ? null : v)))] as uPlot.AlignedData;
  const plot = new uPlot(opts, data, box);
  const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(200, box.clientWidth), height: 180 }));
  resize.observe(box);
  signal.addEventListener('abort', () => {
    resize.disconnect();
    plot.destroy();
  });
  return panel;
}

/** Axis labels for durations: short, and never cut (1.5 s, 250 ms, 0.4 ms). */
export function axisMs(v: number): string {
  if (v === 0) return '0';
  if (v >= 1000) return `${+(v / 1000).toFixed(1)} s`;
  return `${+v.toFixed(v < 10 ? 1 : 0)} ms`;
}

function fmt(v: number): string {
  if (Math.abs(v) >= 1000) return `${(v / 1000).toFixed(v % 1000 === 0 ? 0 : 1)}k`;
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { compact, count, money, shortDay } from '../format.js';
import type { DailySeries } from '../rows.js';

/** Midnight UTC of a date, in seconds: uPlot's x values, shown back in UTC so the label is the date itself. */
const xOf = (date: string) => Date.parse(`${date}T00:00:00Z`) / 1000;
const utc = (ts: number) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC');
const dateOf = (ts: number) => new Date(ts * 1000).toISOString().slice(0, 10);

/** An axis as wide as its longest label (uPlot's own recipe), so no label is clipped. */
const fitted: uPlot.Axis.Size = (u, values, axisIdx, cycleNum) => {
  const axis = u.axes[axisIdx]!;
  const current = (axis as unknown as { _size?: number })._size;
  if (cycleNum > 1 && current !== undefined) return current;
  const longest = (values ?? []).reduce((a, v) => (v.length > a.length ? v : a), '');
  u.ctx.font = (axis.font as unknown as [string])[0];
  return (
    Math.ceil((axis.ticks?.size ?? 10) + (axis.gap ?? 5) + u.ctx.measureText(longest).width / devicePixelRatio) + 4
  );
};

/** Tick steps of the day axis, in seconds: 1, 2, 7, 14, 28, 56 days… */
const DAY_STEPS = [1, 2, 7, 14, 28, 56, 112, 224].map((days) => days * 86_400);

const hasDropped = (series: DailySeries) => series.dropped.some((n) => n > 0);

function options(series: DailySeries, width: number): uPlot.Options {
  const counts = (label: string, stroke: string, fill?: string): uPlot.Series => ({
    label,
    stroke,
    width: 2,
    ...(fill ? { fill } : {}),
    scale: 'count',
    value: (_u, v) => (v == null ? '–' : count(v)),
  });
  return {
    width,
    height: 240,
    tzDate: utc,
    cursor: { drag: { x: false, y: false } },
    legend: { live: true },
    scales: { x: { time: true }, count: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
    axes: [
      // Ticks on whole days only: a short range would otherwise repeat its dates at every few hours.
      { space: 70, incrs: DAY_STEPS, values: (_u, splits) => splits.map((s) => shortDay(dateOf(s))) },
      { scale: 'count', size: fitted, values: (_u, splits) => splits.map((s) => compact(s)) },
      ...(series.currency
        ? [
            {
              scale: 'value',
              side: 1,
              size: fitted,
              grid: { show: false },
              values: (_u: uPlot, splits: number[]) => splits.map((s) => compact(s, series.currency)),
            } satisfies uPlot.Axis,
          ]
        : []),
    ],
    series: [
      { label: 'Day', value: (_u, v) => (v == null ? '' : shortDay(dateOf(v))) },
      counts('Instances', '#6b7280', 'rgba(107,114,128,0.08)'),
      counts('Clicks', '#1d4ed8'),
      counts('Orders', '#b45309'),
      ...(hasDropped(series) ? [{ ...counts('Dropped events', '#b91c1c'), dash: [2, 3] }] : []),
      ...(series.currency
        ? [
            {
              label: `Value (${series.currency})`,
              stroke: '#047857',
              width: 2,
              dash: [6, 4],
              scale: 'value',
              value: (_u: uPlot, v: number | null) => (v == null ? '–' : money(v, series.currency)),
            } satisfies uPlot.Series,
          ]
        : []),
    ],
  };
}

function data(series: DailySeries): uPlot.AlignedData {
  const rows: (number[] | null)[] = [series.dates.map(xOf), series.instances, series.clicks, series.orders];
  if (hasDropped(series)) rows.push(series.dropped);
  if (series.currency) rows.push(series.value);
  return rows as uPlot.AlignedData;
}

/**
 * The range's days as lines (uPlot, canvas). The canvas is hidden from screen readers: the same
 * numbers are in the table below it.
 */
export function DailyChart({ series }: { series: DailySeries }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const width = () => Math.max(280, el.clientWidth || 600);
    const plot = new uPlot(options(series, width()), data(series), el);
    const resize =
      typeof ResizeObserver === 'function'
        ? new ResizeObserver(() => plot.setSize({ width: width(), height: 240 }))
        : null;
    resize?.observe(el);
    return () => {
      resize?.disconnect();
      plot.destroy();
    };
  }, [series]);
  return <div class="chart" ref={box} aria-hidden="true" data-days={series.dates.join(' ')} />;
}

// Chart.js with only the pieces the dashboards use (keeps the bundle small).
import {
  ArcElement,
  CategoryScale,
  Chart,
  DoughnutController,
  Filler,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  Legend,
} from "chart.js";
import type { Point, Timeframe } from "../api/types";

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Filler, Tooltip, Legend, DoughnutController, ArcElement);
Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily || "system-ui, sans-serif";
Chart.defaults.color = "#5b6676";

export { Chart };

export const PALETTE = ["#2f5bea", "#1d9a6c", "#d9822b", "#8a4bd6", "#c2410c"];

/**
 * Axis labels for a series' timestamps: hours for a day, dates otherwise. Day buckets
 * are UTC days (docs/metrics.md), so they are named by their UTC date: in the viewer's
 * zone, west of UTC, the 15th's bucket starts on the evening of the 14th. An hour is an
 * hour anywhere, shown at its local start.
 */
export function pointLabels(series: Point[], timeframe: Timeframe | string): string[] {
  return series.map((p) => {
    const d = new Date(p.t);
    if (Number.isNaN(d.getTime())) return p.t;
    return timeframe === "24h"
      ? d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" })
      : d.toLocaleDateString(undefined, { month: "short", day: "numeric", timeZone: "UTC" });
  });
}

/** One sentence describing a series for screen readers. */
export function describeSeries(label: string, series: Point[]): string {
  const values = series.map((p) => p.v).filter((v): v is number => typeof v === "number");
  if (!values.length) return `${label}: no data in this period.`;
  const first = values[0]!;
  const last = values[values.length - 1]!;
  const max = Math.max(...values);
  const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2));
  return `${label}: ${values.length} points, from ${fmt(first)} to ${fmt(last)}, highest ${fmt(max)}.`;
}

/** A value whose neighbours are both missing: a line cannot show it, a dot must. */
export function isolated(data: (number | null | undefined)[], i: number): boolean {
  const v = data[i];
  return v !== null && v !== undefined && (data[i - 1] ?? null) === null && (data[i + 1] ?? null) === null;
}

// The dashboard store between its two sources: the widgets from GET …/dashboard
// and the counters from the room. Opening a dashboard asks both at once; whichever
// the server answers first, the widgets must not stay older than the counters.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Counters, Dashboard, Metric } from "$lib/api/types";

const gets: Array<{ path: string; resolve: (d: Dashboard) => void }> = [];
vi.mock("../api/client", () => ({
  api: { get: (path: string) => new Promise<Dashboard>((resolve) => gets.push({ path, resolve })) },
}));
type Handler = (e: { scope: string; id: string; timeframe: string; counters: Counters }) => void;
const handlers = new Set<Handler>();
vi.mock("../socket.svelte", () => ({
  realtime: {
    subscribe: () => () => {},
    update: () => {},
    on: (_event: string, fn: Handler) => (handlers.add(fn), () => handlers.delete(fn)),
  },
}));
const { dashboard } = await import("./dashboard.svelte");

const metric = (value: number | null): Metric => ({ value, previous: null, series: [] });
function answer(submissions: number): Dashboard {
  return {
    timeframe: "7d",
    from: "2026-03-09T00:00:00.000Z",
    to: "2026-03-15T10:30:00.000Z",
    widgets: {
      activity: { submissions: metric(submissions), completedTasks: metric(0), dailyActiveSubmitters: metric(1 / 7) },
      pipelineCompletion: { value: 0, completed: 0, total: 2 },
      engagement: { avgSubmissionsPerActiveContributor: metric(submissions), maxSubmissionsByContributor: metric(submissions) },
      firstReviewPassRate: metric(null),
      avgReviewsPerReviewNode: metric(null),
    },
  };
}
const counters = (submissions: number): Counters => ({
  submissions,
  completedTasks: 0,
  dailyActiveSubmitters: 1 / 7,
  pipelineCompletion: 0,
  firstReviewPassRate: null,
  avgReviewsPerReviewNode: null,
  activeClaims: 0,
  queuedTasks: 2,
});
const push = (c: Counters) => handlers.forEach((fn) => fn({ scope: "project", id: "p1", timeframe: "7d", counters: c }));

let stop: () => void;
beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  localStorage.clear();
  gets.length = 0;
  stop = dashboard.watch("project", "p1");
});
afterEach(() => {
  stop();
  vi.useRealTimers();
});

describe("opening a dashboard", () => {
  it("reads the widgets again when the room's first counters are newer than them", async () => {
    expect(gets).toHaveLength(1);
    gets[0]!.resolve(answer(3));
    await vi.runAllTimersAsync();
    // A submission committed between the two reads: the room's snapshot saw it, the GET did not.
    push(counters(4));
    await vi.advanceTimersByTimeAsync(1000);
    expect(gets).toHaveLength(2);
    gets[1]!.resolve(answer(4));
    await vi.runAllTimersAsync();
    expect(dashboard.data!.widgets.activity.submissions.value).toBe(4);
  });

  it("reads them again when the GET, asked before the counters came, answers older", async () => {
    await vi.advanceTimersByTimeAsync(5);
    push(counters(4));
    gets[0]!.resolve(answer(3));
    await vi.advanceTimersByTimeAsync(1000);
    expect(gets).toHaveLength(2);
    gets[1]!.resolve(answer(4));
    await vi.runAllTimersAsync();
    expect(gets).toHaveLength(2);
  });

  it("reads nothing more when both agree", async () => {
    gets[0]!.resolve(answer(3));
    await vi.advanceTimersByTimeAsync(5);
    push(counters(3));
    await vi.advanceTimersByTimeAsync(5000);
    expect(gets).toHaveLength(1);
    expect(dashboard.counters!.submissions).toBe(3);
  });
});

import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Dashboard, Metric } from "$lib/api/types";

const metric = (value: number | null): Metric => ({ value, previous: null, series: [] });
let answer: Dashboard;
/** While set, the dashboard GET does not answer (a read in flight). */
let hang = false;
vi.mock("$lib/api/client", () => ({ api: { get: () => (hang ? new Promise(() => {}) : Promise.resolve(answer)) } }));
// Chart.js needs a real canvas; the charts are not what is tested here.
vi.mock("./charts/TimeSeries.svelte", () => ({ default: () => {} }));
vi.mock("./charts/ProgressRing.svelte", () => ({ default: () => {} }));
vi.mock("./charts/Sparkline.svelte", () => ({ default: () => {} }));
const { default: DashboardView } = await import("./DashboardView.svelte");

function dashboardWith(passRate: number | null, reviewsPerNode: number | null): Dashboard {
  return {
    timeframe: "7d",
    from: null,
    to: new Date().toISOString(),
    widgets: {
      activity: { submissions: metric(3), completedTasks: metric(1), dailyActiveSubmitters: metric(1) },
      pipelineCompletion: { value: 0.5, completed: 1, total: 2 },
      engagement: { avgSubmissionsPerActiveContributor: metric(1), maxSubmissionsByContributor: metric(2) },
      firstReviewPassRate: metric(passRate),
      avgReviewsPerReviewNode: metric(reviewsPerNode),
    },
  };
}

afterEach(() => {
  cleanup();
  hang = false;
  localStorage.clear();
});

describe("the review widgets", () => {
  it("say why they are empty when nothing was reviewed, both of them", async () => {
    answer = dashboardWith(null, null);
    render(DashboardView, { scope: "project", id: "p1" });
    await screen.findByRole("heading", { name: "Avg reviews per review node" });
    expect(screen.getByText("No first reviews in this period.")).toBeTruthy();
    const widget = screen.getByRole("region", { name: "Avg reviews per review node" });
    expect(widget.textContent).toContain("No reviews in this period.");
  });

  it("read out the average when there is one", async () => {
    answer = dashboardWith(0.5, 1.5);
    render(DashboardView, { scope: "project", id: "p2" });
    const widget = await screen.findByRole("region", { name: "Avg reviews per review node" });
    expect(widget.textContent).toContain("A task took 1.5 review rounds per review node on average.");
  });
});

describe("switching the timeframe", () => {
  it("shows no totals of the timeframe left behind while the new one loads", async () => {
    answer = dashboardWith(null, null);
    render(DashboardView, { scope: "project", id: "p3" });
    await screen.findByRole("heading", { name: "Activity" });
    expect(screen.getByTestId("counter-submissions").textContent).toBe("3");
    hang = true;
    await fireEvent.click(screen.getByRole("button", { name: "24 hours" }));
    expect(screen.getByTestId("counter-submissions").textContent).toBe("—");
    expect(screen.getByTestId("counter-completed").textContent).toBe("—");
  });
});

// The data explorer's filters as the page keeps them (in the address) and as
// the API takes them. Dates are chosen as days in the viewer's time zone and
// sent as instants: "from" at that day's start, "to" at the start of the day
// after it, so the last day counts whole.

export const EXPLORER_FILTERS = ["status", "pipelineId", "nodeId", "source", "agentId", "contributorTypeId", "contributorId", "from", "to", "sort", "order"] as const;
export type ExplorerFilters = Partial<Record<(typeof EXPLORER_FILTERS)[number], string>>;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The instant a local day (YYYY-MM-DD) starts, `plusDays` later; undefined for anything else. */
export function dayStart(day: string, plusDays = 0): string | undefined {
  const m = DAY.exec(day);
  if (!m) return undefined;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + plusDays);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** What the explorer and the export are asked: empty filters left out, days turned into createdFrom/createdTo. */
export function explorerQuery(f: ExplorerFilters): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(f)) if (v && k !== "from" && k !== "to") out[k] = v;
  const from = f.from ? dayStart(f.from) : undefined;
  const to = f.to ? dayStart(f.to, 1) : undefined;
  if (from) out.createdFrom = from;
  if (to) out.createdTo = to;
  return out;
}

/** The task statuses the explorer (and GET …/tasks) filter by, in the order a task lives them. */
export const TASK_STATUSES = [
  { value: "queued", label: "Queued" },
  { value: "claimed", label: "Claimed" },
  { value: "completed", label: "Completed" },
  // Taken out of every queue by an Owner; it may be reopened.
  { value: "cancelled", label: "Cancelled" },
] as const;

const BADGES: Record<string, string> = { queued: "", claimed: "accent", completed: "ok", cancelled: "danger" };

/** The badge class a task's status is shown with in lists ("" for a plain badge). */
export const statusBadge = (status: string): string => BADGES[status] ?? "";

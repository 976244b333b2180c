// A task's history as sentences that name who acted and whom it concerned.
// A step's `user` is whom it concerns, not always who acted: a "returned" step
// carries the author the task goes back to (the reviewer is on the "reviewed"
// step just before it), a revoked claim carries its holder (the admin is `by`).
import { humanize } from "./payload";

export type Who = { id: string; name: string } | null;

export interface HistoryStep {
  type: string;
  at: string;
  user: Who;
  by?: Who;
  nodeId: string | null;
  claimId: string | null;
  data: unknown;
}

export interface HistoryLine {
  text: string;
  /** How the step's node reads after the text: "at" where it happened, "to" where the task went. */
  nodeWord: "at" | "to";
}

const field = (data: unknown, key: string): unknown => (data && typeof data === "object" ? (data as Record<string, unknown>)[key] : undefined);

/** One step of the history; `before` is the step just before it (same task). */
export function historyLine(step: HistoryStep, before?: HistoryStep): HistoryLine {
  const name = step.user?.name;
  const by = step.by?.name;
  const at = (text: string): HistoryLine => ({ text, nodeWord: "at" });
  switch (step.type) {
    case "imported":
    case "created":
      return at(humanize(step.type));
    case "claimed":
      return at(`Claimed by ${name ?? "someone"}`);
    case "submitted": {
      const attempt = Number(field(step.data, "attempt"));
      return at(`Submitted by ${name ?? "someone"}${attempt > 1 ? ` (attempt ${attempt})` : ""}`);
    }
    case "reviewed":
      return at(`Reviewed by ${name ?? "someone"}: ${field(step.data, "verdict") === "return" ? "sent back for rework" : "passed"}`);
    case "returned": {
      const reviewer = before?.type === "reviewed" ? before.user?.name : undefined;
      const to = name ? ` to ${name}` : "";
      return at(reviewer ? `Returned by ${reviewer}${to} for rework` : `Returned${to} for rework`);
    }
    case "moved":
      return { text: "Moved on", nodeWord: "to" };
    case "completed":
      return at("Completed");
    case "released":
      return at(`Released by ${name ?? "someone"}`);
    case "expired":
      return at(name ? `Lease expired (held by ${name})` : "Lease expired");
    case "revoked":
      return at(`Revoked${by ? ` by ${by}` : ""}${name ? ` (held by ${name})` : ""}`);
    case "updated":
      return at(`${updated(step.data, name)}${by ? ` by ${by}` : ""}`);
    default:
      return at(`${humanize(step.type)}${by || name ? ` by ${by ?? name}` : ""}`);
  }
}

/**
 * An Owner's change (PATCH): "Priority 0 → 5", "assigned to Bob", "assignment cleared" (also by the
 * delete of the type a cancelled task was assigned to: reason type_deleted). `name`: the new assignee, when a person.
 */
function updated(data: unknown, name: string | undefined): string {
  const parts: string[] = [];
  const p = field(data, "priority") as { from?: unknown; to?: unknown } | undefined;
  if (p && typeof p === "object") parts.push(`priority ${p.from} → ${p.to}`);
  const a = field(data, "assignment") as { to?: unknown } | undefined;
  if (a && typeof a === "object") {
    const to = a.to as Record<string, unknown> | null | undefined;
    const cleared = field(data, "reason") === "type_deleted" ? "assignment cleared: its contributor type was deleted" : "assignment cleared";
    parts.push(!to ? cleared : "userId" in to ? `assigned to ${name ?? "someone"}` : "assigned to a contributor type");
  }
  const text = parts.join(", ") || "changed";
  return text[0]!.toUpperCase() + text.slice(1);
}

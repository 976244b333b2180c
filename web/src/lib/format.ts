// Formatting helpers shared by the pages (pure, tested in format.test.ts).

/** "4:05" or "1:02:03" for a number of milliseconds left (never negative). */
export function countdown(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

export function dateTime(iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "—";
  return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short", ...(timeZone ? { timeZone } : {}) });
}

/** "just now", "5 min ago", "3 h ago", "2 d ago" relative to now. */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "never";
  const s = Math.round((now - new Date(iso).getTime()) / 1000);
  if (s < 45) return "just now";
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

/** When something opens, said plainly: "today at 09:00", "Mon 09:00", or a date. */
export function opensAt(iso: string, now = new Date()): string {
  const d = new Date(iso);
  const time = d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  if (d.toDateString() === now.toDateString()) return `today at ${time}`;
  const tomorrow = new Date(now);
  tomorrow.setDate(now.getDate() + 1);
  if (d.toDateString() === tomorrow.toDateString()) return `tomorrow at ${time}`;
  if (d.getTime() - now.getTime() < 6 * 86400_000) return `${d.toLocaleDateString(undefined, { weekday: "long" })} at ${time}`;
  return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export const percent = (ratio: number | null | undefined, digits = 0) =>
  ratio === null || ratio === undefined ? "—" : `${(ratio * 100).toFixed(digits)}%`;

export function number(v: number | null | undefined, digits = 1): string {
  if (v === null || v === undefined) return "—";
  return Number.isInteger(v) ? v.toLocaleString() : v.toLocaleString(undefined, { maximumFractionDigits: digits });
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const first = parts[0]?.[0] ?? "?";
  const last = parts.length > 1 ? parts[parts.length - 1]![0] : "";
  return (first + (last ?? "")).toUpperCase();
}

const claims = (n: number) => `${n} claim${n === 1 ? "" : "s"}`;

/** Why a contributor with no contributor type holds so few claims, and what to do about it. */
export const untypedNotice = (limit: number) =>
  `You have no contributor type in this project: you can hold ${claims(limit)} at a time. Ask a project owner to set your type.`;

/**
 * The reason a claim is not possible, as a sentence (codes from API.md). `untypedLimit`:
 * the caller has no contributor type and holds at most that many claims.
 */
export function claimReason(reason: string | null | undefined, opens?: string | null, untypedLimit?: number | null): string {
  switch (reason) {
    case "claim_limit_reached":
      if (untypedLimit != null) return `With no contributor type you can hold ${claims(untypedLimit)} at a time. Finish or release ${untypedLimit === 1 ? "it" : "one"} first.`;
      return "You hold as many claims as your type allows. Finish or release one first.";
    case "pool_limit_reached":
      return "Your contributor type holds all the claims it may at once. Try again shortly.";
    case "outside_schedule":
      return opens ? `Outside your work schedule. Opens ${opensAt(opens)}.` : "Outside your work schedule.";
    case "wrong_contributor_type":
      return "This node needs a different contributor type.";
    case "queue_empty":
      return "Nothing waiting for you here right now.";
    case "task_unavailable":
      return "That task was just taken. Claim the next one.";
    case "project_archived":
      return "This project is archived.";
    case null:
    case undefined:
    case "":
      return "";
    default:
      return reason.replace(/_/g, " ");
  }
}

/** A short, distinguishing form of an id: ids are time-ordered, so their end differs, not their start. */
export const shortId = (id: string) => id.slice(-8);

/** A size in bytes for people: "512 B", "3.4 KB", "1.5 MB" (1024 to a step). */
export function byteSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

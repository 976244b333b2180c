// Reading a task's payload for people: agent input/output first, conversations
// as turns, long text folded, anything else as indented JSON.

export interface Turn {
  role: string;
  text: string;
}

export type Block =
  | { kind: "text"; text: string }
  | { kind: "conversation"; turns: Turn[] }
  | { kind: "json"; text: string }
  | { kind: "empty" };

export interface Section {
  title: string;
  block: Block;
}

/** Keys shown first and named plainly; the rest follow in their own order. */
const KNOWN: Array<[string, string]> = [
  ["prompt", "Prompt"],
  ["input", "Agent input"],
  ["messages", "Conversation"],
  ["conversation", "Conversation"],
  ["output", "Agent output"],
  ["response", "Response"],
  ["trace", "Trace"],
];

function contentText(c: unknown): string | null {
  if (typeof c === "string") return c;
  if (Array.isArray(c)) {
    const parts = c.map((p) => (typeof p === "string" ? p : p && typeof p === "object" && typeof (p as { text?: unknown }).text === "string" ? (p as { text: string }).text : null));
    return parts.every((p) => p !== null) ? parts.join("\n") : null;
  }
  return null;
}

/** [{role, content}] (content a string or text parts), as in chat APIs. */
export function asConversation(v: unknown): Turn[] | null {
  if (!Array.isArray(v) || !v.length) return null;
  const turns: Turn[] = [];
  for (const m of v) {
    if (!m || typeof m !== "object") return null;
    const r = m as { role?: unknown; content?: unknown; text?: unknown };
    const text = contentText(r.content ?? r.text);
    if (typeof r.role !== "string" || text === null) return null;
    turns.push({ role: r.role, text });
  }
  return turns;
}

export function toBlock(v: unknown): Block {
  if (v === undefined || v === null || v === "") return { kind: "empty" };
  if (typeof v === "string") return { kind: "text", text: v };
  if (typeof v === "number" || typeof v === "boolean") return { kind: "text", text: String(v) };
  const turns = asConversation(v);
  if (turns) return { kind: "conversation", turns };
  if (typeof v === "object" && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const inner = asConversation(o.messages) ?? asConversation(o.conversation);
    if (inner && Object.keys(o).length === 1) return { kind: "conversation", turns: inner };
  }
  return { kind: "json", text: JSON.stringify(v, null, 2) };
}

export function payloadSections(payload: unknown): Section[] {
  if (!payload || typeof payload !== "object" || Array.isArray(payload)) return [{ title: "Payload", block: toBlock(payload) }];
  const o = payload as Record<string, unknown>;
  const used = new Set<string>();
  const out: Section[] = [];
  for (const [key, title] of KNOWN) {
    if (!(key in o)) continue;
    used.add(key);
    out.push({ title, block: toBlock(o[key]) });
  }
  for (const [key, v] of Object.entries(o)) {
    if (used.has(key)) continue;
    out.push({ title: humanize(key), block: toBlock(v) });
  }
  return out;
}

export function humanize(key: string): string {
  const s = key.replace(/([a-z])([A-Z])/g, "$1 $2").replace(/[_-]+/g, " ").trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Long text is folded after this many characters (the reader can unfold it). */
export const FOLD_AT = 1200;

// Building and checking a pipeline definition in the node editor. The server
// validates again; these rules let the editor point at the node at fault.
import type { Criterion, CriterionKind, NodeKind, Pipeline, PipelineNode } from "../api/types";

// The server's rules (pipelines/schema.ts, pipelines/form.ts): a stricter rule
// here would refuse keys the API accepts, as in a template or a library criterion.
export const NODE_KEY = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
export const CRITERION_KEY = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

export function slug(s: string): string {
  const k = s
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "") // accents off: "é" → "e"
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 40);
  return /^[a-z]/.test(k) ? k : `n_${k}`.replace(/_+$/, "");
}

/** A key not yet used among `taken`, from a name. */
export function uniqueKey(name: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  const base = slug(name) || "node";
  if (!used.has(base)) return base;
  for (let i = 2; ; i++) if (!used.has(`${base}_${i}`)) return `${base}_${i}`;
}

export function newNode(kind: NodeKind, taken: string[]): PipelineNode {
  const name = kind === "task" ? "Evaluate" : kind === "review" ? "Review" : "Done";
  const node: PipelineNode = { key: uniqueKey(name, taken), kind, name };
  if (kind === "task") {
    node.leaseSeconds = 1800;
    node.form = { criteria: [newCriterion("rating", [])] };
  }
  if (kind === "review") node.leaseSeconds = 1800;
  return node;
}

export function newCriterion(kind: CriterionKind, taken: string[]): Criterion {
  const label = { rating: "Quality", boolean: "Is it correct?", choice: "Category", text: "Notes" }[kind];
  const c: Criterion = { key: uniqueKey(label, taken), label, kind, required: kind !== "text" };
  if (kind === "rating") Object.assign(c, { min: 1, max: 5 });
  if (kind === "choice") c.options = ["Option A", "Option B"];
  return c;
}

export const nodeKindLabel: Record<NodeKind, string> = { task: "Task", review: "Review", end: "End" };

export const criterionKindLabel: Record<CriterionKind, string> = {
  rating: "Rating scale",
  boolean: "Yes / no",
  choice: "Single choice",
  text: "Free text",
};

/** A lease in words: "45 s", "30 min", "2.0 h". */
export function leaseText(s: number | undefined): string {
  if (!s) return "";
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/**
 * One line above the form that says what is left to fix (the fields carry the
 * details): the name, and which nodes by number, so it never blames the nodes
 * when only the name is missing. Null when nothing is wrong.
 */
export function errorSummary(errors: Record<string, string>): string | null {
  const parts: string[] = [];
  if (errors.name) parts.push(errors.name);
  const steps = [...new Set(Object.keys(errors).flatMap((k) => /^nodes\.(\d+)\./.exec(k)?.[1] ?? []))].map((i) => Number(i) + 1).sort((a, b) => a - b);
  if (errors.nodes) parts.push(errors.nodes);
  if (steps.length === 1) parts.push(`Node ${steps[0]} needs attention.`);
  else if (steps.length > 1) parts.push(`Nodes ${steps.slice(0, -1).join(", ")} and ${steps.at(-1)} need attention.`);
  return parts.length ? parts.join(" ") : null;
}

/** Errors keyed "name", "nodes", "nodes.<i>.<field>", "nodes.<i>.criteria.<j>.<field>". */
export function validatePipeline(name: string, nodes: PipelineNode[]): Record<string, string> {
  const e: Record<string, string> = {};
  if (!name.trim()) e.name = "Give the pipeline a name.";
  if (!nodes.length) e.nodes = "Add at least one node.";
  const keys = new Map<string, number>();
  const ends = nodes.filter((n) => n.kind === "end").length;
  if (nodes.length && ends !== 1) e.nodes = "A pipeline has exactly one end node.";
  else if (nodes.length && nodes[nodes.length - 1]!.kind !== "end") e.nodes = "The end node comes last.";
  nodes.forEach((n, i) => {
    const p = `nodes.${i}`;
    if (!n.name.trim()) e[`${p}.name`] = "Name the node.";
    if (!NODE_KEY.test(n.key)) e[`${p}.key`] = "Letters, digits, _ or -, at most 64.";
    else if (keys.has(n.key)) e[`${p}.key`] = "Another node has this key.";
    keys.set(n.key, i);
    if (n.kind !== "end" && n.leaseSeconds !== undefined) {
      const l = n.leaseSeconds;
      if (!Number.isInteger(l) || l < 5 || l > 86400) e[`${p}.leaseSeconds`] = "Between 5 seconds and 24 hours.";
      // A node kept from the version being changed may cap its heartbeats below a longer new lease.
      else if (n.maxLeaseSeconds && l > n.maxLeaseSeconds) e[`${p}.leaseSeconds`] = `At most ${leaseText(n.maxLeaseSeconds)}: heartbeats extend a lease up to that long.`;
    }
    if (n.kind === "task") {
      const criteria = n.form?.criteria ?? [];
      if (!criteria.length) e[`${p}.form`] = "A task node needs at least one question.";
      validateCriteria(criteria).forEach(([k, msg]) => (e[`${p}.criteria.${k}`] = msg));
    }
    if (n.kind === "review") {
      const target = nodes.findIndex((m) => m.key === n.reviews);
      if (!n.reviews || target < 0) e[`${p}.reviews`] = "Choose the task node this review checks.";
      else if (nodes[target]!.kind !== "task") e[`${p}.reviews`] = "A review checks a task node.";
      else if (target > i) e[`${p}.reviews`] = "The reviewed node must come before the review.";
    }
  });
  return e;
}

function validateCriteria(criteria: Criterion[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const seen = new Set<string>();
  criteria.forEach((c, j) => {
    if (!CRITERION_KEY.test(c.key)) out.push([`${j}.key`, "Letters, digits and _, starting with a letter, at most 64."]);
    else if (seen.has(c.key)) out.push([`${j}.key`, "Another question has this key."]);
    seen.add(c.key);
    if (!c.label.trim()) out.push([`${j}.label`, "Write the question."]);
    if (c.kind === "rating" && (c.min ?? 1) >= (c.max ?? 5)) out.push([`${j}.max`, "The top of the scale must be above the bottom."]);
    if (c.kind === "choice" && (c.options ?? []).filter((o) => o.trim()).length < 2) out.push([`${j}.options`, "Give at least two options."]);
  });
  return out;
}

/** The nodes as the API takes them: no ids/positions, empty fields left out. */
export function toDefinition(nodes: PipelineNode[]): PipelineNode[] {
  return nodes.map((n) => {
    const out: PipelineNode = { key: n.key, kind: n.kind, name: n.name.trim() };
    if (n.kind !== "end") {
      if (n.contributorTypeId) out.contributorTypeId = n.contributorTypeId;
      if (n.leaseSeconds !== undefined) out.leaseSeconds = n.leaseSeconds;
      if (n.maxLeaseSeconds) out.maxLeaseSeconds = n.maxLeaseSeconds;
    }
    if (n.kind === "task") out.form = { criteria: (n.form?.criteria ?? []).map(cleanCriterion) };
    if (n.kind === "review" && n.reviews) out.reviews = n.reviews;
    return out;
  });
}

function cleanCriterion(c: Criterion): Criterion {
  const out: Criterion = { key: c.key, label: c.label.trim(), kind: c.kind, required: !!c.required };
  if (c.kind === "rating") Object.assign(out, { min: c.min ?? 1, max: c.max ?? 5 });
  if (c.kind === "choice") out.options = (c.options ?? []).map((o) => o.trim()).filter(Boolean);
  if (c.description?.trim()) out.description = c.description.trim();
  return out;
}

/**
 * An existing pipeline's nodes for the editor: review targets as keys, whatever the server sent;
 * a heartbeat cap kept only when set apart from the default (4 × the lease), so a new lease moves it.
 */
export function fromPipeline(nodes: PipelineNode[]): PipelineNode[] {
  const keyById = new Map(nodes.filter((n) => n.id).map((n) => [n.id!, n.key]));
  return [...nodes]
    .sort((a, b) => (a.position ?? 0) - (b.position ?? 0))
    .map((n) => {
      const r = n as PipelineNode & { reviewsNodeId?: string | null; reviewsKey?: string | null };
      const reviews = r.reviews ?? r.reviewsKey ?? (r.reviewsNodeId ? keyById.get(r.reviewsNodeId) : undefined) ?? null;
      const ownCap = n.maxLeaseSeconds && n.leaseSeconds && n.maxLeaseSeconds !== 4 * n.leaseSeconds;
      return {
        ...n,
        maxLeaseSeconds: ownCap ? n.maxLeaseSeconds : undefined,
        reviews: reviews && keyById.has(reviews) ? keyById.get(reviews)! : reviews,
        form: n.form ? { criteria: n.form.criteria.map((c) => ({ ...c })) } : n.kind === "task" ? { criteria: [] } : null,
      };
    });
}

/** Whether new tasks may go to it (imports, runs): an archived pipeline takes none. Older servers send no status. */
export const takesTasks = (p: Pick<Pipeline, "status">): boolean => (p.status ?? "active") === "active";

/** A pipeline as lists name it: versions share their name, so a changed one says which it is. */
export function pipelineLabel(p: Pick<Pipeline, "name" | "version" | "status">): string {
  const parts = [(p.version ?? 1) > 1 ? `v${p.version}` : "", takesTasks(p) ? "" : "archived"].filter(Boolean);
  return parts.length ? `${p.name} (${parts.join(", ")})` : p.name;
}

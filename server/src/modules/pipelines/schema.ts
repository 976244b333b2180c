// What a pipeline definition may be: ordered nodes (task nodes with a form,
// review nodes naming the earlier task node they review, one end node last).
import { z } from "zod";
import { id } from "../../http/route";
import { formSchema } from "./form";

export const LEASE_DEFAULT = 1800;
const lease = z.number().int().min(5).max(86_400);

export const nodeInputSchema = z.strictObject({
  key: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, "Use letters, digits, _ or - (at most 64)"),
  kind: z.enum(["task", "review", "end"]),
  name: z.string().trim().min(1).max(200),
  contributorTypeId: id.nullish(),
  leaseSeconds: lease.optional(),
  /** Heartbeats extend a lease up to this long after the claim (default 4 × lease). */
  maxLeaseSeconds: z.number().int().min(5).max(7 * 86_400).optional(),
  form: formSchema.optional(),
  reviews: z.string().max(64).optional(),
});

export const pipelineInputSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).optional(),
    nodes: z.array(nodeInputSchema).min(2).max(50),
  })
  .superRefine((p, ctx) => {
    const issue = (i: number | null, field: string, message: string) =>
      ctx.addIssue({ code: "custom", path: i === null ? ["nodes"] : ["nodes", i, field], message });
    const seen = new Map<string, number>();
    p.nodes.forEach((n, i) => {
      if (seen.has(n.key)) issue(i, "key", `The key "${n.key}" is used twice`);
      seen.set(n.key, i);
    });
    const ends = p.nodes.filter((n) => n.kind === "end").length;
    if (ends !== 1) issue(null, "", `A pipeline has exactly one end node (found ${ends})`);
    else if (p.nodes[p.nodes.length - 1]!.kind !== "end") issue(null, "", "The end node comes last");
    p.nodes.forEach((n, i) => {
      if (n.kind === "task" && !n.form) issue(i, "form", "A task node needs a form");
      if (n.kind !== "task" && n.form) issue(i, "form", "Only task nodes have a form");
      if (n.kind !== "review" && n.reviews !== undefined) issue(i, "reviews", "Only review nodes review another node");
      if (n.kind === "end" && (n.contributorTypeId || n.leaseSeconds !== undefined || n.maxLeaseSeconds !== undefined))
        issue(i, "kind", "An end node has no contributor type or lease");
      if (n.maxLeaseSeconds !== undefined && n.maxLeaseSeconds < (n.leaseSeconds ?? LEASE_DEFAULT))
        issue(i, "maxLeaseSeconds", "The most a lease may last cannot be shorter than the lease");
      if (n.kind === "review") {
        const j = n.reviews === undefined ? undefined : seen.get(n.reviews);
        if (j === undefined || j >= i || p.nodes[j]!.kind !== "task") issue(i, "reviews", "A review node names an earlier task node by its key");
      }
    });
  });

export type PipelineInput = z.output<typeof pipelineInputSchema>;
export type NodeInput = z.output<typeof nodeInputSchema>;

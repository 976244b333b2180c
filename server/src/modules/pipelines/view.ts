import { z } from "zod";
import { formSchema, type Form } from "./form";

export const nodeSchema = z.object({
  id: z.string(),
  key: z.string(),
  kind: z.enum(["task", "review", "end"]),
  name: z.string(),
  position: z.number(),
  contributorTypeId: z.string().nullable(),
  leaseSeconds: z.number(),
  maxLeaseSeconds: z.number(),
  form: formSchema.nullable(),
  reviewsNodeId: z.string().nullable(),
  reviews: z.string().nullable(),
});

export const pipelineSchema = z.object({
  id: z.string(),
  projectId: z.string(),
  name: z.string(),
  description: z.string(),
  templateId: z.string().nullable(),
  /** archived: takes no new tasks (imports and runs answer 409 pipeline_archived); the tasks in it finish. */
  status: z.enum(["active", "archived"]),
  version: z.number(),
  /** The version this one replaced, and the one that replaced it. */
  previousId: z.string().nullable(),
  nextId: z.string().nullable(),
  createdAt: z.string(),
  nodes: z.array(nodeSchema),
});

type NodeRow = {
  id: string;
  key: string;
  kind: string;
  name: string;
  position: number;
  contributorTypeId: string | null;
  leaseSeconds: number;
  maxLeaseSeconds: number | null;
  form: unknown;
  reviewsNodeId: string | null;
};
type Row = {
  id: string;
  projectId: string;
  name: string;
  description: string;
  templateId: string | null;
  status: string;
  version: number;
  previousId: string | null;
  next: { id: string } | null;
  createdAt: Date;
  nodes: NodeRow[];
};

export function pipelineView(p: Row): z.infer<typeof pipelineSchema> {
  const keyOf = new Map(p.nodes.map((n) => [n.id, n.key]));
  return {
    id: p.id,
    projectId: p.projectId,
    name: p.name,
    description: p.description,
    templateId: p.templateId,
    status: p.status as "active" | "archived",
    version: p.version,
    previousId: p.previousId,
    nextId: p.next?.id ?? null,
    createdAt: p.createdAt.toISOString(),
    nodes: p.nodes.map((n) => ({
      id: n.id,
      key: n.key,
      kind: n.kind as "task" | "review" | "end",
      name: n.name,
      position: n.position,
      contributorTypeId: n.contributorTypeId,
      leaseSeconds: n.leaseSeconds,
      maxLeaseSeconds: n.maxLeaseSeconds ?? 4 * n.leaseSeconds,
      form: (n.form as Form | null) ?? null,
      reviewsNodeId: n.reviewsNodeId,
      reviews: n.reviewsNodeId ? (keyOf.get(n.reviewsNodeId) ?? null) : null,
    })),
  };
}

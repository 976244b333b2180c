// The task filters the data explorer and the export share, as one SQL
// condition. Raw SQL because the useful filters ("from this agent",
// "evaluated by this person") are EXISTS over tables without a Prisma relation.
import { Prisma } from "@prisma/client";
import { z } from "zod";
import { id } from "../../http/route";

export const taskFilterShape = {
  status: z.enum(["queued", "claimed", "completed", "cancelled"]).optional(),
  pipelineId: id.optional(),
  /** The node the task waits at now. */
  nodeId: id.optional(),
  /** Tasks created by runs of this agent. */
  agentId: id.optional(),
  /** The task of the run an agent sent under this id of its own. */
  externalId: z.string().min(1).max(200).optional(),
  /** Tasks this person submitted an evaluation or a review on. */
  contributorId: id.optional(),
  /** Work for this contributor type: assigned to it, or waiting at a node that requires it (as GET .../tasks). */
  contributorTypeId: id.optional(),
  /** run: created by an agent run; import: imported directly. */
  source: z.enum(["run", "import"]).optional(),
  createdFrom: z.iso.datetime({ offset: true }).optional(),
  createdTo: z.iso.datetime({ offset: true }).optional(),
};
const filters = z.object(taskFilterShape);
export type TaskFilters = z.infer<typeof filters>;

export function taskWhere(projectId: string, f: TaskFilters): Prisma.Sql {
  const c: Prisma.Sql[] = [Prisma.sql`t."projectId" = ${projectId}`];
  if (f.status) c.push(Prisma.sql`t."status" = ${f.status}`);
  if (f.pipelineId) c.push(Prisma.sql`t."pipelineId" = ${f.pipelineId}`);
  if (f.nodeId) c.push(Prisma.sql`t."nodeId" = ${f.nodeId}`);
  if (f.source === "run") c.push(Prisma.sql`t."runId" IS NOT NULL`);
  if (f.source === "import") c.push(Prisma.sql`t."runId" IS NULL`);
  if (f.agentId) c.push(Prisma.sql`EXISTS (SELECT 1 FROM "Run" r WHERE r."taskId" = t."id" AND r."agentId" = ${f.agentId})`);
  if (f.externalId) c.push(Prisma.sql`EXISTS (SELECT 1 FROM "Run" r WHERE r."taskId" = t."id" AND r."externalId" = ${f.externalId})`);
  if (f.contributorId)
    c.push(
      Prisma.sql`(EXISTS (SELECT 1 FROM "Submission" s WHERE s."taskId" = t."id" AND s."userId" = ${f.contributorId})
        OR EXISTS (SELECT 1 FROM "Review" v WHERE v."taskId" = t."id" AND v."userId" = ${f.contributorId}))`,
    );
  if (f.contributorTypeId)
    c.push(
      Prisma.sql`(t."assignedTypeId" = ${f.contributorTypeId}
        OR EXISTS (SELECT 1 FROM "PipelineNode" tn WHERE tn."id" = t."nodeId" AND tn."contributorTypeId" = ${f.contributorTypeId}))`,
    );
  if (f.createdFrom) c.push(Prisma.sql`t."createdAt" >= ${new Date(f.createdFrom)}`);
  if (f.createdTo) c.push(Prisma.sql`t."createdAt" < ${new Date(f.createdTo)}`);
  return Prisma.join(c, " AND ");
}

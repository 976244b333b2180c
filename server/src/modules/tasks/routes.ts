import { z } from "zod";
import type { Prisma } from "@prisma/client";
import { authorize } from "../../access/authorize";
import { invalidRequest, notFound } from "../../http/errors";
import { id, jsonObject, listQuery, page, pageOf, type Api } from "../../http/route";
import { PRIORITY_MAX, PRIORITY_MIN } from "../../queue/placement";
import { loadProject } from "../load";
import { loadPipeline } from "../pipelines/service";
import { parseTasksCsv } from "./csv";
import { withAssignment } from "./assignment";
import { taskDetail } from "./history";
import { registerTaskEditRoute } from "./edit-route";
import { importTasks, type TaskInput } from "./service";
import { NO_PAYLOAD, payloadFacts } from "./summaries";
import { taskDetailSchema, taskSummarySchema, taskSummaryView } from "./view";

const taskInput = z.strictObject({
  payload: jsonObject,
  priority: z.number().int().min(PRIORITY_MIN).max(PRIORITY_MAX).optional(),
  assignTo: z.union([z.strictObject({ userId: id }), z.strictObject({ contributorTypeId: id })]).optional(),
});
// The count limit answers 413 in the service, with the limit in the message.
const importBody = z.strictObject({ tasks: z.array(taskInput).min(1) });

export function registerTaskRoutes(api: Api) {
  api.add({
    method: "post",
    path: "/api/pipelines/:pipelineId/tasks",
    tag: "tasks",
    summary:
      "Import tasks into a pipeline's first node: JSON {tasks:[…]} or text/csv, up to 10,000 per request, all or nothing; an archived pipeline answers 409 pipeline_archived (details.currentPipelineId when a newer version replaced it)",
    params: z.strictObject({ pipelineId: id }),
    body: importBody,
    accepts: ["text/csv"],
    status: 201,
    response: z.object({ count: z.number(), taskIds: z.array(z.string()) }),
    async handler({ actor, params, body, req, deps }) {
      const pipeline = await loadPipeline(deps, actor, params.pipelineId, "project.ingest");
      let items: TaskInput[];
      if (req.is("text/csv")) {
        if (typeof req.body !== "string") throw invalidRequest("Send the CSV as the request body with Content-Type: text/csv.");
        items = parseTasksCsv(req.body);
      } else items = body.tasks;
      return importTasks(deps, actor, pipeline, items);
    },
  });

  api.add({
    method: "get",
    path: "/api/projects/:projectId/tasks",
    tag: "tasks",
    summary:
      "List the project's tasks, oldest first, filtered by status, node, pipeline or contributor type: each with its payload's size and first 200 characters (the whole task: GET /api/tasks/{taskId})",
    params: z.strictObject({ projectId: id }),
    query: listQuery.extend({
      status: z.enum(["queued", "claimed", "completed", "cancelled"]).optional(),
      nodeId: id.optional(),
      pipelineId: id.optional(),
      contributorTypeId: id.optional(),
    }),
    response: page(taskSummarySchema),
    async handler({ actor, params, query, deps }) {
      await loadProject(deps, actor, params.projectId, "project.inspect");
      const where: Prisma.TaskWhereInput = {
        projectId: params.projectId,
        ...(query.status ? { status: query.status } : {}),
        ...(query.nodeId ? { nodeId: query.nodeId } : {}),
        ...(query.pipelineId ? { pipelineId: query.pipelineId } : {}),
        ...(query.cursor ? { id: { gt: query.cursor } } : {}),
      };
      if (query.contributorTypeId) {
        // Work for a type: assigned to it, or waiting at a node that requires it.
        const nodes = await deps.db.pipelineNode.findMany({ where: { projectId: params.projectId, contributorTypeId: query.contributorTypeId }, select: { id: true } });
        where.OR = [{ assignedTypeId: query.contributorTypeId }, { nodeId: { in: nodes.map((n) => n.id) } }];
      }
      // Never the payloads: PostgreSQL measures and cuts them for the page (summaries.ts).
      const rows = await deps.db.task.findMany({ where, orderBy: { id: "asc" }, take: query.limit + 1, omit: { payload: true } });
      const p = pageOf(rows, query.limit);
      const [items, facts] = await Promise.all([withAssignment(deps.db, p.items), payloadFacts(deps.db, p.items.map((t) => t.id))]);
      return { items: items.map((t) => taskSummaryView(t, facts.get(t.id) ?? NO_PAYLOAD)), nextCursor: p.nextCursor };
    },
  });

  api.add({
    method: "get",
    path: "/api/tasks/:taskId",
    tag: "tasks",
    summary: "Read a task with its full history: claims, submissions, reviews, releases and expiries, with who and when",
    params: z.strictObject({ taskId: id }),
    response: taskDetailSchema,
    async handler({ actor, params, deps }) {
      const task = await deps.db.task.findUnique({ where: { id: params.taskId }, include: { project: { select: { id: true, orgId: true } } } });
      if (!task) throw notFound("task");
      authorize(actor, "project.inspect", task.project, "task");
      const [withApplies] = await withAssignment(deps.db, [task]);
      return taskDetail(deps, withApplies!);
    },
  });
  registerTaskEditRoute(api);
}

// PATCH /api/tasks/:taskId: an Owner's (or Org Admin's) change of a task after
// import: priority, assignment, cancel or reopen (edit.ts).
import { z } from "zod";
import { authorize } from "../../access/authorize";
import { notFound } from "../../http/errors";
import { id, type Api } from "../../http/route";
import { PRIORITY_MAX, PRIORITY_MIN } from "../../queue/placement";
import { withAssignment } from "./assignment";
import { editTask } from "./edit";
import { taskSchema, taskView } from "./view";

const editBody = z.strictObject({
  priority: z.number().int().min(PRIORITY_MIN).max(PRIORITY_MAX).optional().describe("a higher priority is served first, then the oldest"),
  assignment: z
    .union([z.strictObject({ userId: id }), z.strictObject({ contributorTypeId: id })])
    .nullable()
    .optional()
    .describe(
      "a contributor of the project, or one of its contributor types, for the task's whole life (it applies at the nodes its assignee may work: the answer's assignmentApplies says whether it does at the current one); null clears it",
    ),
  status: z
    .enum(["cancelled", "queued"])
    .optional()
    .describe("cancelled: out of every queue (a live claim is revoked, its holder told); queued: a cancelled task reopened at the node it was at"),
});

export function registerTaskEditRoute(api: Api) {
  api.add({
    method: "patch",
    path: "/api/tasks/:taskId",
    tag: "tasks",
    summary:
      "Change a task: priority, assignment (a person, a type, or none) or status (cancel, reopen). A live claim the change no longer admits is revoked. 409 task_completed, project_archived",
    params: z.strictObject({ taskId: id }),
    body: editBody,
    response: taskSchema,
    async handler({ actor, params, body, deps }) {
      const task = await deps.db.task.findUnique({ where: { id: params.taskId }, select: { id: true, projectId: true, project: { select: { id: true, orgId: true } } } });
      if (!task) throw notFound("task");
      authorize(actor, "project.write", task.project, "task");
      await editTask(deps, actor, { id: task.id, projectId: task.projectId, orgId: task.project.orgId }, body);
      const row = await deps.db.task.findUnique({ where: { id: task.id } });
      if (!row) throw notFound("task");
      const [view] = await withAssignment(deps.db, [row]);
      return taskView(view!);
    },
  });
}

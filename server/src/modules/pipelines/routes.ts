import { z } from "zod";
import { keysetPage } from "../../http/keyset";
import { id, listQuery, page, type Api } from "../../http/route";
import { loadProject } from "../load";
import { pipelineInputSchema } from "./schema";
import { deletePipeline } from "./delete";
import { newVersion, setPipelineStatus, updatePipeline } from "./lifecycle";
import { createPipeline, listPipelines, loadPipeline } from "./service";
import { pipelineSchema, pipelineView } from "./view";

const projectParams = z.strictObject({ projectId: id });
const pipelineParams = z.strictObject({ pipelineId: id });
const patchBody = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  description: z.string().max(2000).optional(),
});

export function registerPipelineRoutes(api: Api) {
  api.add({
    method: "get",
    path: "/api/projects/:projectId/pipelines",
    tag: "pipelines",
    summary: "The project's pipelines with their ordered nodes and forms, oldest first; `status` keeps the active or the archived ones",
    params: projectParams,
    query: listQuery.extend({ status: z.enum(["active", "archived"]).optional() }),
    response: page(pipelineSchema),
    async handler({ actor, params, query, deps }) {
      await loadProject(deps, actor, params.projectId, "project.inspect");
      const p = keysetPage(await listPipelines(deps, params.projectId, query), query.limit, "createdAt");
      return { items: p.items.map(pipelineView), nextCursor: p.nextCursor };
    },
  });

  api.add({
    method: "post",
    path: "/api/projects/:projectId/pipelines",
    tag: "pipelines",
    summary: "Create a pipeline: task nodes with forms, review nodes naming the task node they review, one end node last",
    params: projectParams,
    body: pipelineInputSchema,
    status: 201,
    response: pipelineSchema,
    async handler({ actor, params, body, deps }) {
      const project = await loadProject(deps, actor, params.projectId, "project.write");
      return pipelineView(await createPipeline(deps, actor, project, body));
    },
  });

  api.add({
    method: "get",
    path: "/api/pipelines/:pipelineId",
    tag: "pipelines",
    summary: "Read a pipeline with its nodes, status and version",
    params: pipelineParams,
    response: pipelineSchema,
    async handler({ actor, params, deps }) {
      return pipelineView(await loadPipeline(deps, actor, params.pipelineId, "project.inspect"));
    },
  });

  api.add({
    method: "patch",
    path: "/api/pipelines/:pipelineId",
    tag: "pipelines",
    summary: "Rename a pipeline or change its description (Owners and Org Admins); its nodes never change: see versions",
    params: pipelineParams,
    body: patchBody,
    response: pipelineSchema,
    async handler({ actor, params, body, deps }) {
      const p = await loadPipeline(deps, actor, params.pipelineId, "project.write");
      return pipelineView(await updatePipeline(deps, actor, p, body));
    },
  });

  api.add({
    method: "delete",
    path: "/api/pipelines/:pipelineId",
    tag: "pipelines",
    summary:
      "Delete a pipeline that never held a task (Owners and Org Admins); one with tasks or runs, or one a newer version replaced, answers 409 pipeline_in_use and stays: archive it instead",
    params: pipelineParams,
    status: 204,
    async handler({ actor, params, deps }) {
      const p = await loadPipeline(deps, actor, params.pipelineId, "project.write");
      await deletePipeline(deps, actor, p);
    },
  });

  api.add({
    method: "post",
    path: "/api/pipelines/:pipelineId/archive",
    tag: "pipelines",
    summary:
      "Archive a pipeline (Owners and Org Admins): it takes no new tasks (imports and runs answer 409 pipeline_archived); the tasks already in it are still claimed, submitted and reviewed to the end. Archiving an archived pipeline changes nothing",
    params: pipelineParams,
    response: pipelineSchema,
    async handler({ actor, params, deps }) {
      const p = await loadPipeline(deps, actor, params.pipelineId, "project.write");
      return pipelineView(await setPipelineStatus(deps, actor, p, "archived"));
    },
  });

  api.add({
    method: "post",
    path: "/api/pipelines/:pipelineId/restore",
    tag: "pipelines",
    summary:
      "Let an archived pipeline take new tasks again (Owners and Org Admins); a version that a newer one replaced answers 409 pipeline_superseded with details.currentPipelineId",
    params: pipelineParams,
    response: pipelineSchema,
    async handler({ actor, params, deps }) {
      const p = await loadPipeline(deps, actor, params.pipelineId, "project.write");
      return pipelineView(await setPipelineStatus(deps, actor, p, "active"));
    },
  });

  api.add({
    method: "post",
    path: "/api/pipelines/:pipelineId/versions",
    tag: "pipelines",
    summary:
      "Change a pipeline's nodes or forms: creates its next version (a new pipeline, version + 1, previousId = this one; the definition as on create) and archives this one in the same transaction. Tasks in flight finish on this version; new imports and runs go to the new one (sent to this one: 409 pipeline_archived with details.currentPipelineId). Only the newest version can be changed (else 409 pipeline_superseded)",
    params: pipelineParams,
    body: pipelineInputSchema,
    status: 201,
    response: pipelineSchema,
    async handler({ actor, params, body, deps }) {
      const p = await loadPipeline(deps, actor, params.pipelineId, "project.write");
      return pipelineView(await newVersion(deps, actor, p, body));
    },
  });
}

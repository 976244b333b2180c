import { z } from "zod";
import { keysetPage } from "../../http/keyset";
import { id, listQuery, page, type Api } from "../../http/route";
import { loadProject } from "../load";
import { pipelineInputSchema } from "./schema";
import { createPipeline, listPipelines, loadPipeline } from "./service";
import { pipelineSchema, pipelineView } from "./view";

const projectParams = z.strictObject({ projectId: id });

export function registerPipelineRoutes(api: Api) {
  api.add({
    method: "get",
    path: "/api/projects/:projectId/pipelines",
    tag: "pipelines",
    summary: "The project's pipelines with their ordered nodes and forms, oldest first",
    params: projectParams,
    query: listQuery,
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
    summary: "Read a pipeline with its nodes",
    params: z.strictObject({ pipelineId: id }),
    response: pipelineSchema,
    async handler({ actor, params, deps }) {
      return pipelineView(await loadPipeline(deps, actor, params.pipelineId, "project.inspect"));
    },
  });
}

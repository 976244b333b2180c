// POST /api/projects/:projectId/pipelines/from-template/:templateId — a
// template of the project's org becomes a pipeline of the project, through the
// pipeline engine's own create command (same validation, audit and events).
// Contributor types belong to the project, so they are chosen here per node key.
// The templates to choose from: GET /api/projects/:projectId/templates (library.ts).
import { z } from "zod";
import type { Actor } from "../../access/actor";
import type { Deps } from "../../deps";
import { invalidRequest, notFound } from "../../http/errors";
import { id, type Api } from "../../http/route";
import { loadProject } from "../load";
import { pipelineInputSchema } from "../pipelines/schema";
import { createPipeline } from "../pipelines/service";
import { pipelineSchema, pipelineView } from "../pipelines/view";
import type { TemplateNode } from "./templates";

const body = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  /** Node key → contributor type id of this project, for nodes that require one. */
  contributorTypes: z.record(z.string().max(64), id).optional(),
});

export async function instantiateTemplate(
  deps: Deps,
  actor: Actor,
  project: { id: string; orgId: string },
  templateId: string,
  input: z.infer<typeof body>,
) {
  const template = await deps.db.pipelineTemplate.findFirst({ where: { id: templateId, orgId: project.orgId } });
  if (!template) throw notFound("template");
  const nodes = template.nodes as TemplateNode[];
  const types = input.contributorTypes ?? {};
  const unknown = Object.keys(types).filter((k) => !nodes.some((n) => n.key === k));
  if (unknown.length)
    throw invalidRequest(`The template has no node with key ${unknown.map((k) => `"${k}"`).join(", ")}.`, {
      issues: unknown.map((k) => ({ in: "body", path: `contributorTypes.${k}`, message: "No such node in the template" })),
    });
  // Validated again: a template saved under older rules must still make a valid pipeline.
  // Own keys only: a node key such as "constructor" must not find what every object inherits.
  const parsed = pipelineInputSchema.safeParse({
    name: input.name ?? template.name,
    nodes: nodes.map((n) => ({ ...n, ...(Object.hasOwn(types, n.key) ? { contributorTypeId: types[n.key] } : {}) })),
  });
  if (!parsed.success)
    throw invalidRequest("This template does not make a valid pipeline.", {
      issues: parsed.error.issues.map((i) => ({ in: "template", path: i.path.map(String).join("."), message: i.message })),
    });
  return createPipeline(deps, actor, project, parsed.data, template.id);
}

export function registerInstantiateRoute(api: Api) {
  api.add({
    method: "post",
    path: "/api/projects/:projectId/pipelines/from-template/:templateId",
    tag: "pipelines",
    summary: "Create a pipeline from one of the organization's templates (optionally a new name and a contributor type per node key)",
    params: z.strictObject({ projectId: id, templateId: id }),
    body,
    status: 201,
    response: pipelineSchema,
    async handler({ actor, params, body, deps }) {
      const project = await loadProject(deps, actor, params.projectId, "project.write");
      return pipelineView(await instantiateTemplate(deps, actor, project, params.templateId, body));
    },
  });
}

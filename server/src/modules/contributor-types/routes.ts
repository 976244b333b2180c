import { z } from "zod";
import type { Actor } from "../../access/actor";
import type { Deps } from "../../deps";
import { conflict, notFound } from "../../http/errors";
import { decodeCursor, keysetPage } from "../../http/keyset";
import { id, listQuery, page, type Api } from "../../http/route";
import { recordAudit } from "../audit/record";
import { loadProject } from "../load";
import { projectMustExist } from "../projects/lock";
import { deleteContributorType } from "./delete";
import { scheduleSchema, type Schedule } from "./schedule";

const limits = {
  claimLimit: z.number().int().min(1).max(10_000),
  poolLimit: z.number().int().min(1).max(1_000_000).nullable(),
};
const createBody = z.strictObject({
  name: z.string().trim().min(1).max(100),
  claimLimit: limits.claimLimit,
  poolLimit: limits.poolLimit.optional(),
  schedule: scheduleSchema.nullable().optional(),
});
const patchBody = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  claimLimit: limits.claimLimit.optional(),
  poolLimit: limits.poolLimit.optional(),
  schedule: scheduleSchema.nullable().optional(),
});
export const contributorTypeSchema = z.object({
  id: z.string(),
  projectId: z.string(),
  name: z.string(),
  claimLimit: z.number(),
  poolLimit: z.number().nullable(),
  schedule: scheduleSchema.nullable(),
  members: z.number(),
  createdAt: z.string(),
});

type Row = { id: string; projectId: string; name: string; claimLimit: number; poolLimit: number | null; schedule: unknown; createdAt: Date };
const view = (t: Row, members = 0) => ({
  id: t.id,
  projectId: t.projectId,
  name: t.name,
  claimLimit: t.claimLimit,
  poolLimit: t.poolLimit,
  schedule: (t.schedule as Schedule | null) ?? null,
  members,
  createdAt: t.createdAt.toISOString(),
});

const projectParams = z.strictObject({ projectId: id });
const typeParams = z.strictObject({ projectId: id, typeId: id });

async function loadType(deps: Deps, actor: Actor, projectId: string, typeId: string) {
  const project = await loadProject(deps, actor, projectId, "project.write");
  const type = await deps.db.contributorType.findFirst({ where: { id: typeId, projectId } });
  if (!type) throw notFound("contributor type");
  return { project, type };
}

export function registerContributorTypeRoutes(api: Api) {
  api.add({
    method: "get",
    path: "/api/projects/:projectId/contributor-types",
    tag: "contributor types",
    summary: "List the project's contributor types with limits and schedules, by name",
    params: projectParams,
    query: listQuery,
    response: page(contributorTypeSchema),
    async handler({ actor, params, query, deps }) {
      await loadProject(deps, actor, params.projectId, "project.inspect");
      // Names are unique in a project: the name alone orders the pages.
      const after = query.cursor ? decodeCursor(query.cursor, "string").value : undefined;
      const rows = await deps.db.contributorType.findMany({
        where: { projectId: params.projectId, ...(after !== undefined ? { name: { gt: after as string } } : {}) },
        orderBy: [{ name: "asc" }, { id: "asc" }],
        include: { _count: { select: { members: true } } },
        take: query.limit + 1,
      });
      const p = keysetPage(rows, query.limit, "name");
      return { items: p.items.map((r) => view(r, r._count.members)), nextCursor: p.nextCursor };
    },
  });

  api.add({
    method: "post",
    path: "/api/projects/:projectId/contributor-types",
    tag: "contributor types",
    summary: "Create a contributor type (claim limit, optional pool limit and schedule)",
    params: projectParams,
    body: createBody,
    status: 201,
    response: contributorTypeSchema,
    async handler({ actor, params, body, deps }) {
      const project = await loadProject(deps, actor, params.projectId, "project.write");
      const t = await deps.db
        .$transaction(async (tx) => {
          await projectMustExist(tx, project.id);
          const t = await tx.contributorType.create({
            data: { projectId: project.id, name: body.name, claimLimit: body.claimLimit, poolLimit: body.poolLimit ?? null, schedule: body.schedule ?? undefined },
          });
          await recordAudit(tx, actor, { orgId: project.orgId, action: "contributor_type.create", resourceType: "contributor_type", resourceId: t.id, after: t });
          return t;
        })
        .catch(uniqueName);
      deps.bus.publish({ type: "project.changed", orgId: project.orgId, projectId: project.id });
      return view(t);
    },
  });

  api.add({
    method: "patch",
    path: "/api/projects/:projectId/contributor-types/:typeId",
    tag: "contributor types",
    summary: "Edit a contributor type; new limits apply to the next claim",
    params: typeParams,
    body: patchBody,
    response: contributorTypeSchema,
    async handler({ actor, params, body, deps }) {
      const { project, type } = await loadType(deps, actor, params.projectId, params.typeId);
      const t = await deps.db
        .$transaction(async (tx) => {
          const t = await tx.contributorType.update({
            where: { id: type.id },
            data: {
              ...(body.name !== undefined ? { name: body.name } : {}),
              ...(body.claimLimit !== undefined ? { claimLimit: body.claimLimit } : {}),
              ...(body.poolLimit !== undefined ? { poolLimit: body.poolLimit } : {}),
              ...(body.schedule !== undefined ? { schedule: body.schedule === null ? (null as never) : body.schedule } : {}),
            },
          });
          await recordAudit(tx, actor, { orgId: project.orgId, action: "contributor_type.update", resourceType: "contributor_type", resourceId: t.id, before: type, after: t });
          return t;
        })
        .catch(uniqueName);
      deps.bus.publish({ type: "project.changed", orgId: project.orgId, projectId: project.id });
      const members = await deps.db.projectMember.count({ where: { contributorTypeId: t.id } });
      return view(t, members);
    },
  });

  api.add({
    method: "delete",
    path: "/api/projects/:projectId/contributor-types/:typeId",
    tag: "contributor types",
    summary:
      "Delete a contributor type (409 type_in_use while pipeline nodes or queued or claimed tasks require it); its cancelled tasks lose their assignment to it",
    params: typeParams,
    status: 204,
    async handler({ actor, params, deps }) {
      const { project, type } = await loadType(deps, actor, params.projectId, params.typeId);
      await deleteContributorType(deps, actor, project, type);
    },
  });
}

function uniqueName(err: unknown): never {
  if ((err as { code?: string }).code === "P2002") throw conflict("name_taken", "A contributor type with this name already exists in the project.");
  throw err;
}

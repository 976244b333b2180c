// Pipelines: created whole (nodes in order), read, listed. Definitions are
// immutable once created, so tasks never sit at a node that changed under them:
// a change of flow or form is a new version (lifecycle.ts).
import { Prisma } from "@prisma/client";
import type { Actor } from "../../access/actor";
import { authorize, type Action } from "../../access/authorize";
import type { Deps } from "../../deps";
import { invalidRequest, notFound } from "../../http/errors";
import type { Db, Tx } from "../../infra/prisma";
import { newId } from "../../queue/ids";
import { recordAudit } from "../audit/record";
import { shareTypes } from "../contributor-types/lock";
import { projectMustExist } from "../projects/lock";
import { afterCursor, keysetOrder } from "../../http/keyset";
import { LEASE_DEFAULT, type PipelineInput } from "./schema";

type Project = { id: string; orgId: string };
export const withNodes = { nodes: { orderBy: { position: "asc" } }, next: { select: { id: true } } } as const;

export async function createPipeline(deps: Deps, actor: Actor, project: Project, input: PipelineInput, templateId?: string) {
  const p = await deps.db.$transaction(async (tx) => {
    await projectMustExist(tx, project.id);
    await typesMustExist(tx, project.id, input);
    const p = await insertPipeline(tx, project.id, input, templateId);
    await recordAudit(tx, actor, {
      orgId: project.orgId,
      action: "pipeline.create",
      resourceType: "pipeline",
      resourceId: p.id,
      after: { name: p.name, nodes: p.nodes.map((n) => ({ key: n.key, kind: n.kind, contributorTypeId: n.contributorTypeId })) },
    });
    return p;
  });
  deps.bus.publish({ type: "project.changed", orgId: project.orgId, projectId: project.id });
  return p;
}

/** Writes a validated definition (also used by the demo seed, inside its transaction); `previous`: the version it replaces. */
export async function insertPipeline(
  tx: Tx | Db,
  projectId: string,
  input: PipelineInput,
  templateId?: string,
  previous?: { id: string; version: number; description: string },
) {
  const id = newId();
  const ids = new Map(input.nodes.map((n) => [n.key, newId()]));
  await tx.pipeline.create({
    data: {
      id,
      projectId,
      name: input.name,
      description: input.description ?? previous?.description ?? "",
      templateId: templateId ?? null,
      version: previous ? previous.version + 1 : 1,
      previousId: previous?.id ?? null,
    },
  });
  await tx.pipelineNode.createMany({
    data: input.nodes.map((n, position) => ({
      id: ids.get(n.key)!,
      pipelineId: id,
      projectId,
      key: n.key,
      kind: n.kind,
      name: n.name,
      position,
      contributorTypeId: n.contributorTypeId ?? null,
      leaseSeconds: n.leaseSeconds ?? LEASE_DEFAULT,
      maxLeaseSeconds: n.maxLeaseSeconds ?? null,
      form: n.form ?? Prisma.DbNull,
      reviewsNodeId: n.reviews ? ids.get(n.reviews)! : null,
    })),
  });
  return tx.pipeline.findUniqueOrThrow({ where: { id }, include: withNodes });
}

export async function typesMustExist(tx: Tx, projectId: string, input: PipelineInput) {
  const wanted = [...new Set(input.nodes.map((n) => n.contributorTypeId).filter((t): t is string => !!t))];
  if (!wanted.length) return;
  // FOR SHARE until commit: a concurrent delete of a type waits and then counts these nodes.
  const found = await shareTypes(tx, projectId, wanted);
  const missing = input.nodes.flatMap((n, i) => (n.contributorTypeId && !found.has(n.contributorTypeId) ? [i] : []));
  if (missing.length) {
    throw invalidRequest("A node requires a contributor type this project does not have.", {
      issues: missing.map((i) => ({ in: "body", path: `nodes.${i}.contributorTypeId`, message: "No such contributor type in this project" })),
    });
  }
}

/** A pipeline with its nodes, if the actor may `action` its project (another org's: 404). */
export async function loadPipeline(deps: Deps, actor: Actor, pipelineId: string, action: Extract<Action, `project.${string}`>) {
  const p = await deps.db.pipeline.findUnique({ where: { id: pipelineId }, include: { ...withNodes, project: { select: { id: true, orgId: true, status: true } } } });
  if (!p) throw notFound("pipeline");
  authorize(actor, action, p.project, "pipeline");
  return p;
}

/** One page of the project's pipelines, oldest first; all of them, or the active or the archived ones. */
export function listPipelines(deps: Deps, projectId: string, page: { limit: number; cursor?: string; status?: "active" | "archived" }) {
  return deps.db.pipeline.findMany({
    where: { projectId, ...(page.status ? { status: page.status } : {}), ...afterCursor("createdAt", "asc", page.cursor) },
    include: withNodes,
    orderBy: keysetOrder("createdAt", "asc"),
    take: page.limit + 1,
  });
}

// A project's archive, restore and delete are serialised with the writers that
// add to it (task import, run ingest, agents, pipelines, types, members) and
// those that take someone off it or change their role there (whose claims and
// member rows a delete clears too: in the other order the two would deadlock) by an
// advisory lock per project: writers take it shared in their transaction and
// read the project's status after it, the lifecycle change takes it
// exclusively before it changes the row. So a writer under way commits first
// (and the archive or delete sees its rows), or it finds the project archived
// or gone and refuses as a request sent afterwards would. An advisory lock
// writes nothing, unlike FOR SHARE on the one hot project row.
// The lifecycle change also takes the claim engine's lock (7301: held shared
// while pipelines_claim records a claim), so claims being recorded finish first.
import { conflict, notFound } from "../../http/errors";
import type { Tx } from "../../infra/prisma";

const LIFECYCLE = 7302;
const CLAIMS = 7301;

/** The shared lock only, for a writer that reads the status in a statement of its own (run ingest). */
export async function shareLock(tx: Tx, projectIds: string[]): Promise<void> {
  if (!projectIds.length) return;
  const ids = [...projectIds].sort();
  await tx.$executeRaw`SELECT pg_advisory_xact_lock_shared(${LIFECYCLE}::int, hashtext(id)) FROM unnest(${ids}::text[]) AS id`;
}

/**
 * Locked shared until the transaction ends, then read: the status as it is
 * once any archive or delete under way committed; null when the project is gone.
 */
export async function shareProject(tx: Tx, projectId: string): Promise<string | null> {
  await shareLock(tx, [projectId]);
  const [row] = await tx.$queryRaw<Array<{ status: string }>>`SELECT "status" FROM "Project" WHERE "id" = ${projectId}`;
  return row?.status ?? null;
}

/** For writers of new tasks (imports, runs): an archived project takes none. */
export function projectMustBeActive(status: string): void {
  if (status !== "active") throw conflict("project_archived", "This project is archived: no new tasks can enter it.");
}

/** For writers that add to a project whatever its status: 404 when it was deleted meanwhile. */
export async function projectMustExist(tx: Tx, projectId: string): Promise<void> {
  if (!(await shareProject(tx, projectId))) throw notFound("project");
}

/**
 * The transaction options of an archive, restore or delete: it may wait for an import under
 * way, which may take as long (tasks/service.ts), where Prisma's default ends it after 5 s.
 */
export const LIFECYCLE_TX = { timeout: 60_000 };

/** Archive, restore, delete: waits for the writers and claim records under way; none starts until commit. */
export async function lockProject(tx: Tx, projectId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${LIFECYCLE}::int, hashtext(${projectId}::text))`;
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${CLAIMS}::int, hashtext(${projectId}::text))`;
}

/**
 * A pipeline's archive, restore, new version (pipelines/lifecycle.ts) or delete (pipelines/delete.ts): waits for the imports
 * and runs under way in the project, and none starts until commit (they read the pipeline's
 * status after their shared lock). Claims are not held up: the tasks in an archived pipeline finish.
 */
export async function lockWriters(tx: Tx, projectId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${LIFECYCLE}::int, hashtext(${projectId}::text))`;
}

/**
 * An archive refuses the claims Redis decided before it (on definitions an
 * instance cached while the project was active): pipelines_claim answers
 * `stale` to a generation other than PostgreSQL's, and the claim reads the
 * project again. Redis is rebuilt on the next claim after a restore.
 */
export async function refuseDecidedClaims(tx: Tx, projectId: string): Promise<void> {
  await tx.$executeRaw`UPDATE "QueueState" SET "generation" = "generation" + 1 WHERE "projectId" = ${projectId}`;
}

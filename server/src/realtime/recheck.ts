// Rights change while sockets stay open: a member removed from a project or the
// org, a role changed. The sockets watching a room are checked again in one
// batch (a few queries per room, never one per socket); a socket that lost
// access leaves the room and is told (`room:left`). Runs when a project's
// memberships or an org's people change and, for every watched room, at each resync.
import { loadActor, type Actor, type OrgRole, type ProjectRole } from "../access/actor";
import type { Deps } from "../deps";
import { AppError } from "../http/errors";
import { sqlOfDb } from "../queue/pg";
import { rooms } from "../shared/socket-events";
import type { Emitter } from "./emitter";
import { allowRoom, audienceRoom, joinInner, leaveRoom, loadProjectRef, parseRoom, type ProjectRef } from "./rooms";
import type { AppSocket, IO } from "./types";

type OrgRow = { userId: string; role: string };
type ProjectRow = { userId: string; role: string; contributorTypeId: string | null };

export async function recheckRoom(deps: Deps, io: IO, emitter: Emitter, name: string): Promise<void> {
  const ids = io.of("/").adapter.rooms.get(name);
  if (!ids?.size) return;
  const room = parseRoom(name);
  const sockets = [...ids].map((id) => io.of("/").sockets.get(id)).filter((s): s is AppSocket => !!s);
  const userIds = [...new Set(sockets.map((s) => s.data.actor.userId))];
  const project = room.kind === "orgDashboard" ? null : await loadProjectRef(deps, room.projectId);
  const orgId = room.kind === "orgDashboard" ? room.orgId : project?.orgId;
  // One statement each through pg with the ids as one array parameter: a room holds
  // thousands of sockets, and Prisma keeps the plans of its last 100 queries for its
  // debug log (a 5,000-id list each), besides compiling them on the event loop.
  const sql = sqlOfDb(deps.db);
  const [orgRows, projectRows] = await Promise.all([
    orgId ? sql.query<OrgRow>(`SELECT "userId", role FROM "OrgMember" WHERE "orgId" = $1 AND "userId" = ANY($2::text[]) AND "joinedAt" IS NOT NULL`, [orgId, userIds]) : [],
    project
      ? sql.query<ProjectRow>(
          `SELECT "userId", role, "contributorTypeId" FROM "ProjectMember" WHERE "projectId" = $1 AND "userId" = ANY($2::text[])`,
          [project.id, userIds],
        )
      : [],
  ]);
  for (const socket of sockets) {
    if (orgId) refresh(socket.data.actor, orgId, orgRows, project, projectRows);
    try {
      allowRoom(socket.data.actor, room, project);
      // Still allowed, perhaps with another role: the queue nodes it sees follow.
      if (room.kind === "queue") await joinInner(socket, name, audienceRoom(name, socket.data.actor, project!));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      // Another recheck of this room may have run meanwhile: tell the socket once.
      if (!socket.rooms.has(name)) continue;
      await leaveRoom(socket, name);
      emitter.toSocket(socket, "room:left", { room: name, code: err.code });
    }
  }
}

/** The rooms that show a project: its queue, its dashboard and its org's dashboard. */
export async function recheckProject(deps: Deps, io: IO, emitter: Emitter, projectId: string, orgId: string): Promise<void> {
  for (const name of [rooms.queue(projectId), rooms.projectDashboard(projectId), rooms.orgDashboard(orgId)]) {
    await recheckRoom(deps, io, emitter, name);
  }
}

/** Every watched room of an org: its dashboard and its projects' rooms (a person's org standing changed). */
export async function recheckOrg(deps: Deps, io: IO, emitter: Emitter, orgId: string): Promise<void> {
  const watched = watchedRooms(io);
  if (!watched.length) return;
  const projects = await deps.db.project.findMany({ where: { orgId }, select: { id: true } });
  const names = new Set([rooms.orgDashboard(orgId), ...projects.flatMap((p) => [rooms.queue(p.id), rooms.projectDashboard(p.id)])]);
  for (const name of watched) if (names.has(name)) await recheckRoom(deps, io, emitter, name);
}

/** Every subscribable room with a watcher on this instance. */
export function watchedRooms(io: IO): string[] {
  return [...io.of("/").adapter.rooms.keys()].filter((r) => /^(project:[^:@]+:(queue|dashboard)|org:[^:@]+:dashboard)$/.test(r));
}

/** The actor's standing in this org and project, as the database says now (loadActor's rules). */
function refresh(actor: Actor, orgId: string, orgRows: OrgRow[], project: ProjectRef | null, projectRows: ProjectRow[]): void {
  const om = orgRows.find((r) => r.userId === actor.userId);
  if (om && (!actor.apiKey || actor.apiKey.orgId === orgId)) actor.orgs.set(orgId, om.role as OrgRole);
  else actor.orgs.delete(orgId);
  if (!project) return;
  const pm = projectRows.find((r) => r.userId === actor.userId);
  const inScope = !actor.apiKey?.project || actor.apiKey.project.id === project.id;
  if (pm && actor.orgs.has(orgId) && inScope) actor.projects.set(project.id, { role: pm.role as ProjectRole, orgId, contributorTypeId: pm.contributorTypeId });
  else actor.projects.delete(project.id);
}

/**
 * Sockets that came with an API key that no longer authenticates are closed (HTTP refuses it
 * at once): revoked, deleted with its project, or its maker gone from the key's org or project.
 */
export async function dropRevokedKeys(deps: Deps, io: IO): Promise<void> {
  const byKey = new Map<string, AppSocket[]>();
  for (const s of io.of("/").sockets.values()) {
    const id = s.data.actor?.apiKey?.id;
    if (id) byKey.set(id, [...(byKey.get(id) ?? []), s]);
  }
  if (!byKey.size) return;
  const live = await deps.db.apiKey.findMany({ where: { id: { in: [...byKey.keys()] }, revokedAt: null }, select: { id: true } });
  const alive = new Set(live.map((k) => k.id));
  for (const [id, sockets] of byKey) {
    const { userId, apiKey } = sockets[0]!.data.actor;
    if (alive.has(id) && (await loadActor(deps.db, userId, apiKey, { fresh: true }))) continue;
    for (const s of sockets) s.disconnect(true);
  }
}

// subscribe / unsubscribe: a room is joined only after the same policy check as
// the HTTP routes that show the same data (access/policies/live.ts). Another
// org's room answers not_found, exactly like one that does not exist.
import { z } from "zod";
import { loadActor, type Actor } from "../access/actor";
import { authorize, can } from "../access/authorize";
import type { Deps } from "../deps";
import { AppError, invalidRequest, notFound, unauthenticated } from "../http/errors";
import { TIMEFRAMES, type Ack, type Timeframe } from "../shared/socket-events";
import { timeframeRoom } from "./dashboard-feed";
import type { Feeds } from "./feeds";
import type { AppSocket } from "./types";

/** A socket watches at most this many rooms: enough for every tab of a busy admin. */
const MAX_ROOMS = 50;

export type Room =
  | { kind: "queue"; name: string; projectId: string }
  | { kind: "projectDashboard"; name: string; projectId: string }
  | { kind: "orgDashboard"; name: string; orgId: string };

const subscribeSchema = z.strictObject({ room: z.string().min(1).max(200), timeframe: z.enum(TIMEFRAMES).optional() });
const unsubscribeSchema = z.strictObject({ room: z.string().min(1).max(200) });

export function parseRoom(name: string): Room {
  let m = /^project:([^:@]+):(queue|dashboard)$/.exec(name);
  if (m) return { kind: m[2] === "queue" ? "queue" : "projectDashboard", name, projectId: m[1]! };
  m = /^org:([^:@]+):dashboard$/.exec(name);
  if (m) return { kind: "orgDashboard", name, orgId: m[1]! };
  throw invalidRequest("Unknown room: use project:<id>:queue, project:<id>:dashboard or org:<id>:dashboard.");
}

export type ProjectRef = { id: string; orgId: string };

export const loadProjectRef = (deps: Deps, projectId: string): Promise<ProjectRef | null> =>
  deps.db.project.findUnique({ where: { id: projectId }, select: { id: true, orgId: true } });

/** Throws not_found / forbidden exactly as HTTP would for the same data (project: the room's, if any). */
export function allowRoom(actor: Actor, room: Room, project: ProjectRef | null): void {
  if (room.kind === "orgDashboard") return authorize(actor, "live.orgDashboard", { orgId: room.orgId }, "organization");
  if (!project) throw notFound("project");
  authorize(actor, room.kind === "queue" ? "live.queue" : "live.projectDashboard", project, "project");
}

/**
 * Who in a queue room sees which node: inspectors see every node; a contributor
 * only the nodes open to all or to their type, as the HTTP queue lists them.
 */
export function audienceRoom(room: string, actor: Actor, project: ProjectRef): string {
  if (can(actor, "project.inspect", project)) return `${room}~all`;
  return `${room}~t:${actor.projects.get(project.id)?.contributorTypeId ?? "_"}`;
}

/** Sits the socket in the inner room that shapes what it receives (and in no other for that room). */
export async function joinInner(socket: AppSocket, room: string, inner: string): Promise<void> {
  const before = socket.data.inner.get(room);
  if (before === inner) return;
  if (before) await socket.leave(before);
  socket.data.inner.set(room, inner);
  await socket.join(inner);
}

/** Rights change while a socket is open: each check uses the current ones. */
async function currentActor(deps: Deps, socket: AppSocket): Promise<Actor> {
  const old = socket.data.actor;
  // A revoked key's socket is closed at the next resync; until then it joins nothing more.
  if (old.apiKey) {
    const key = await deps.db.apiKey.findUnique({ where: { id: old.apiKey.id }, select: { revokedAt: true } });
    if (!key || key.revokedAt) throw unauthenticated("This API key was revoked.");
  }
  const actor = await loadActor(deps.db, old.userId, old.apiKey, { fresh: true });
  if (!actor) throw unauthenticated("This account can no longer sign in.");
  // Ended (password changed, signed out everywhere): closed by realtime/sessions.ts, joins nothing meanwhile.
  const version = socket.data.sessionVersion;
  if (version !== null && version !== actor.sessionVersion) throw unauthenticated("This session ended: sign in again.");
  socket.data.actor = actor;
  return actor;
}

export function ackError(err: unknown, deps: Deps): Ack {
  if (err instanceof AppError) return err.toBody();
  if (err instanceof z.ZodError) return invalidRequest(`The request is not valid: ${err.issues[0]?.message ?? ""}`).toBody();
  deps.log.error({ err }, "socket request failed");
  return { error: { code: "internal", message: "Something went wrong on our side." } };
}

export function handleRooms(deps: Deps, socket: AppSocket, feeds: Feeds): void {
  socket.on("subscribe", async (raw, ack) => {
    const reply = typeof ack === "function" ? ack : () => {};
    try {
      const req = subscribeSchema.parse(raw);
      const room = parseRoom(req.room);
      // Counted by what it watches: socket.rooms also holds its own id, `user:<id>` and an inner room per watched one.
      if (!socket.data.inner.has(room.name) && socket.data.inner.size >= MAX_ROOMS)
        throw invalidRequest(`A socket may watch at most ${MAX_ROOMS} rooms.`);
      const actor = await currentActor(deps, socket);
      const project = room.kind === "orgDashboard" ? null : await loadProjectRef(deps, room.projectId);
      allowRoom(actor, room, project);
      await socket.join(room.name);
      if (room.kind === "queue") {
        await joinInner(socket, room.name, audienceRoom(room.name, actor, project!));
        await feeds.queue.snapshot(socket, room.projectId);
      } else {
        const tf: Timeframe = req.timeframe ?? "7d";
        await joinInner(socket, room.name, timeframeRoom(room.name, tf));
        await feeds.dashboard.snapshot(socket, room.name, tf);
      }
      reply({ ok: true });
    } catch (err) {
      reply(ackError(err, deps));
    }
  });

  socket.on("unsubscribe", async (raw, ack) => {
    const reply = typeof ack === "function" ? ack : () => {};
    try {
      const req = unsubscribeSchema.parse(raw);
      await leaveRoom(socket, req.room);
      reply({ ok: true });
    } catch (err) {
      reply(ackError(err, deps));
    }
  });
}

export async function leaveRoom(socket: AppSocket, room: string): Promise<void> {
  await socket.leave(room);
  const inner = socket.data.inner.get(room);
  if (inner) {
    await socket.leave(inner);
    socket.data.inner.delete(room);
  }
}

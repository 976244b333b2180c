// From the domain event bus (events leave only after commit) to sockets.
// Personal events (claim:*, notification, notifications:read) go at once to `user:<id>` through the
// adapter, as does queue:settings to a project's queue room (rare: admin changes). State changes only *mark* rooms dirty, here and — batched — on every
// other instance ("rt:marks"); each instance then reads the state itself and
// pushes to its own sockets, coalesced. One instance's pushes to a socket are
// serial reads of the truth, so no cross-instance race can leave a stale count.
import type { Deps } from "../deps";
import type { DomainEvent } from "../events/bus";
import { rooms, type NotificationType } from "../shared/socket-events";
import { Coalescer } from "./coalesce";
import { dropRevokedKeys, recheckOrg, recheckProject, recheckRoom, watchedRooms } from "./recheck";
import type { Realtime } from "./server";
import { dropEndedSessions, closeEndedSessions, isSessionsEnded } from "./sessions";
import type { Marks } from "./types";

/** An access mark for every room of an org (a person removed or their roles changed). */
const ANY_PROJECT = "*";
/** Marks for other instances leave at most this often (ms): one message per burst. */
const MARKS_BATCH_MS = 10;

const DASHBOARD_EVENTS = new Set<DomainEvent["type"]>([
  "task.queued",
  "task.claimed",
  "task.released",
  "task.submitted",
  "task.reviewed",
  "task.moved",
  "task.completed",
  "task.updated",
  "project.changed",
]);

export function startRealtimeBridge(deps: Deps, rt: Realtime): () => Promise<void> {
  const { io, feeds } = rt;

  const apply = (m: Marks) => {
    for (const p of m.queues) feeds.queue.mark(p);
    for (const d of m.dashboards) feeds.dashboard.mark(d);
    for (const a of m.access)
      void (a.projectId === ANY_PROJECT ? recheckOrg(deps, io, feeds.emitter, a.orgId) : recheckProject(deps, io, feeds.emitter, a.projectId, a.orgId)).catch(
        (err) => deps.log.warn({ err }, "room recheck failed"),
      );
  };

  const outbox = new Coalescer(
    MARKS_BATCH_MS,
    async (keys) => void io.serverSideEmit("rt:marks", decode(keys)),
    (err) => deps.log.warn({ err }, "sending realtime marks failed"),
  );

  const offBus = deps.bus.onAny((e) => {
    try {
      const m = marksFor(e);
      if (m) {
        apply(m);
        for (const k of encode(m)) outbox.mark(k);
      }
      personal(rt, e);
      if (e.type === "user.sessions_ended") {
        const ended = { userId: e.userId, sessionVersion: e.sessionVersion };
        closeEndedSessions(deps, io, feeds.emitter, ended);
        io.serverSideEmit("rt:sessions", ended);
      }
    } catch (err) {
      deps.log.warn({ err, type: e.type }, "realtime bridge failed on an event");
    }
  });
  io.on("rt:marks", (m: Marks) => {
    if (m && Array.isArray(m.queues) && Array.isArray(m.dashboards) && Array.isArray(m.access)) apply(m);
  });
  io.on("rt:sessions", (e) => {
    if (isSessionsEnded(e)) closeEndedSessions(deps, io, feeds.emitter, e);
  });

  // A lost mark (a Redis blip drops pub/sub messages) heals at the next resync;
  // so does access lost without a project event (a person removed from the org, a key revoked,
  // sessions ended by the operator command).
  const resync = setInterval(() => {
    rt.resync();
    void (async () => {
      for (const name of watchedRooms(io)) await recheckRoom(deps, io, feeds.emitter, name);
      await dropRevokedKeys(deps, io);
      await dropEndedSessions(deps, io, feeds.emitter);
    })().catch((err) => deps.log.warn({ err }, "room recheck failed"));
  }, rt.options.resyncMs);
  resync.unref();

  return async () => {
    clearInterval(resync);
    offBus();
    io.removeAllListeners("rt:marks");
    io.removeAllListeners("rt:sessions");
    await outbox.stop();
  };
}

function marksFor(e: DomainEvent): Marks | null {
  const m: Marks = { queues: [], dashboards: [], access: [] };
  if (e.type === "notification.created" || e.type === "notification.read" || e.type === "claim.expiring" || e.type === "user.sessions_ended") return null;
  if (e.type === "org.people_changed") {
    m.access.push({ projectId: ANY_PROJECT, orgId: e.orgId });
    return m;
  }
  if (e.type === "project.changed") m.access.push({ projectId: e.projectId, orgId: e.orgId });
  if (e.type.startsWith("task.") || e.type === "project.changed") m.queues.push(e.projectId);
  if (DASHBOARD_EVENTS.has(e.type)) m.dashboards.push(rooms.projectDashboard(e.projectId), rooms.orgDashboard(e.orgId));
  return m;
}

function personal(rt: Realtime, e: DomainEvent): void {
  const emit = rt.feeds.emitter;
  if (e.type === "claim.expiring") {
    emit.toUser(e.userId, e.orgId, "claim:expiring", { claimId: e.claimId, taskId: e.taskId, nodeId: e.nodeId, expiresAt: e.expiresAt });
  } else if (e.type === "task.released" && e.reason === "expired") {
    emit.toUser(e.userId, e.orgId, "claim:expired", { claimId: e.claimId, taskId: e.taskId, nodeId: e.nodeId });
  } else if (e.type === "task.released" && e.reason === "revoked") {
    emit.toUser(e.userId, e.orgId, "claim:revoked", { claimId: e.claimId, taskId: e.taskId, nodeId: e.nodeId });
  } else if (e.type === "project.changed") {
    emit.toRoom(rooms.queue(e.projectId), "queue:settings", { projectId: e.projectId });
  } else if (e.type === "notification.created") {
    const { id, type, title, body, link, createdAt, updatedAt, count } = e.notification;
    emit.toUser(e.userId, e.orgId, "notification", { id, type: type as NotificationType, title, body, link, createdAt, updatedAt, count });
  } else if (e.type === "notification.read") {
    // The count is over every org: only the signed-in sockets (not an API key's) share it.
    emit.toUser(e.userId, null, "notifications:read", { ids: e.ids, unreadCount: e.unreadCount, countedUpTo: e.countedUpTo });
  }
}

// Marks travel as one flat set of strings so the outbox can coalesce them.
function encode(m: Marks): string[] {
  return [...m.queues.map((p) => `q ${p}`), ...m.dashboards.map((d) => `d ${d}`), ...m.access.map((a) => `a ${a.projectId} ${a.orgId}`)];
}

function decode(keys: Set<string>): Marks {
  const m: Marks = { queues: [], dashboards: [], access: [] };
  for (const k of keys) {
    const [kind, a, b] = k.split(" ");
    if (kind === "q") m.queues.push(a!);
    else if (kind === "d") m.dashboards.push(a!);
    else if (kind === "a") m.access.push({ projectId: a!, orgId: b! });
  }
  return m;
}

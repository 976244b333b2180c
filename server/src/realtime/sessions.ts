// Sessions ended (a password changed or reset, "sign out everywhere"): the sockets signed
// in with an older session version hear `session:expired` and are closed, on every
// instance (the event travels as `rt:sessions`). A change made where no bus hears it (the
// operator command) or a lost message is caught by the resync, which reads the versions.
import type { Deps } from "../deps";
import { sqlOfDb } from "../queue/pg";
import { rooms } from "../shared/socket-events";
import type { Emitter } from "./emitter";
import type { AppSocket, IO } from "./types";

export interface SessionsEnded {
  userId: string;
  sessionVersion: number;
}

function end(deps: Deps, emitter: Emitter, socket: AppSocket): void {
  if (!socket.connected) return;
  emitter.toSocket(socket, "session:expired", { expiredAt: deps.clock.now().toISOString() });
  socket.disconnect(true);
}

/** Closes this instance's signed-in sockets of the user older than the version (API keys' sockets are not in `user:<id>`). */
export function closeEndedSessions(deps: Deps, io: IO, emitter: Emitter, e: SessionsEnded): void {
  for (const id of io.of("/").adapter.rooms.get(rooms.user(e.userId)) ?? []) {
    const socket = io.of("/").sockets.get(id);
    const version = socket?.data.sessionVersion;
    if (socket && typeof version === "number" && version < e.sessionVersion) end(deps, emitter, socket);
  }
}

/** Every signed-in socket on this instance checked against the users' current versions: one statement. */
export async function dropEndedSessions(deps: Deps, io: IO, emitter: Emitter): Promise<void> {
  const signedIn = [...io.of("/").sockets.values()].filter((s) => typeof s.data.sessionVersion === "number");
  if (!signedIn.length) return;
  const ids = [...new Set(signedIn.map((s) => s.data.actor.userId))];
  const rows = await sqlOfDb(deps.db).query<{ id: string; sessionVersion: number }>(
    `SELECT id, "sessionVersion" FROM "User" WHERE id = ANY($1::text[])`,
    [ids],
  );
  const current = new Map(rows.map((r) => [r.id, r.sessionVersion]));
  for (const s of signedIn) if (current.get(s.data.actor.userId) !== s.data.sessionVersion) end(deps, emitter, s);
}

export const isSessionsEnded = (m: unknown): m is SessionsEnded =>
  !!m && typeof (m as SessionsEnded).userId === "string" && Number.isSafeInteger((m as SessionsEnded).sessionVersion);

// A state broadcast going out in slices is cut short by a newer value of the
// same state (realtime/emitter.ts): the sockets it had not reached get only the
// newer value (first, before the sockets the older one reached), every socket
// ends on it, and nobody sees values out of order.
// A real Socket.IO server on port 0 and real clients; one socket per slice and
// no time per turn, so each turn of the event loop sends exactly one slice.
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Emitter } from "../../server/src/realtime/emitter";
import type { IO } from "../../server/src/realtime/types";
import { LiveClient } from "../helpers/socket";
import { io as connectClient } from "socket.io-client";

const ROOM = "project:p1:queue";
let http: HttpServer;
let io: IO;
let clients: LiveClient[] = [];

beforeAll(async () => {
  http = createServer();
  io = new Server(http) as IO;
  io.on("connection", (s) => void s.join(ROOM));
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  const { port } = http.address() as AddressInfo;
  clients = await Promise.all(
    Array.from({ length: 6 }, async () => {
      const c = new LiveClient(connectClient(`http://127.0.0.1:${port}`, { transports: ["websocket"] }) as never);
      await c.waitFor("connect");
      return c;
    }),
  );
  while ((io.of("/").adapter.rooms.get(ROOM)?.size ?? 0) < clients.length) await new Promise((r) => setTimeout(r, 5));
});
afterAll(async () => {
  for (const c of clients) c.socket.close();
  io.close();
});

const count = (available: number) => ({ projectId: "p1", nodeId: "n1", available, claimed: 0 });
const seen = (c: LiveClient) => c.of("queue:changed").map((e) => e.available);

describe("superseded state broadcasts", () => {
  it("a newer value cancels the unsent slices of an older one; everyone ends on the newest, in order", async () => {
    const emitter = new Emitter(io, undefined, 1, 0);
    emitter.toLocalRoom(ROOM, "queue:changed", count(1), "n1");
    emitter.toLocalRoom(ROOM, "queue:changed", count(2), "n1");
    emitter.toLocalRoom(ROOM, "queue:changed", count(3), "n1");
    await Promise.all(clients.map((c) => c.waitFor("queue:changed", (e) => e.available === 3)));
    const all = clients.map(seen);
    for (const values of all) expect(values).toEqual([...values].sort((a, b) => a - b));
    for (const values of all) expect(values.at(-1)).toBe(3);
    // The first slice left at once; the other five sockets never got the older values.
    expect(all.filter((v) => v.includes(1))).toHaveLength(1);
    expect(all.filter((v) => v.includes(2))).toHaveLength(0);
  });

  it("a newer value goes first to the sockets an older one had not reached, so no socket waits while values keep coming", async () => {
    for (const c of clients) c.seen.length = 0;
    const emitter = new Emitter(io, undefined, 1, 0);
    // Each value gets about one slice out before the next supersedes it: a push that
    // outlasts the flush interval, as on a loaded machine.
    const last = 24;
    for (let v = 1; v <= last; v++) {
      emitter.toLocalRoom(ROOM, "queue:changed", count(v), "n1");
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(clients.map((c) => c.waitFor("queue:changed", (e) => e.available === last)));
    const all = clients.map(seen);
    for (const values of all) expect(values).toEqual([...values].sort((a, b) => a - b));
    // Restarting every newer value at the head of the room would leave its tail
    // without any value until the pushes stopped.
    for (const values of all) expect(values[0]).toBeLessThan(last);
  });

  it("broadcasts of different states are all delivered", async () => {
    for (const c of clients) c.seen.length = 0;
    const emitter = new Emitter(io, undefined, 1, 0);
    emitter.toLocalRoom(ROOM, "queue:changed", { ...count(7), nodeId: "a" }, "a");
    emitter.toLocalRoom(ROOM, "queue:changed", { ...count(8), nodeId: "b" }, "b");
    emitter.toLocalRoom(ROOM, "queue:changed", { ...count(9), nodeId: "c" });
    await Promise.all(clients.map((c) => c.waitFor("queue:changed", (e) => e.nodeId === "c")));
    for (const c of clients) expect(c.of("queue:changed").map((e) => e.nodeId)).toEqual(["a", "b", "c"]);
  });
});

// Closing the app (what SIGTERM and Ctrl-C do) drains: a request already in
// flight is answered, on a keep-alive connection that then closes, and the
// close completes; nothing new is accepted meanwhile. It used to cut every
// connection at once: the request in flight got a reset and no answer.
import net from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createUser, FACTORY_PASSWORD } from "../helpers/factories";
import { startTestApp, type TestApp } from "../helpers/app";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  // The app itself was closed by the test.
  await t.deps.db.$disconnect();
  t.deps.redis.disconnect();
});

it("answers a request in flight, then closes its connection, and refuses new ones", async () => {
  const user = await createUser(t.deps);
  const { port } = new URL(t.url);
  const body = JSON.stringify({ email: user.email, password: FACTORY_PASSWORD });
  const socket = net.connect(Number(port), "127.0.0.1");
  let answer = "";
  socket.setEncoding("utf8");
  socket.on("data", (d: string) => (answer += d));
  const ended = new Promise<void>((resolve) => socket.on("close", () => resolve()));
  // The head and half the body: the server holds the request, waiting for the rest.
  const received = new Promise<void>((resolve) => t.app.http.once("request", () => resolve()));
  socket.write(
    `POST /api/auth/login HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n` +
      body.slice(0, 10),
  );
  await received;

  const closed = t.app.close();
  // Once closing, the server takes no new connection.
  const fresh = await new Promise<string>((resolve) => {
    const c = net.connect(Number(port), "127.0.0.1");
    c.on("connect", () => (c.destroy(), resolve("accepted")));
    c.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? "error"));
  });
  expect(fresh).toBe("ECONNREFUSED");

  socket.write(body.slice(10));
  await ended; // the server closes the keep-alive connection once it has answered
  expect(answer).toMatch(/^HTTP\/1\.1 200 /);
  expect(answer).toContain('"token"');
  await closed;
});

it("cuts a WebSocket whose client never answers the close once the grace is over", async () => {
  const other = await startTestApp();
  const { port } = new URL(other.url);
  const socket = net.connect(Number(port), "127.0.0.1");
  let head = "";
  socket.setEncoding("utf8");
  const upgraded = new Promise<void>((resolve) =>
    socket.on("data", (d: string) => {
      head += d;
      if (head.includes("\r\n\r\n")) {
        socket.pause(); // from here on the client reads nothing, answers nothing
        resolve();
      }
    }),
  );
  socket.write(
    `GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  await upgraded;
  expect(head).toMatch(/^HTTP\/1\.1 101 /);
  // The WebSocket close handshake would wait ~30 s for this client; the grace (200 ms) cuts it.
  const outcome = await Promise.race([
    other.app.close(200).then(() => "closed"),
    new Promise((r) => setTimeout(() => r("still waiting"), 10_000)),
  ]);
  expect(outcome).toBe("closed");
  socket.destroy();
  await other.deps.db.$disconnect();
  other.deps.redis.disconnect();
}, 20_000);

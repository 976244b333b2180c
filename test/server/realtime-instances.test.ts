// Several server instances sharing one PostgreSQL and one Redis: a claim made
// through one reaches the watchers connected to another — between two app
// instances in this process, and from a separate server process (`main.ts`).
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freePort, startRedisServer } from "../../server/src/infra/embedded";
import { rooms } from "../../server/src/shared/socket-events";
import { startTestApp, TEST_ENCRYPTION_KEY, TEST_JWT_SECRET, type TestApp } from "../helpers/app";
import { client } from "../helpers/http";
import { connect } from "../helpers/socket";
import { claim, queueScene, submit } from "./realtime.scene";

let one: TestApp;
let two: TestApp;
beforeAll(async () => {
  [one, two] = await Promise.all([startTestApp({ workers: true }), startTestApp({ workers: true })]);
});
afterAll(async () => {
  await Promise.all([one?.close(), two?.close()]);
});

describe("two instances", () => {
  it("a claim through instance 1 reaches a watcher on instance 2", async () => {
    expect(one.url).not.toBe(two.url);
    const s = await queueScene(one.deps, one.url, 3);
    const watcher = await connect(two.url, s.bob.token);
    expect(await watcher.subscribe(rooms.queue(s.project.id))).toEqual({ ok: true });
    watcher.clear();

    const started = performance.now();
    await claim(one.url, s.alice.token, s.project.id, s.evaluate);
    const seen = await watcher.waitFor("queue:changed", (e) => e.nodeId === s.evaluate);
    const ms = performance.now() - started;
    expect(seen).toEqual({ projectId: s.project.id, nodeId: s.evaluate, available: 2, claimed: 1 });
    console.info(`claim on instance 1 → watcher on instance 2: ${ms.toFixed(1)} ms (HTTP claim included)`);
    watcher.close();
  });

  it("a submission through instance 1 pushes review_ready to the reviewer on instance 2", async () => {
    const s = await queueScene(one.deps, one.url, 1);
    const rita = await connect(two.url, s.rita.token);
    const c = await claim(one.url, s.alice.token, s.project.id, s.evaluate);
    await submit(one.url, s.alice.token, c, { answers: { score: 3 } });
    expect(await rita.waitFor("notification")).toMatchObject({ type: "review_ready" });
    rita.close();
  });

  it("watchers on both instances end on the same counts after claims through both", async () => {
    const s = await queueScene(one.deps, one.url, 6);
    const a = await connect(one.url, s.viewer.token);
    const b = await connect(two.url, s.owner.token);
    await Promise.all([a.subscribe(rooms.queue(s.project.id)), b.subscribe(rooms.queue(s.project.id))]);
    await Promise.all([
      claim(one.url, s.alice.token, s.project.id, s.evaluate),
      claim(two.url, s.bob.token, s.project.id, s.evaluate),
      claim(one.url, s.alice.token, s.project.id, s.evaluate),
      claim(two.url, s.bob.token, s.project.id, s.evaluate),
    ]);
    const done = (e: { nodeId: string; available: number; claimed: number }) => e.nodeId === s.evaluate && e.available === 2 && e.claimed === 4;
    await Promise.all([a.waitFor("queue:changed", done), b.waitFor("queue:changed", done)]);
    for (const c of [a, b]) expect(c.of("queue:changed").filter((e) => e.nodeId === s.evaluate).at(-1)).toMatchObject({ available: 2, claimed: 4 });
    a.close();
    b.close();
  });
});

describe("shutting an instance down", () => {
  it("closes its sockets as a transport close, and the client converges on another instance", async () => {
    const third = await startTestApp({ workers: true });
    const s = await queueScene(one.deps, one.url, 2);
    const room = rooms.queue(s.project.id);
    const c = await connect(third.url, s.bob.token);
    await c.subscribe(room);
    await third.close();
    // Not a server "disconnect" (which tells Socket.IO clients not to come back): they reconnect by themselves.
    expect(await c.waitFor("disconnect")).toBe("transport close");
    await claim(one.url, s.alice.token, s.project.id, s.evaluate);
    // The balancer sends the reconnect elsewhere; subscribing again brings the current counts.
    const again = await connect(two.url, s.bob.token);
    await again.subscribe(room);
    expect(again.of("queue:changed").find((e) => e.nodeId === s.evaluate)).toMatchObject({ available: 1, claimed: 1 });
    again.close();
  });
});

describe("shutting down while Redis is gone", () => {
  it("still closes the sockets and finishes", async () => {
    const redis = await startRedisServer();
    const lonely = await startTestApp({ workers: true, redisUrl: redis.url });
    const s = await queueScene(one.deps, one.url, 0);
    const c = await connect(lonely.url, s.bob.token);
    await c.subscribe(rooms.queue(s.project.id));
    await redis.stop();
    await lonely.close();
    expect(await c.waitFor("disconnect")).toBe("transport close");
  });
});

describe("a separate server process", () => {
  let child: ChildProcess | undefined;
  let childUrl = "";
  let output = "";
  beforeAll(async () => {
    const root = path.resolve(import.meta.dirname, "../..");
    const port = await freePort();
    child = spawn(path.join(root, "node_modules/.bin/tsx"), ["server/src/main.ts"], {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: "test",
        PORT: String(port),
        DATABASE_URL: inject("databaseUrl"),
        REDIS_URL: inject("redisUrl"),
        JWT_SECRET: TEST_JWT_SECRET,
        ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
        DEMO: "0",
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    childUrl = `http://127.0.0.1:${port}`;
    await waitReady(childUrl, child);
  }, 90_000);
  afterAll(async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child!.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  });

  it("a claim through the other process reaches a watcher here well under a second", async () => {
    const s = await queueScene(two.deps, two.url, 4);
    const watcher = await connect(two.url, s.bob.token);
    await watcher.subscribe(rooms.queue(s.project.id));
    watcher.clear();
    const timings: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const started = performance.now();
      await claim(childUrl, s.alice.token, s.project.id, s.evaluate);
      const answered = performance.now();
      const seen = await watcher.waitFor("queue:changed", (e) => e.nodeId === s.evaluate && e.claimed === i);
      expect(seen).toMatchObject({ available: 4 - i, claimed: i });
      const done = performance.now();
      timings.push(`${(done - started).toFixed(0)} ms (claim answered after ${(answered - started).toFixed(0)} ms, pushed ${(done - answered).toFixed(0)} ms later)`);
    }
    console.info(`claim in process A → watcher on process B:\n  ${timings.join("\n  ")}`);
    // And the other way round: this process's claim reaches a socket of the child.
    const remote = await connect(childUrl, s.owner.token);
    await remote.subscribe(rooms.queue(s.project.id));
    await claim(two.url, s.bob.token, s.project.id, s.evaluate);
    await remote.waitFor("queue:changed", (e) => e.nodeId === s.evaluate && e.available === 0 && e.claimed === 4);
    watcher.close();
    remote.close();
  });
});

async function waitReady(url: string, child: ChildProcess, ms = 60_000): Promise<void> {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    if (await fetch(`${url}/readyz`).then((r) => r.ok).catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("server did not become ready");
}

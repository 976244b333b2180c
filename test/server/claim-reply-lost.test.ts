// A claim script that ran in Redis but whose reply was lost with the connection
// (not a timeout): its fate is unknown to the server, so it must neither be run
// a second time on reconnect (ioredis resends by default) nor leave a claim in
// Redis that PostgreSQL never recorded. A TCP proxy forwards the script to Redis
// and drops the connection instead of returning the answer.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { redisReady } from "../../server/src/infra/redis";
import { keysOf } from "../../server/src/queue/keys";
import { startTestApp, type TestApp } from "../helpers/app";
import { claimAt, importTasks, mustClaim, queueProject } from "../helpers/queue";

const script = readFileSync("server/src/queue/lua/claim-12.lua", "utf8");
const sha = createHash("sha1").update(script).digest("hex");
let armed = false;
let dropped = 0;
const sockets = new Set<net.Socket>();
const proxy = net.createServer((client) => {
  const target = new URL(inject("redisUrl"));
  const up = net.connect(Number(target.port || 6379), target.hostname);
  sockets.add(client).add(up);
  let claimSent = false;
  client.on("data", (d) => {
    const text = d.toString("latin1");
    if (armed && (text.includes(sha) || text.includes(script.slice(0, 60)))) claimSent = true;
    up.write(d);
  });
  up.on("data", (d) => {
    if (claimSent) {
      armed = claimSent = false;
      dropped++;
      client.destroy();
      up.destroy();
      return;
    }
    client.write(d);
  });
  const end = () => (client.destroy(), up.destroy());
  for (const s of [client, up]) s.on("error", end).on("close", end);
});

let t: TestApp;
beforeAll(async () => {
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
  const { port } = proxy.address() as net.AddressInfo;
  t = await startTestApp({ redisUrl: `redis://127.0.0.1:${port}`, config: { RATE_LIMIT_PER_MIN: 1_000_000 } });
});
afterAll(async () => {
  await t.close();
  for (const s of sockets) s.destroy();
  proxy.close();
});

describe("a claim whose Redis reply is lost", () => {
  it("answers 503 at once, runs once, and the project is rebuilt so no claim lives only in Redis", async () => {
    const q = await queueProject(t.deps, t.url, { lanes: [{ name: "Evaluators", claimLimit: 1, people: 2 }, { name: "Reviewers", people: 1 }] });
    const ids = await importTasks(q, [{ payload: { n: 0 } }, { payload: { n: 1 } }]);
    const [alice, bob] = q.types.Evaluators!.people;
    armed = true;
    const lost = await claimAt(q, alice!, "evaluate");
    expect(dropped).toBe(1);
    expect({ status: lost.status, code: lost.body.error?.code }).toEqual({ status: 503, code: "unavailable" });
    expect(await t.deps.db.claim.count({ where: { projectId: q.project.id } })).toBe(0);

    // Once the link is back: Alice is not held at her limit by a claim she never got, and task 0 is free.
    await redisReady(t.deps.redis);
    const again = await mustClaim(q, alice!, "evaluate");
    expect(again.taskId).toBe(ids[0]);
    expect((await mustClaim(q, bob!, "evaluate")).taskId).toBe(ids[1]);
    const inRedis = Object.keys(await t.deps.redis.hgetall(keysOf(q.project.id).claim)).sort();
    const inPg = (await t.deps.db.claim.findMany({ where: { projectId: q.project.id, outcome: "active" } })).map((c) => c.taskId).sort();
    expect(inRedis).toEqual(inPg);
  });
});

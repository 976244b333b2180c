// Redis Cluster readiness: every Lua script call's KEYS must hash to one slot
// (they share the project's {p:<id>} tag), and so must every MULTI's keys. Every
// command any Redis connection of this process sends is recorded while a whole
// flow runs — import, claim, heartbeat, release, submit, review (return and
// pass), the list of available tasks, expiry warning and expiry, a rebuild, a project marked stale — and each
// EVAL/EVALSHA/FCALL and MULTI…EXEC is checked with Redis Cluster's own slot function.
import calculateSlot from "cluster-key-slot";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../server/src/infra/clock";
import { keysOf } from "../../server/src/queue/keys";
import { sweepOnce } from "../../server/src/queue/sweeper";
import { startTestApp, type TestApp } from "../helpers/app";
import { client } from "../helpers/http";
import { claim, queueScene, release, submit } from "./realtime.scene";

type Call = { command: string; keys: string[] };
const calls: Call[] = [];
const original = Redis.prototype.sendCommand;

const SCRIPTED = new Set(["eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro"]);

/** Keys of the MULTI each connection has open. */
const open = new WeakMap<Redis, string[]>();

function record(this: Redis, command: { name: string; args: unknown[]; getKeys(): unknown[] }, ...rest: unknown[]) {
  const name = command.name.toLowerCase();
  if (SCRIPTED.has(name)) {
    const n = Number(command.args[1]);
    calls.push({ command: command.name, keys: command.args.slice(2, 2 + n).map(String) });
  } else if (name === "multi") open.set(this, []);
  else if (name === "exec") {
    const keys = open.get(this);
    if (keys) calls.push({ command: "multi", keys });
    open.delete(this);
  } else open.get(this)?.push(...command.getKeys().map(String));
  return (original as (...a: unknown[]) => unknown).call(this, command, ...rest);
}

const clock = new ManualClock("2026-06-01T10:00:00Z");
let t: TestApp;
beforeAll(async () => {
  Redis.prototype.sendCommand = record as typeof original;
  t = await startTestApp({ clock });
});
afterAll(async () => {
  Redis.prototype.sendCommand = original;
  await t.close();
});

describe("Lua scripts and Redis Cluster", () => {
  it("every script call's and every MULTI's keys live in one cluster slot", async () => {
    const s = await queueScene(t.deps, t.url, 4);
    const p = s.project.id;
    // claim → heartbeat → release
    const c1 = await claim(t.url, s.alice.token, p, s.evaluate);
    expect((await client(t.url, s.alice.token).post(`/api/claims/${c1.id}/heartbeat`, { token: c1.token })).status).toBe(200);
    await release(t.url, s.alice.token, c1);
    // claim → submit → review (return) → rework (submitted with the next claim) → review (pass)
    const c2 = await claim(t.url, s.alice.token, p, s.evaluate);
    await submit(t.url, s.alice.token, c2, { answers: { score: 2 } });
    const r1 = await claim(t.url, s.rita.token, p, s.review);
    await submit(t.url, s.rita.token, r1, { verdict: "return", comment: "again" });
    // the list of what alice could claim (her returned task among it)
    expect((await client(t.url, s.alice.token).get(`/api/projects/${p}/queue/${s.evaluate}/tasks`)).status).toBe(200);
    const c3 = await claim(t.url, s.alice.token, p, s.evaluate);
    await submit(t.url, s.alice.token, c3, { answers: { score: 4 }, next: true }); // settle + next claim in one script
    const r2 = await claim(t.url, s.rita.token, p, s.review);
    await submit(t.url, s.rita.token, r2, { verdict: "pass" });
    // a claim left to expire: warning, then expiry
    await claim(t.url, s.bob.token, p, s.evaluate);
    clock.advance(29 * 60_000);
    await sweepOnce(t.deps);
    clock.advance(2 * 60_000);
    await sweepOnce(t.deps, { checkDatabase: true });
    // a rebuild (its state lost), and a person leaving (the project marked stale)
    await t.deps.redis.del(keysOf(p).epoch);
    await claim(t.url, s.alice.token, p, s.evaluate);
    expect((await client(t.url, s.owner.token).delete(`/api/projects/${p}/members/${s.bob.id}`)).status).toBe(204);

    const names = new Set(calls.map((c) => c.command));
    expect(names.has("multi"), `commands seen: ${[...names].join(", ")}`).toBe(true);
    expect(calls.length, `script calls seen: ${[...names].join(", ")}`).toBeGreaterThan(8);
    const crossing = calls.filter((c) => new Set(c.keys.map((k) => calculateSlot(k))).size > 1);
    expect(crossing).toEqual([]);
    // Every project key carries the project's tag, so a project is one shard.
    const projectKeys = calls.flatMap((c) => c.keys).filter((k) => k.includes(p));
    expect(projectKeys.length).toBeGreaterThan(0);
    expect(projectKeys.every((k) => k.includes(`{p:${p}}`))).toBe(true);
  });
});

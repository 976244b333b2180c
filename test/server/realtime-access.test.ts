// Who may connect and which rooms they may watch: real socket clients against
// the real server, PostgreSQL and Redis.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateApiKey } from "../../server/src/auth/api-keys";
import { signToken } from "../../server/src/auth/jwt";
import { ManualClock } from "../../server/src/infra/clock";
import { notify } from "../../server/src/modules/notifications/service";
import { rooms } from "../../server/src/shared/socket-events";
import { startTestApp, type TestApp } from "../helpers/app";
import { createProject, createWorld } from "../helpers/factories";
import { client } from "../helpers/http";
import { connect, refused } from "../helpers/socket";

let t: TestApp;
const clock = new ManualClock("2026-06-01T10:00:00Z");
beforeAll(async () => {
  t = await startTestApp({ clock, workers: true, realtime: { expirySweepMs: 20, resyncMs: 200 } });
});
afterAll(() => t.close());

describe("the socket handshake", () => {
  it("refuses a socket without a token", async () => {
    const err = await refused(t.url, undefined);
    expect(err.data).toMatchObject({ code: "unauthenticated" });
  });

  it("refuses a forged token and an expired one", async () => {
    const w = await createWorld(t.deps);
    const forged = signToken("another-secret-another-secret-xx", w.contributor.id, clock);
    expect((await refused(t.url, forged)).data).toMatchObject({ code: "unauthenticated" });
    const past = new ManualClock(clock.now().getTime() - 2 * 3600_000);
    const expired = signToken(t.deps.jwtSecret, w.contributor.id, past, 3600);
    expect((await refused(t.url, expired)).data).toMatchObject({ code: "unauthenticated" });
    expect((await refused(t.url, "pk_00000000_nope")).data).toMatchObject({ code: "unauthenticated" });
  });

  it("disconnects a socket when its login token expires", async () => {
    const w = await createWorld(t.deps);
    const start = clock.now().getTime();
    const token = signToken(t.deps.jwtSecret, w.contributor.id, clock, 60);
    const c = await connect(t.url, token);
    clock.advance(30_000);
    expect((await c.subscribe(rooms.queue(w.project.id))).valueOf()).toEqual({ ok: true });
    clock.advance(31_000);
    const expired = await c.waitFor("session:expired");
    expect(expired.expiredAt).toBe(new Date(start + 60_000).toISOString());
    expect(await c.waitFor("disconnect")).toBe("io server disconnect");
  });

  it("accepts an API key and keeps its org limits", async () => {
    const w = await createWorld(t.deps);
    const k = generateApiKey();
    await t.deps.db.apiKey.create({ data: { orgId: w.org.id, createdById: w.admin.id, name: "ci", prefix: k.prefix, hash: k.hash } });
    const c = await connect(t.url, k.key);
    expect(await c.subscribe(rooms.orgDashboard(w.org.id))).toEqual({ ok: true });
    expect(await c.subscribe(rooms.orgDashboard(w.other.org.id))).toMatchObject({ error: { code: "not_found" } });
    // Revoking the key closes its sockets (at the next resync), as HTTP refuses it at once.
    await t.deps.db.apiKey.update({ where: { hash: k.hash }, data: { revokedAt: clock.now() } });
    expect(await c.waitFor("disconnect")).toBe("io server disconnect");
    expect((await refused(t.url, k.key)).data).toMatchObject({ code: "unauthenticated" });
  });

  it("holds at most socketsPerUser sockets per person's login and as many per API key, counted apart; a closed one frees its place", async () => {
    const capped = await startTestApp({ clock, realtime: { socketsPerUser: 2 } });
    try {
      const w = await createWorld(capped.deps);
      const keys = [generateApiKey(), generateApiKey()];
      for (const k of keys)
        await capped.deps.db.apiKey.create({ data: { orgId: w.org.id, createdById: w.admin.id, name: "script", prefix: k.prefix, hash: k.hash } });
      const [one, two] = keys.map((k) => k.key) as [string, string];
      // A runaway key fills its own allowance only: its maker still signs in, and their other key connects.
      const open = [await connect(capped.url, one), await connect(capped.url, one)];
      expect((await refused(capped.url, one)).data).toMatchObject({ code: "too_many_connections" });
      open.push(await connect(capped.url, w.admin.token), await connect(capped.url, w.admin.token));
      expect((await refused(capped.url, w.admin.token)).data).toMatchObject({ code: "too_many_connections" });
      open.push(await connect(capped.url, two));
      // Someone else is not affected.
      const other = await connect(capped.url, w.owner.token);
      open[0]!.close();
      await expect.poll(() => capped.app.realtime.io.of("/").sockets.size).toBe(5);
      const again = await connect(capped.url, one);
      for (const c of [...open, other, again]) c.close();
    } finally {
      await capped.close();
    }
  });

  it("checks the browser's Origin: same origin passes, a foreign one is refused", async () => {
    const w = await createWorld(t.deps);
    const same = await connect(t.url, w.admin.token, { headers: { origin: t.url } });
    same.close();
    const err = await refused(t.url, w.admin.token, { headers: { origin: "https://evil.example" } });
    expect(err.message).toMatch(/websocket error/i);
  });

  it("closes a socket that sends an oversized message", async () => {
    const w = await createWorld(t.deps);
    const c = await connect(t.url, w.contributor.token);
    c.socket.emit("subscribe", { room: "x".repeat(64 * 1024) });
    expect(await c.waitFor("disconnect")).toBe("transport close");
  });

  it("answers rate_limited once a socket sends too many events", async () => {
    const w = await createWorld(t.deps);
    const c = await connect(t.url, w.contributor.token);
    // The ManualClock stands still, so the bucket never refills: exactly the burst passes.
    const acks = await Promise.all(Array.from({ length: 40 }, () => c.unsubscribe(rooms.queue(w.project.id))));
    const limited = acks.filter((a) => "error" in a && a.error.code === "rate_limited").length;
    expect(limited).toBe(40 - t.app.realtime.options.eventBurst);
    c.close();
  });
});

describe("subscribing to rooms", () => {
  it("lets each role into exactly the rooms HTTP would show them", async () => {
    const w = await createWorld(t.deps);
    const queue = rooms.queue(w.project.id);
    const pdash = rooms.projectDashboard(w.project.id);
    const odash = rooms.orgDashboard(w.org.id);
    const cases: Array<[string, string, string]> = [
      [w.contributor.token, queue, "ok"],
      [w.contributor.token, pdash, "forbidden"],
      [w.contributor.token, odash, "forbidden"],
      [w.viewer.token, queue, "ok"],
      [w.viewer.token, pdash, "ok"],
      [w.owner.token, pdash, "ok"],
      [w.owner.token, odash, "forbidden"],
      [w.member.token, queue, "forbidden"],
      [w.admin.token, queue, "ok"],
      [w.admin.token, pdash, "ok"],
      [w.admin.token, odash, "ok"],
      [w.admin.token, rooms.queue(w.otherProject.id), "not_found"],
      [w.admin.token, rooms.projectDashboard(w.otherProject.id), "not_found"],
      [w.admin.token, rooms.orgDashboard(w.other.org.id), "not_found"],
      [w.contributor.token, rooms.queue("no-such-project"), "not_found"],
      [w.admin.token, `user:${w.contributor.id}`, "invalid_request"],
    ];
    for (const [token, room, want] of cases) {
      const c = await connect(t.url, token);
      const ack = await c.subscribe(room);
      expect({ room, ack }).toEqual({ room, ack: want === "ok" ? { ok: true } : { error: expect.objectContaining({ code: want }) } });
      c.close();
    }
  });

  it("lets a socket watch 50 rooms, not one more", async () => {
    const w = await createWorld(t.deps);
    const projects = await Promise.all(Array.from({ length: 25 }, (_, i) => createProject(t.deps, w.org.id, `Watched ${i}`)));
    const names = projects.flatMap((p) => [rooms.queue(p.id), rooms.projectDashboard(p.id)]);
    const c = await connect(t.url, w.admin.token);
    for (const [i, room] of names.entries()) {
      // The per-socket event budget refills with the clock, not with these subscriptions.
      if (i % 20 === 0) clock.advance(5_000);
      expect({ room, ack: await c.subscribe(room) }).toEqual({ room, ack: { ok: true } });
    }
    expect(await c.subscribe(rooms.orgDashboard(w.org.id))).toMatchObject({ error: { code: "invalid_request" } });
    // One already watched is still fine (another timeframe), and leaving one makes room.
    expect(await c.subscribe(names[1]!, "30d")).toEqual({ ok: true });
    expect(await c.unsubscribe(names[0]!)).toEqual({ ok: true });
    expect(await c.subscribe(rooms.orgDashboard(w.org.id))).toEqual({ ok: true });
    c.close();
  });

  it("rejects unknown fields and bad timeframes", async () => {
    const w = await createWorld(t.deps);
    const c = await connect(t.url, w.admin.token);
    const extra = await c.socket.timeout(5000).emitWithAck("subscribe", { room: rooms.queue(w.project.id), sneaky: 1 } as never);
    expect(extra).toMatchObject({ error: { code: "invalid_request" } });
    const tf = await c.socket.timeout(5000).emitWithAck("subscribe", { room: rooms.orgDashboard(w.org.id), timeframe: "1y" } as never);
    expect(tf).toMatchObject({ error: { code: "invalid_request" } });
    c.close();
  });

  it("takes a socket out of a room when its member loses access", async () => {
    const w = await createWorld(t.deps);
    const c = await connect(t.url, w.contributor.token);
    expect(await c.subscribe(rooms.queue(w.project.id))).toEqual({ ok: true });
    const res = await client(t.url, w.admin.token).delete(`/api/projects/${w.project.id}/members/${w.contributor.id}`);
    expect(res.status).toBe(204);
    expect(await c.waitFor("room:left")).toEqual({ room: rooms.queue(w.project.id), code: "forbidden" });
    expect(await c.subscribe(rooms.queue(w.project.id))).toMatchObject({ error: { code: "forbidden" } });
    c.close();
  });

  it("takes an Owner demoted to contributor off the project dashboard, but not off the queue", async () => {
    const w = await createWorld(t.deps);
    const c = await connect(t.url, w.owner.token);
    await c.subscribe(rooms.projectDashboard(w.project.id));
    await c.subscribe(rooms.queue(w.project.id));
    const res = await client(t.url, w.admin.token).patch(`/api/projects/${w.project.id}/members/${w.owner.id}`, { role: "contributor" });
    expect(res.status).toBe(200);
    expect(await c.waitFor("room:left")).toEqual({ room: rooms.projectDashboard(w.project.id), code: "forbidden" });
    // The queue (checked first) stays: a contributor works it.
    expect(c.of("room:left")).toHaveLength(1);
    expect(t.app.realtime.io.of("/").adapter.rooms.get(rooms.queue(w.project.id))?.has(c.socket.id!)).toBe(true);
    c.close();
  });

  it("takes a person removed from the org out of its rooms at the next resync", async () => {
    const w = await createWorld(t.deps);
    const c = await connect(t.url, w.viewer.token);
    await c.subscribe(rooms.projectDashboard(w.project.id));
    const res = await client(t.url, w.admin.token).delete(`/api/orgs/${w.org.id}/people/${w.viewer.id}`);
    expect(res.status).toBe(204);
    expect(await c.waitFor("room:left")).toEqual({ room: rooms.projectDashboard(w.project.id), code: "not_found" });
    c.close();
  });
});

describe("org people changes with no resync to lean on", () => {
  let slow: TestApp;
  beforeAll(async () => {
    // A resync far away: only the people event can take the sockets out.
    slow = await startTestApp({ clock, workers: true, realtime: { expirySweepMs: 20, resyncMs: 3_600_000 } });
  });
  afterAll(() => slow?.close());

  it("takes a removed person out of every room of the org at once", async () => {
    const w = await createWorld(slow.deps);
    const c = await connect(slow.url, w.admin.token);
    // Another admin, so the org keeps one; the removed one watches its dashboard and a project queue.
    const res0 = await client(slow.url, w.admin.token).patch(`/api/orgs/${w.org.id}/people/${w.owner.id}`, { orgRole: "admin" });
    expect(res0.status).toBe(200);
    expect(await c.subscribe(rooms.orgDashboard(w.org.id))).toEqual({ ok: true });
    expect(await c.subscribe(rooms.queue(w.project.id))).toEqual({ ok: true });
    const res = await client(slow.url, w.owner.token).delete(`/api/orgs/${w.org.id}/people/${w.admin.id}`);
    expect(res.status).toBe(204);
    await c.waitFor("room:left");
    await expect.poll(() => c.of("room:left").map((e) => e.room).sort(), { timeout: 5_000 }).toEqual([rooms.orgDashboard(w.org.id), rooms.queue(w.project.id)].sort());
    c.close();
  });

  it("an API key's socket hears its maker's personal events of the key's org only", async () => {
    const w = await createWorld(slow.deps);
    await slow.deps.db.orgMember.create({ data: { orgId: w.other.org.id, userId: w.admin.id, role: "member" } });
    const k = generateApiKey();
    await slow.deps.db.apiKey.create({ data: { orgId: w.org.id, createdById: w.admin.id, name: "bot", prefix: k.prefix, hash: k.hash } });
    const viaKey = await connect(slow.url, k.key);
    const signedIn = await connect(slow.url, w.admin.token);
    const note = (orgId: string, title: string) => ({ userId: w.admin.id, orgId, type: "review_ready" as const, title, body: title, link: "/" });
    // Another org's first: a socket gets its events in order, so once it has ours it would have had theirs.
    await notify(slow.deps, [note(w.other.org.id, "theirs")]);
    await notify(slow.deps, [note(w.org.id, "ours")]);
    await viaKey.waitFor("notification", (n) => n.title === "ours");
    expect(viaKey.of("notification").map((n) => n.title)).toEqual(["ours"]);
    await signedIn.waitFor("notification", (n) => n.title === "ours");
    expect(signedIn.of("notification").map((n) => n.title)).toEqual(["theirs", "ours"]);
    viaKey.close();
    signedIn.close();
  });

  it("a revoked API key's socket joins no more rooms (it is closed at the next resync)", async () => {
    const w = await createWorld(slow.deps);
    const k = generateApiKey();
    await slow.deps.db.apiKey.create({ data: { orgId: w.org.id, createdById: w.admin.id, name: "leaked", prefix: k.prefix, hash: k.hash } });
    const c = await connect(slow.url, k.key);
    expect(await c.subscribe(rooms.orgDashboard(w.org.id))).toEqual({ ok: true });
    await slow.deps.db.apiKey.update({ where: { hash: k.hash }, data: { revokedAt: clock.now() } });
    expect(await c.subscribe(rooms.queue(w.project.id))).toMatchObject({ error: { code: "unauthenticated" } });
    expect(slow.app.realtime.io.of("/").adapter.rooms.get(rooms.queue(w.project.id))?.has(c.socket.id!) ?? false).toBe(false);
    c.close();
  });

  it("takes a demoted Org Admin off the org dashboard at once", async () => {
    const w = await createWorld(slow.deps);
    await client(slow.url, w.admin.token).patch(`/api/orgs/${w.org.id}/people/${w.owner.id}`, { orgRole: "admin" });
    const c = await connect(slow.url, w.admin.token);
    expect(await c.subscribe(rooms.orgDashboard(w.org.id))).toEqual({ ok: true });
    const res = await client(slow.url, w.owner.token).patch(`/api/orgs/${w.org.id}/people/${w.admin.id}`, { orgRole: "member" });
    expect(res.status).toBe(200);
    expect(await c.waitFor("room:left")).toEqual({ room: rooms.orgDashboard(w.org.id), code: "forbidden" });
    c.close();
  });
});

// Hostile access over every route and socket room: another org's ids slipped
// into each path parameter and into request bodies (never a 2xx, never a write),
// forged and tampered tokens (always 401, HTTP and socket handshake alike),
// another org's rooms and malformed subscribe requests, and socket floods held
// by the per-socket rate limit while other sockets and HTTP stay served.
import { createHmac } from "node:crypto";
import jwt from "jsonwebtoken";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { generateApiKey } from "../../server/src/auth/api-keys";
import { signToken } from "../../server/src/auth/jwt";
import { ManualClock } from "../../server/src/infra/clock";
import { rooms } from "../../server/src/shared/socket-events";
import { startTestApp, type TestApp } from "../helpers/app";
import { connect, refused } from "../helpers/socket";
import { buildWorld, defaultParams, rows, type Row, type World } from "../server/access-matrix.table";
import { countDiff, send, tableCounts, tally, undocumented } from "./harness/contract";
import { Recorder } from "./harness/summary";

const rec = new Recorder(
  "access-attacks",
  "Another org's ids in any path parameter or body, forged tokens, foreign or malformed rooms and socket floods are all refused; nothing is written and the server stays responsive.",
);
let t: TestApp;
let A: World;
let B: World;
const statuses: Record<string, number> = {};
const violations: string[] = [];
let tried = 0;

beforeAll(async () => {
  t = await startTestApp({ config: { RATE_LIMIT_PER_MIN: 1_000_000_000 }, loginPerAddressPerMinute: 1_000_000_000, workers: true });
  A = await buildWorld(t.deps);
  B = await buildWorld(t.deps);
});
let anyFailed = false;
beforeEach((ctx) => ctx.onTestFailed(() => void (anyFailed = true)));
afterAll(async () => {
  rec.requests({ tried, acknowledged: 0, refused: statuses });
  rec.invariants(violations);
  rec.write(!anyFailed && !violations.length);
  await t.close();
});

const key = (r: { method: string; path: string }) => `${r.method.toUpperCase()} ${r.path}`;
const paramsOf = (row: Row, w: World): Record<string, string> => ({ ...defaultParams(w), ...row.params?.(w) });
const tokenOf = (row: Row, w: World) => {
  const role = Array.isArray(row.allow) ? row.allow[0]! : "admin";
  return (w as unknown as Record<string, { token?: string }>)[role]?.token ?? w.admin.token;
};
const fill = (path: string, values: Record<string, string>) => path.replace(/:([A-Za-z]+)/g, (_m, n: string) => encodeURIComponent(values[n]!));
const judged = (label: string, a: { status: number; text: string; body: any }, ok: (s: number) => boolean) => {
  tried++;
  tally(statuses, a);
  if (!ok(a.status)) violations.push(`${label} → ${a.status} ${a.text.slice(0, 120)}`);
  else if (a.status >= 400 && undocumented(a)) violations.push(`${label} → ${undocumented(a)}`);
};

/** Every id of world A that world B has a counterpart for (same role in the world). */
function idPairs(row: Row): Array<[string, string]> {
  const a: Record<string, string> = { ...paramsOf(row, A), ...A.extra, orgId: A.org.id, projectId: A.project.id };
  const b: Record<string, string> = { ...paramsOf(row, B), ...B.extra, orgId: B.org.id, projectId: B.project.id };
  for (const role of ["admin", "owner", "viewer", "contributor", "member"] as const) {
    a[`user:${role}`] = A[role].id;
    b[`user:${role}`] = B[role].id;
  }
  return Object.keys(a)
    .filter((k) => b[k] && a[k] !== b[k] && a[k]!.length >= 8)
    .map((k) => [a[k]!, b[k]!]);
}

describe("another org's ids", () => {
  it("in any one path parameter: 404, whatever the others are", async () => {
    const before = await tableCounts(t.deps.db);
    for (const row of rows.filter((r) => r.allow !== "public" && r.path.includes(":"))) {
      const mine = paramsOf(row, A);
      const theirs = paramsOf(row, B);
      for (const name of [...row.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!)) {
        if (!theirs[name] || theirs[name] === mine[name]) continue;
        const path = fill(row.path, { ...mine, [name]: theirs[name]! });
        const a = await send(t.url, row.method, path, { token: tokenOf(row, A), body: row.body ? JSON.stringify(row.body(A)) : undefined });
        judged(`${key(row)} with :${name} of another org`, a, (s) => s === 404);
      }
    }
    const changed = countDiff(before, await tableCounts(t.deps.db));
    violations.push(...changed.map((c) => `row count changed: ${c}`));
    expect(violations).toEqual([]);
  });

  it("inside request bodies: never a 2xx, never a write", async () => {
    const before = await tableCounts(t.deps.db);
    let probed = 0;
    for (const row of rows.filter((r) => r.allow !== "public" && r.body && r.method !== "get")) {
      const text = JSON.stringify(row.body!(A));
      for (const [mine, theirs] of idPairs(row)) {
        if (!text.includes(mine)) continue;
        probed++;
        const a = await send(t.url, row.method, fill(row.path, paramsOf(row, A)), { token: tokenOf(row, A), body: text.split(mine).join(theirs) });
        judged(`${key(row)} with a body id of another org`, a, (s) => s >= 400 && s < 500);
      }
    }
    rec.figure("bodiesWithForeignIds", probed);
    const changed = countDiff(before, await tableCounts(t.deps.db));
    violations.push(...changed.map((c) => `row count changed: ${c}`));
    expect(probed).toBeGreaterThan(0);
    expect(violations).toEqual([]);
  });
});

/** Tokens that must all be refused: forged, tampered, expired, for someone else's audience, … */
function forgeries(w: World): Array<[string, string]> {
  const secret = t.deps.jwtSecret;
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: w.admin.id, iat: now, exp: now + 600 };
  const opts = { issuer: "pipelines", audience: "pipelines-api" } as const;
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const good = signToken(secret, w.admin.id, new ManualClock());
  const [h, , sig] = good.split(".");
  const hs = (header: object, payload: object, alg: "sha256" | "sha512" = "sha256") => {
    const body = `${b64(header)}.${b64(payload)}`;
    return `${body}.${createHmac(alg, secret).update(body).digest("base64url")}`;
  };
  return [
    ["alg none", `${b64({ alg: "none", typ: "JWT" })}.${b64({ ...claims, iss: "pipelines", aud: "pipelines-api" })}.`],
    ["wrong secret", jwt.sign(claims, "not-the-secret-not-the-secret", { algorithm: "HS256", ...opts })],
    ["HS512 with the right secret", hs({ alg: "HS512", typ: "JWT" }, { ...claims, iss: "pipelines", aud: "pipelines-api" }, "sha512")],
    ["expired", jwt.sign({ ...claims, iat: now - 7200, exp: now - 3600 }, secret, { algorithm: "HS256", ...opts })],
    ["too far ahead (13 h)", jwt.sign({ ...claims, exp: now + 13 * 3600 }, secret, { algorithm: "HS256", ...opts })],
    ["wrong issuer", jwt.sign(claims, secret, { algorithm: "HS256", issuer: "someone-else", audience: "pipelines-api" })],
    ["wrong audience", jwt.sign(claims, secret, { algorithm: "HS256", issuer: "pipelines", audience: "another-api" })],
    ["no subject", jwt.sign({ iat: now, exp: now + 600 }, secret, { algorithm: "HS256", ...opts })],
    ["numeric subject", hs({ alg: "HS256", typ: "JWT" }, { sub: 42, iat: now, exp: now + 600, iss: "pipelines", aud: "pipelines-api" })],
    ["unknown user", jwt.sign({ ...claims, sub: "00000000-0000-4000-8000-000000000000" }, secret, { algorithm: "HS256", ...opts })],
    ["payload swapped under a valid signature", `${h}.${b64({ ...claims, sub: B.admin.id, iss: "pipelines", aud: "pipelines-api" })}.${sig}`],
    ["signature stripped", `${h}.${good.split(".")[1]}.`],
    ["truncated", good.slice(0, -5)],
    ["garbage", "a.b.c"],
    ["10 KB token", "x".repeat(10_000)],
    ["random API key", generateApiKey().key],
  ];
}

describe("forged tokens", () => {
  it("answer 401 on every route that needs a token", async () => {
    let n = 0;
    for (const [name, token] of forgeries(A)) {
      for (const row of rows.filter((r) => r.allow !== "public")) {
        const a = await send(t.url, row.method, fill(row.path, paramsOf(row, A)), { token, body: row.body ? JSON.stringify(row.body(A)) : undefined });
        judged(`${key(row)} with a forged token (${name})`, a, (s) => s === 401);
        n++;
      }
    }
    rec.figure("forgedTokenRequests", n);
    expect(violations).toEqual([]);
  });

  it("are refused at the socket handshake", async () => {
    for (const [name, token] of forgeries(A)) {
      const err = await refused(t.url, token);
      tried++;
      if (err.data?.code !== "unauthenticated") violations.push(`socket handshake with ${name} → ${JSON.stringify(err.data)}`);
    }
    expect(violations).toEqual([]);
  });
});

describe("socket rooms", () => {
  it("another org's rooms answer not_found for every role; malformed requests invalid_request", async () => {
    for (const role of ["admin", "owner", "viewer", "contributor", "member"] as const) {
      const c = await connect(t.url, A[role].token);
      for (const room of [rooms.queue(B.project.id), rooms.projectDashboard(B.project.id), rooms.orgDashboard(B.org.id)]) {
        const ack = await c.subscribe(room);
        tried++;
        if ((ack as any).error?.code !== "not_found") violations.push(`${role} subscribing to ${room} → ${JSON.stringify(ack)}`);
      }
      c.close();
    }
    const c = await connect(t.url, A.admin.token);
    const bad: unknown[] = [
      null, 42, "project:x:queue", [], { room: 5 }, { room: "" }, { room: "x".repeat(201) }, { room: "__proto__" },
      { room: "project:__proto__:queue" }, JSON.parse(`{"room": "project:${A.project.id}:queue", "__proto__": {"polluted": true}}`),
      { room: `project:${A.project.id}:queue`, extra: 1 }, { room: `org:${A.org.id}:dashboard`, timeframe: "forever" },
      { room: `project:${A.project.id}:queue:${B.project.id}` }, { room: `project:${A.project.id}@x:queue` },
    ];
    for (const payload of bad) {
      const ack = (await c.socket.timeout(5_000).emitWithAck("subscribe", payload as never)) as any;
      tried++;
      if (!["invalid_request", "not_found"].includes(ack?.error?.code)) violations.push(`subscribe ${JSON.stringify(payload)} → ${JSON.stringify(ack)}`);
    }
    // Still a working socket afterwards.
    expect(await c.subscribe(rooms.orgDashboard(A.org.id))).toEqual({ ok: true });
    c.close();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(violations).toEqual([]);
  });

  it("a flood from one socket is rate limited while others and HTTP are still served", async () => {
    const { eventsPerSecond, eventBurst } = t.app.realtime.options;
    const flooder = await connect(t.url, A.admin.token);
    const started = performance.now();
    const acks = (await Promise.all(
      Array.from({ length: 400 }, () => flooder.socket.timeout(10_000).emitWithAck("subscribe", { room: rooms.orgDashboard(A.org.id) })),
    )) as any[];
    const seconds = (performance.now() - started) / 1000;
    const ok = acks.filter((a) => a?.ok).length;
    const limited = acks.filter((a) => a?.error?.code === "rate_limited").length;
    tried += acks.length;
    rec.figure("floodMessages", acks.length);
    rec.figure("floodAccepted", ok);
    rec.figure("floodRateLimited", limited);
    // The bucket lets through at most its burst plus its rate over the time the flood took.
    expect(ok).toBeLessThanOrEqual(eventBurst + Math.ceil(eventsPerSecond * seconds) + 1);
    expect(ok + limited).toBe(acks.length);
    // Without acks the flood is dropped silently; a second socket and HTTP are unaffected.
    for (let i = 0; i < 2_000; i++) flooder.socket.emit("subscribe", { room: rooms.orgDashboard(A.org.id) } as never);
    const other = await connect(t.url, A.owner.token);
    expect(await other.subscribe(rooms.queue(A.project.id))).toEqual({ ok: true });
    expect((await send(t.url, "get", "/api/me", { token: A.admin.token })).status).toBe(200);
    // A message over the 16 KB cap ends that socket, not the server.
    flooder.socket.emit("subscribe", { room: "x".repeat(20_000) } as never);
    expect(await flooder.waitFor("disconnect")).toBeTruthy();
    expect(await other.subscribe(rooms.projectDashboard(A.project.id))).toEqual({ ok: true });
    other.close();
    rec.note("Each socket has a token bucket (10 events/s, burst 30): over it a message is dropped and its ack says rate_limited; a message over 16 KB closes that socket. There is no per-address limit on opening sockets: the handshake needs a valid token.");
  });
});

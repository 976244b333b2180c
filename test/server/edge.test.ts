// Bad input gets a clear error of the documented shape and changes nothing.
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { client } from "../helpers/http";
import { createWorld } from "../helpers/factories";

let t: TestApp;
let w: Awaited<ReturnType<typeof createWorld>>;
beforeAll(async () => {
  t = await startTestApp();
  w = await createWorld(t.deps);
});
afterAll(() => t.close());

const raw = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(t.url + path, { method: "POST", headers: { authorization: `Bearer ${w.admin.token}`, "content-type": "application/json", ...headers }, body });

describe("the edge", () => {
  it("malformed JSON → 400 invalid_request, no stack trace", async () => {
    const res = await raw(`/api/orgs/${w.org.id}/projects`, '{"name": "x",');
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body).toEqual({ error: { code: "invalid_request", message: expect.any(String) } });
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts|node_modules/);
  });

  it("a body over 1 MB → 413 payload_too_large", async () => {
    const res = await raw(`/api/orgs/${w.org.id}/projects`, JSON.stringify({ name: "x", description: "y".repeat(1_100_000) }));
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe("payload_too_large");
  });

  it("the routes taking large bodies refuse a caller without valid credentials before reading the body", async () => {
    // 2 MB announced, 64 KB sent, the rest never: the answer can only come before the body is read.
    const refusedEarly = (path: string, type: string, headers: Record<string, string> = {}) =>
      new Promise<{ status: number; body: { error?: { code?: string } } }>((resolve, reject) => {
        const req = request(t.url + path, { method: "POST", headers: { "content-type": type, "content-length": String(2 * 1024 * 1024), ...headers } });
        req.on("error", reject);
        req.on("response", (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => (text += chunk));
          res.on("end", () => {
            req.destroy();
            resolve({ status: res.statusCode!, body: JSON.parse(text) });
          });
        });
        req.write(`{"input":"${"x".repeat(64 * 1024)}`);
      });
    const id = "00000000-0000-4000-8000-000000000000";
    for (const [path, type] of [[`/api/agents/${id}/runs`, "application/json"], [`/api/pipelines/${id}/tasks`, "application/json"], [`/api/pipelines/${id}/tasks`, "text/csv"]] as const)
      for (const headers of [{}, { authorization: "Bearer pk_00000000_nope" }] as Array<Record<string, string>>) {
        const r = await refusedEarly(path, type, headers);
        expect({ path, type, headers, status: r.status, code: r.body.error?.code }).toEqual({ path, type, headers, status: 401, code: "unauthenticated" });
      }
  }, 15_000);

  it("unknown fields are refused with the field named", async () => {
    const res = await client(t.url, w.admin.token).post(`/api/orgs/${w.org.id}/projects`, { name: "x", colour: "red" });
    expect(res.status).toBe(400);
    expect(res.body.error.details.issues[0].message).toMatch(/colour/);
  });

  it("prototype-pollution keys are refused and pollute nothing", async () => {
    const res = await raw(`/api/orgs/${w.org.id}/projects`, '{"name":"x","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}');
    expect(res.status).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("wrong types, empty names and huge strings → 400 with details", async () => {
    const c = client(t.url, w.admin.token);
    for (const body of [{ name: 42 }, { name: "   " }, { name: "n".repeat(5000) }, [], "text", null]) {
      const res = await c.post(`/api/orgs/${w.org.id}/projects`, body);
      expect(res.status, JSON.stringify(body).slice(0, 40)).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    }
  });

  it("a forged list cursor → 400, whatever value it carries", async () => {
    const c = client(t.url, w.admin.token);
    const forge = (v: unknown) => Buffer.from(JSON.stringify([v, "x"])).toString("base64url");
    const lists = [`/api/orgs/${w.org.id}/audit-log`, `/api/orgs/${w.org.id}/api-keys`, `/api/orgs/${w.org.id}/models`, `/api/projects/${w.project.id}/explorer`];
    for (const path of lists)
      for (const v of ["abc", 1.5, { d: "+275760-09-13T00:00:00.000Z" }, { d: "nope" }, null]) {
        const r = await c.get(`${path}?cursor=${forge(v)}`);
        expect({ path, v, status: r.status, code: r.body.error?.code }).toEqual({ path, v, status: 400, code: "invalid_request" });
      }
    for (const v of [1.5, 2 ** 40, "abc", { d: "2026-01-01T00:00:00Z" }]) {
      const r = await c.get(`/api/projects/${w.project.id}/explorer?sort=priority&cursor=${forge(v)}`);
      expect({ v, status: r.status }).toEqual({ v, status: 400 });
    }
  });

  it("half of a surrogate pair in any text → 400 before anything is written", async () => {
    const before = await t.deps.db.project.count({ where: { orgId: w.org.id } });
    for (const body of ['{"name":"\\ud800"}', '{"name":"x\\udc00y"}', '{"name":"ok","description":"\\udbff"}', '{"name":"ok","\\ud800":1}']) {
      const res = await raw(`/api/orgs/${w.org.id}/projects`, body);
      expect(res.status).toBe(400);
      expect((await res.json()).error).toMatchObject({ code: "invalid_request", message: expect.stringMatching(/Unicode/) });
    }
    // A whole pair (an emoji) is text like any other.
    expect((await raw(`/api/orgs/${w.org.id}/projects`, '{"name":"ok \\ud83d\\ude00"}')).status).toBe(201);
    expect(await t.deps.db.project.count({ where: { orgId: w.org.id } })).toBe(before + 1);
  });

  it("unknown routes under /api → 404 in the error shape", async () => {
    const res = await client(t.url, w.admin.token).get("/api/nope");
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
  });

  it("a failed write leaves nothing behind (invite with another org's project)", async () => {
    const before = await t.deps.db.user.count();
    const res = await client(t.url, w.admin.token).post(`/api/orgs/${w.org.id}/people`, {
      email: "partial@test.local",
      projects: [{ projectId: w.otherProject.id, role: "viewer" }],
    });
    expect(res.status).toBe(404);
    expect(await t.deps.db.user.count()).toBe(before);
    expect(await t.deps.db.user.findUnique({ where: { email: "partial@test.local" } })).toBeNull();
  });

  it("responses carry a request id and security headers", async () => {
    const res = await client(t.url).get("/healthz");
    expect(res.headers.get("x-request-id")).toBeTruthy();
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-powered-by")).toBeNull();
  });

  it("echoes a caller's request id only when it is a plain token", async () => {
    const sent = (id: string) => fetch(t.url + "/healthz", { headers: { "x-request-id": id } }).then((r) => r.headers.get("x-request-id"));
    expect(await sent("trace-42.a:b")).toBe("trace-42.a:b");
    for (const bad of ["has space", "x".repeat(201), "a\tb"]) expect(await sent(bad)).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("contributor types", () => {
  const url = () => `/api/projects/${w.project.id}/contributor-types`;

  it("accepts a schedule with a window across midnight and holidays", async () => {
    const res = await client(t.url, w.owner.token).post(url(), {
      name: "Night shift",
      claimLimit: 2,
      poolLimit: 5,
      schedule: { timezone: "America/New_York", windows: [{ days: [1, 2, 3, 4, 5], start: "22:00", end: "06:00" }], exceptions: [{ date: "2026-12-25", closed: true }] },
    });
    expect(res.status).toBe(201);
    expect(res.body.schedule.windows[0]).toEqual({ days: [1, 2, 3, 4, 5], start: "22:00", end: "06:00" });
  });

  it.each([
    ["unknown zone", { timezone: "Mars/Olympus", windows: [{ days: [1], start: "09:00", end: "17:00" }] }],
    ["bad time", { timezone: "UTC", windows: [{ days: [1], start: "9am", end: "17:00" }] }],
    ["day 8", { timezone: "UTC", windows: [{ days: [8], start: "09:00", end: "17:00" }] }],
    ["empty window", { timezone: "UTC", windows: [{ days: [1], start: "09:00", end: "09:00" }] }],
    // 24:00 only ends a day: as a start, 24:00–00:00 would be a window that never opens.
    ["window starting at 24:00", { timezone: "UTC", windows: [{ days: [1], start: "24:00", end: "00:00" }] }],
    ["bad date", { timezone: "UTC", windows: [{ days: [1], start: "09:00", end: "17:00" }], exceptions: [{ date: "2026-13-40" }] }],
    ["date that does not exist", { timezone: "UTC", windows: [{ days: [1], start: "09:00", end: "17:00" }], exceptions: [{ date: "2026-02-30" }] }],
  ])("refuses a schedule with %s", async (_name, schedule) => {
    const res = await client(t.url, w.owner.token).post(url(), { name: `Bad ${Math.random()}`, claimLimit: 1, schedule });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
  });

  it("names are unique per project (409) and claimLimit must be positive", async () => {
    const c = client(t.url, w.owner.token);
    expect((await c.post(url(), { name: "Domain Expert", claimLimit: 1 })).body.error.code).toBe("name_taken");
    expect((await c.post(url(), { name: "Zero", claimLimit: 0 })).status).toBe(400);
  });

  it("a Viewer's write answers 403 and changes nothing", async () => {
    const res = await client(t.url, w.viewer.token).patch(`${url()}/${w.type.id}`, { claimLimit: 99 });
    expect(res.status).toBe(403);
    expect((await t.deps.db.contributorType.findUniqueOrThrow({ where: { id: w.type.id } })).claimLimit).toBe(3);
  });
});

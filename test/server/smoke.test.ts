import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { client } from "../helpers/http";
import { startTestApp, type TestApp } from "../helpers/app";
import { createWorld } from "../helpers/factories";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe("server basics", () => {
  it("answers health and readiness", async () => {
    const c = client(t.url);
    expect((await c.get("/healthz")).body).toEqual({ status: "ok" });
    expect((await c.get("/readyz")).body).toMatchObject({ status: "ok", postgres: "ok", redis: "ok" });
  });

  it("tells me who I am with personas", async () => {
    const w = await createWorld(t.deps);
    const me = await client(t.url, w.contributor.token).get("/api/me");
    expect(me.status).toBe(200);
    expect(me.body.personas).toEqual(["contributor"]);
    const adminMe = await client(t.url, w.admin.token).get("/api/me");
    expect(adminMe.body.personas).toEqual(["admin"]);
  });
});

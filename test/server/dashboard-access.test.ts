// Who sees which dashboard: the org dashboard is for Org Admins only; a project's
// for its Owners and Viewers and the Org Admins; Contributors get 403 and another
// org's dashboards answer 404, like ones that do not exist.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { createWorld } from "../helpers/factories";
import { client } from "../helpers/http";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe("dashboard access", () => {
  it("project dashboard: Owner, Viewer and Org Admin; Contributor 403; another org 404", async () => {
    const w = await createWorld(t.deps);
    const path = `/api/projects/${w.project.id}/dashboard?timeframe=30d`;
    for (const who of [w.admin, w.owner, w.viewer]) {
      const res = await client(t.url, who.token).get(path);
      expect(res.status).toBe(200);
      expect(res.body.widgets.activity.submissions.series).toHaveLength(30);
    }
    for (const who of [w.contributor, w.member]) {
      const res = await client(t.url, who.token).get(path);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe("forbidden");
    }
    const outsider = await client(t.url, w.other.admin.token).get(path);
    expect(outsider.status).toBe(404);
    expect(outsider.body.error.code).toBe("not_found");
    // The other org's admin sees their own project, and ours answers like a missing one.
    expect((await client(t.url, w.admin.token).get(`/api/projects/${w.otherProject.id}/dashboard`)).status).toBe(404);
    expect((await client(t.url, w.admin.token).get(`/api/projects/no-such-project/dashboard`)).status).toBe(404);
  });

  it("org dashboard: Org Admins only; every other member 403; another org 404", async () => {
    const w = await createWorld(t.deps);
    const path = `/api/orgs/${w.org.id}/dashboard?timeframe=24h`;
    const ok = await client(t.url, w.admin.token).get(path);
    expect(ok.status).toBe(200);
    expect(ok.body.widgets.projects.items).toEqual([{ id: w.project.id, name: w.project.name, status: "active", contributors: 1 }]);
    for (const who of [w.owner, w.viewer, w.contributor, w.member]) {
      expect((await client(t.url, who.token).get(path)).status).toBe(403);
    }
    expect((await client(t.url, w.other.admin.token).get(path)).body.error.code).toBe("not_found");
    expect((await client(t.url, w.admin.token).get(`/api/orgs/${w.other.org.id}/dashboard`)).status).toBe(404);
  });

  it("rejects an unknown timeframe or query field", async () => {
    const w = await createWorld(t.deps);
    const c = client(t.url, w.admin.token);
    for (const q of ["timeframe=1y", "timeframe=7d&scope=all"]) {
      const res = await c.get(`/api/projects/${w.project.id}/dashboard?${q}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("invalid_request");
    }
    expect((await c.get(`/api/orgs/${w.org.id}/dashboard`)).body.timeframe).toBe("7d");
  });
});

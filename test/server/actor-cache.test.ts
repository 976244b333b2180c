// Instances keep recently read actors in memory, yet a change of rights applies
// at once: this instance's own changes through the bus, every other writer's
// (another instance, SQL by hand) through PostgreSQL's notification after commit.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { ActorCache, actorCacheOf } from "../../server/src/access/actor-cache";
import { startTestApp, type TestApp } from "../helpers/app";
import { addProjectMember, createContributorType, createOrg, createProject } from "../helpers/factories";
import { client } from "../helpers/http";

let one: TestApp;
let two: TestApp;
let sql: pg.Client;
beforeAll(async () => {
  [one, two] = await Promise.all([startTestApp({ workers: true }), startTestApp({ workers: true })]);
  sql = new pg.Client({ connectionString: inject("databaseUrl") });
  await sql.connect();
  await Promise.all([until(() => cacheOf(one).active), until(() => cacheOf(two).active)]);
});
afterAll(async () => {
  await sql.end();
  await Promise.all([one.close(), two.close()]);
});

const cacheOf = (t: TestApp) => actorCacheOf(t.deps.db);

async function until(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function world() {
  const { org, admin } = await createOrg(one.deps);
  const project = await createProject(one.deps, org.id);
  const type = await createContributorType(one.deps, project.id);
  const worker = await addProjectMember(one.deps, project, "contributor", type.id);
  const path = `/api/projects/${project.id}/queue`;
  return { org, admin, project, worker, path };
}

describe("the actor cache", () => {
  it("keeps an actor once read, and a removal through this instance applies to the very next request", async () => {
    const w = await world();
    expect((await client(one.url, w.worker.token).get(w.path)).status).toBe(200);
    expect(cacheOf(one).size).toBeGreaterThan(0);
    const res = await client(one.url, w.admin.token).delete(`/api/projects/${w.project.id}/members/${w.worker.id}`);
    expect(res.status).toBe(204);
    expect((await client(one.url, w.worker.token).get(w.path)).status).toBe(403);
  });

  it("a removal made on another instance reaches this one's cache", async () => {
    const w = await world();
    expect((await client(two.url, w.worker.token).get(w.path)).status).toBe(200);
    const res = await client(one.url, w.admin.token).delete(`/api/orgs/${w.org.id}/people/${w.worker.id}`);
    expect(res.status).toBe(204);
    await until(async () => (await client(two.url, w.worker.token).get(w.path)).status === 404);
  });

  it("a change written by hand in SQL reaches every instance", async () => {
    const w = await world();
    for (const t of [one, two]) expect((await client(t.url, w.worker.token).get(w.path)).status).toBe(200);
    await sql.query(`UPDATE "ProjectMember" SET role = 'viewer', "contributorTypeId" = NULL WHERE "userId" = $1`, [w.worker.id]);
    for (const t of [one, two]) await until(async () => (await client(t.url, w.worker.token).get(w.path)).status === 403);
    await sql.query(`DELETE FROM "User" WHERE id = $1`, [w.worker.id]);
    for (const t of [one, two]) await until(async () => (await client(t.url, w.worker.token).get(`/api/me`)).status === 401);
  });

  it("is dropped when the instance stops hearing changes, and used again once it listens again", async () => {
    const w = await world();
    expect((await client(one.url, w.worker.token).get(w.path)).status).toBe(200);
    expect(cacheOf(one).size).toBeGreaterThan(0);
    const killed = await sql.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN pipelines_actor' AND datname = current_database()`,
    );
    expect(killed.rowCount).toBeGreaterThanOrEqual(2);
    // Whatever was kept may have missed a change: all of it goes.
    await until(() => cacheOf(one).size === 0);
    await until(() => cacheOf(one).active && cacheOf(two).active);
    expect((await client(one.url, w.worker.token).get(w.path)).status).toBe(200);
    expect(cacheOf(one).size).toBeGreaterThan(0);
  });
});

describe("ActorCache", () => {
  const live = () => {
    const c = new ActorCache<{ v: number }>(60_000);
    c.setLive(true);
    return c;
  };

  it("does not keep a read that a change overtook", async () => {
    const c = live();
    let release!: (v: { v: number }) => void;
    const first = c.get("u", () => new Promise((r) => (release = r)));
    c.forget("u");
    release({ v: 1 });
    expect(await first).toEqual({ v: 1 });
    expect(await c.get("u", async () => ({ v: 2 }))).toEqual({ v: 2 });
  });

  it("shares one read among concurrent requests, and keeps nothing while not live", async () => {
    const c = live();
    let reads = 0;
    const load = async () => ({ v: ++reads });
    const got = await Promise.all([c.get("u", load), c.get("u", load), c.get("u", load)]);
    expect(got.map((g) => g?.v)).toEqual([1, 1, 1]);
    c.setLive(false);
    await c.get("u", load);
    await c.get("u", load);
    expect(reads).toBe(3);
    expect(c.size).toBe(0);
  });

  it("keeps nothing when its time to live is zero", async () => {
    const c = new ActorCache<{ v: number }>(0);
    c.setLive(true);
    expect(c.active).toBe(false);
  });
});

// UTC buckets whatever PostgreSQL's default TimeZone (initdb writes the host's
// zone into postgresql.conf, so a self-hosted or embedded database is often not
// in UTC). Prisma's pg adapter sends a Date as UTC wall-clock text with no
// offset, which PostgreSQL reads in the session's zone: unless every session is
// in UTC, imported tasks were stored hours away from their instant and the
// dashboard's window bounds moved, dropping today from every day timeframe.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { signToken } from "../../server/src/auth/jwt";
import { ManualClock } from "../../server/src/infra/clock";
import { startTestApp, type TestApp } from "../helpers/app";
import { client } from "../helpers/http";
import { importTasks, queueProject } from "../helpers/queue";

const clock = new ManualClock("2027-01-04T21:00:00Z");
let t: TestApp;
beforeAll(async () => {
  // A database whose sessions default to UTC+14, as one set up on a host in that zone.
  const url = new URL(inject("databaseUrl"));
  url.searchParams.set("options", "-c TimeZone=Pacific/Kiritimati");
  t = await startTestApp({ clock, databaseUrl: url.toString() });
});
afterAll(() => t.close());

describe("dashboards on a database whose default time zone is not UTC", () => {
  it("store and count a task at its instant, in its UTC hour and day", async () => {
    const q = await queueProject(t.deps, t.url);
    const [id] = await importTasks(q, [{ payload: {} }]);
    // Read as a number: Prisma's own parsing of the text drops its offset too.
    const [row] = await t.deps.db.$queryRawUnsafe<Array<{ ms: number }>>(
      `SELECT (extract(epoch FROM "createdAt") * 1000)::float8 AS ms FROM "Task" WHERE id = $1`,
      id,
    );
    expect(new Date(row!.ms).toISOString()).toBe("2027-01-04T21:00:00.000Z");

    const admin = client(t.url, signToken(t.deps.jwtSecret, q.admin.id, clock));
    const day = (await admin.get(`/api/projects/${q.project.id}/dashboard?timeframe=7d`)).body;
    expect(day.widgets.pipelineCompletion).toEqual({ value: 0, completed: 0, total: 1 });
    const hour = (await admin.get(`/api/projects/${q.project.id}/dashboard?timeframe=24h`)).body;
    expect(hour.widgets.pipelineCompletion.total).toBe(1);
    expect(hour.from).toBe("2027-01-03T22:00:00.000Z");
  });
});

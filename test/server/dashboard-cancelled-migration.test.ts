// Migration dashboard_cancelled_tasks: tasks cancelled before it were counted in
// Pipeline Completion's total. After it the aggregates leave them out, exactly as
// dashboard_rebuild() computes from the raw rows, and a reopen puts them back.
import { expect, it } from "vitest";
import { databaseBefore } from "../helpers/migrations";

const NAME = "20261208190000_dashboard_cancelled_tasks";

it("takes the tasks cancelled before it out of the created tasks, as the rebuild does", async () => {
  const scratch = await databaseBefore(NAME);
  const { q } = scratch;
  try {
    await q(`INSERT INTO "Organization" (id, name) VALUES ('o1', 'Org')`);
    await q(`INSERT INTO "Project" (id, "orgId", name) VALUES ('p1', 'o1', 'P')`);
    await q(`INSERT INTO "Pipeline" (id, "projectId", name) VALUES ('pl1', 'p1', 'Pl')`);
    await q(`INSERT INTO "PipelineNode" (id, "pipelineId", "projectId", key, kind, name, position) VALUES ('n1', 'pl1', 'p1', 'work', 'task', 'Work', 0)`);
    const task = (id: string, at: string) =>
      q(`INSERT INTO "Task" (id, "projectId", "pipelineId", "nodeId", payload, "createdAt") VALUES ($1, 'p1', 'pl1', 'n1', '{}', $2)`, [id, at]);
    await task("t1", "2026-05-01T10:05:00Z");
    await task("t2", "2026-05-01T10:20:00Z");
    await task("t3", "2026-05-02T08:00:00Z");
    await q(`UPDATE "Task" SET status = 'cancelled' WHERE id IN ('t1', 't3')`);
    const created = async () =>
      (await q(`SELECT "day"::text AS day, "tasksCreated" AS n FROM "StatProjectDayLive" WHERE "projectId" = 'p1' ORDER BY "day"`)).map((r) => [r.day, r.n]);
    expect(await created()).toEqual([
      ["2026-05-01", 2],
      ["2026-05-02", 1],
    ]); // the old definition: cancelled tasks counted

    expect(await scratch.migrateRest()).toContain(NAME);
    expect(await created()).toEqual([
      ["2026-05-01", 1],
      ["2026-05-02", 0],
    ]);
    await q(`UPDATE "Task" SET status = 'queued' WHERE id = 't3'`);
    const live = await created();
    expect(live).toEqual([
      ["2026-05-01", 1],
      ["2026-05-02", 1],
    ]);
    await q(`SELECT dashboard_rebuild('o1')`);
    expect(await created()).toEqual(live);
  } finally {
    await scratch.drop();
  }
});

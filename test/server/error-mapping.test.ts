// Failures of a connection answer 503 (nothing was written, try again), never 500:
// here a pooled client whose connection died before it was handed out, which pg
// refuses locally ("not queryable") without sending anything (seen under
// test/chaos/postgres-faults.test.ts when backends are terminated).
import pg from "pg";
import { expect, inject, it } from "vitest";
import { toAppError } from "../../server/src/http/error-handler";

it("a query on a client whose connection failed answers 503 unavailable", async () => {
  const url = inject("databaseUrl");
  const victim = new pg.Client({ connectionString: url });
  await victim.connect();
  const died = new Promise<void>((resolve) => victim.on("error", () => resolve()));
  const pid: number = (await victim.query("SELECT pg_backend_pid() AS pid")).rows[0].pid;
  const killer = new pg.Client({ connectionString: url });
  await killer.connect();
  await killer.query("SELECT pg_terminate_backend($1)", [pid]);
  await killer.end();
  await died;
  const err = await victim.query("SELECT 1").then(
    () => null,
    (e: unknown) => e,
  );
  expect(String((err as Error).message)).toMatch(/not queryable/);
  const app = toAppError(err);
  expect([app.status, app.code]).toEqual([503, "unavailable"]);
  await victim.end().catch(() => {});
});

-- A cancelled task is out of Pipeline Completion's total of created tasks while
-- it is cancelled; reopened, it counts again (docs/metrics.md). Every writer of
-- "tasksCreated" says so: the task triggers (insert, update, delete) and the
-- backfill, so the live rollups and dashboard_rebuild() agree. A cancelled task
-- is never completed (the edit refuses a completed task), so "tasksCreatedCompleted"
-- is unchanged. Functions copied whole from their latest definitions
-- (dash_on_task_insert: dashboard_deltas; dash_on_task_update, dashboard_rebuild:
-- dashboard_one_delta_table; dash_on_task_delete: dashboard), changed only there.

CREATE OR REPLACE FUNCTION dash_on_task_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  PERFORM dash_lock_shared(pid) FROM (SELECT DISTINCT "projectId" AS pid FROM added) x ORDER BY pid;
  FOR r IN
    SELECT a."projectId", p."orgId", dash_hour(e.at) AS at, sum(e.completed)::int AS completed, sum(e.created)::int AS created,
           sum(e.created_completed)::int AS created_completed
    FROM added a JOIN "Project" p ON p.id = a."projectId"
    CROSS JOIN LATERAL (
      SELECT a."createdAt" AS at, 0 AS completed, (a."status" <> 'cancelled')::int AS created,
             (a."status" = 'completed' AND a."completedAt" IS NOT NULL)::int AS created_completed
      UNION ALL
      SELECT a."completedAt", 1, 0, 0 WHERE a."status" = 'completed' AND a."completedAt" IS NOT NULL
    ) e
    GROUP BY 1, 2, 3 ORDER BY 1, 3
  LOOP
    PERFORM dash_add(r."projectId", r."orgId", r.at, r.completed, r.created, r.created_completed, 0, 0, 0);
  END LOOP;
  RETURN NULL;
END $$;

-- A completion counts at its own instant (completedTasks) and at the task's
-- creation (tasksCreatedCompleted); when both fall in one hour, one row says both.
-- A cancel takes the task out of its creation hour's tasksCreated, a reopen puts it back.
CREATE OR REPLACE FUNCTION dash_on_task_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  was timestamptz := CASE WHEN OLD."status" = 'completed' THEN OLD."completedAt" END;
  now_ timestamptz := CASE WHEN NEW."status" = 'completed' THEN NEW."completedAt" END;
  created int := (NEW."status" <> 'cancelled')::int - (OLD."status" <> 'cancelled')::int;
  org text;
BEGIN
  IF was IS NOT DISTINCT FROM now_ AND created = 0 THEN
    RETURN NULL;
  END IF;
  SELECT "orgId" INTO org FROM "Project" WHERE id = NEW."projectId";
  PERFORM dash_lock_shared(NEW."projectId");
  IF created <> 0 THEN
    PERFORM dash_add(NEW."projectId", org, NEW."createdAt", 0, created, 0, 0, 0, 0);
  END IF;
  IF was IS NOT DISTINCT FROM now_ THEN
    RETURN NULL;
  END IF;
  IF was IS NOT NULL THEN
    IF dash_hour(was) = dash_hour(NEW."createdAt") THEN
      PERFORM dash_add(NEW."projectId", org, was, -1, 0, -1, 0, 0, 0);
    ELSE
      PERFORM dash_add(NEW."projectId", org, was, -1, 0, 0, 0, 0, 0);
      PERFORM dash_add(NEW."projectId", org, NEW."createdAt", 0, 0, -1, 0, 0, 0);
    END IF;
  END IF;
  IF now_ IS NOT NULL THEN
    IF dash_hour(now_) = dash_hour(NEW."createdAt") THEN
      PERFORM dash_add(NEW."projectId", org, now_, 1, 0, 1, 0, 0, 0);
    ELSE
      PERFORM dash_add(NEW."projectId", org, now_, 1, 0, 0, 0, 0, 0);
      PERFORM dash_add(NEW."projectId", org, NEW."createdAt", 0, 0, 1, 0, 0, 0);
    END IF;
  END IF;
  RETURN NULL;
END $$;

-- WHEN keeps claims, releases and moves (the hot path) free of any trigger call;
-- a cancel or a reopen now calls it too.
DROP TRIGGER dash_task_update ON "Task";
CREATE TRIGGER dash_task_update AFTER UPDATE ON "Task" FOR EACH ROW
  WHEN ((OLD."status" = 'completed') IS DISTINCT FROM (NEW."status" = 'completed')
        OR (NEW."status" = 'completed' AND OLD."completedAt" IS DISTINCT FROM NEW."completedAt")
        OR (OLD."status" = 'cancelled') IS DISTINCT FROM (NEW."status" = 'cancelled'))
  EXECUTE FUNCTION dash_on_task_update();

CREATE OR REPLACE FUNCTION dash_on_task_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  FOR r IN
    SELECT g."projectId", p."orgId", dash_hour(e.at) AS at, sum(e.completed)::int AS completed, sum(e.created)::int AS created,
           sum(e.created_completed)::int AS created_completed
    FROM gone g JOIN "Project" p ON p.id = g."projectId"
    CROSS JOIN LATERAL (
      SELECT g."createdAt" AS at, 0 AS completed, (g."status" <> 'cancelled')::int AS created,
             (g."status" = 'completed' AND g."completedAt" IS NOT NULL)::int AS created_completed
      UNION ALL
      SELECT g."completedAt", 1, 0, 0 WHERE g."status" = 'completed' AND g."completedAt" IS NOT NULL
    ) e
    GROUP BY 1, 2, 3 ORDER BY 1, 3
  LOOP
    PERFORM dash_lock(r."projectId");
    PERFORM dash_add(r."projectId", r."orgId", r.at, -r.completed, -r.created, -r.created_completed, 0, 0, 0);
  END LOOP;
  RETURN NULL;
END $$;

-- The backfill: a cancelled task is not created (its creation hour keeps a row, as the triggers leave one).
CREATE OR REPLACE FUNCTION dashboard_rebuild(p_org text DEFAULT NULL) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  o record;
BEGIN
  FOR o IN SELECT id FROM "Organization" WHERE p_org IS NULL OR id = p_org ORDER BY id LOOP
    PERFORM dash_lock(p.id) FROM "Project" p WHERE p."orgId" = o.id ORDER BY p.id;
    PERFORM dash_lock('fold:' || p.id) FROM "Project" p WHERE p."orgId" = o.id ORDER BY p.id;
    DELETE FROM "StatProjectDelta" WHERE "orgId" = o.id;
    DELETE FROM "StatProjectHour" WHERE "orgId" = o.id;
    DELETE FROM "StatProjectDay" WHERE "orgId" = o.id;
    DELETE FROM "StatOrgHour" WHERE "orgId" = o.id;
    DELETE FROM "StatOrgDay" WHERE "orgId" = o.id;
    DELETE FROM "StatUserHour" WHERE "scopeId" = o.id OR "scopeId" IN (SELECT id FROM "Project" WHERE "orgId" = o.id);
    DELETE FROM "StatUserDay" WHERE "scopeId" = o.id OR "scopeId" IN (SELECT id FROM "Project" WHERE "orgId" = o.id);

    -- People per project and for the whole org (one scan, two groupings), in time order.
    INSERT INTO "StatUserHour" ("scopeId", "userId", "hour", "submissions", "cum", "nextHour")
    SELECT x.scope, x."userId", x.h, x.n, (sum(x.n) OVER w)::int, lead(x.h) OVER w
    FROM (SELECT coalesce(s."projectId", o.id) AS scope, s."userId", dash_hour(s."createdAt") AS h, count(*)::int AS n
          FROM "Submission" s WHERE s."orgId" = o.id
          GROUP BY GROUPING SETS ((s."projectId", s."userId", dash_hour(s."createdAt")), (s."userId", dash_hour(s."createdAt")))) x
    WHERE x.scope = o.id OR EXISTS (SELECT 1 FROM "Project" p WHERE p.id = x.scope)
    WINDOW w AS (PARTITION BY x.scope, x."userId" ORDER BY x.h)
    ORDER BY x.h;
    INSERT INTO "StatUserDay" ("scopeId", "userId", "day", "submissions")
    SELECT "scopeId", "userId", dash_day("hour"), sum("submissions")::int FROM "StatUserHour"
    WHERE "scopeId" = o.id OR "scopeId" IN (SELECT id FROM "Project" WHERE "orgId" = o.id)
    GROUP BY 1, 2, 3;

    -- Task and review facts at the instant each counts (as the triggers count them).
    INSERT INTO "StatProjectHour" ("projectId", "orgId", "hour", "completedTasks", "tasksCreated", "tasksCreatedCompleted",
        "firstReviews", "firstReviewPasses", "reviews")
    SELECT f.project, o.id, dash_hour(f.at), sum(f.completed), sum(f.created), sum(f.created_completed), sum(f.first), sum(f.first_pass), sum(f.reviews)
    FROM (
      SELECT t."projectId" AS project, e.at, e.completed, e.created, e.created_completed, 0 AS first, 0 AS first_pass, 0 AS reviews
      FROM "Task" t JOIN "Project" p ON p.id = t."projectId"
      CROSS JOIN LATERAL (
        SELECT t."createdAt" AS at, 0 AS completed, (t."status" <> 'cancelled')::int AS created,
               (t."status" = 'completed' AND t."completedAt" IS NOT NULL)::int AS created_completed
        UNION ALL
        SELECT t."completedAt", 1, 0, 0 WHERE t."status" = 'completed' AND t."completedAt" IS NOT NULL) e
      WHERE p."orgId" = o.id
      UNION ALL
      SELECT r."projectId",
             CASE WHEN r."round" = 1 THEN r."createdAt"
                  ELSE coalesce(min(r."createdAt") FILTER (WHERE r."round" = 1) OVER (PARTITION BY r."taskId", r."nodeId"), r."createdAt") END,
             0, 0, 0, (r."round" = 1)::int, (r."round" = 1 AND r."verdict" = 'pass')::int, 1
      FROM "Review" r JOIN "Project" p ON p.id = r."projectId" WHERE p."orgId" = o.id) f
    GROUP BY 1, 3;
    INSERT INTO "StatProjectHour" AS s ("projectId", "orgId", "hour", "submissions", "activeSubmitters", "maxUserSubmissions")
    SELECT u."scopeId", o.id, u."hour", sum(u."submissions"), count(*), max(u."submissions")
    FROM "StatUserHour" u WHERE u."scopeId" IN (SELECT id FROM "Project" WHERE "orgId" = o.id) GROUP BY 1, 3
    ON CONFLICT ("projectId", "hour") DO UPDATE SET "submissions" = EXCLUDED."submissions",
      "activeSubmitters" = EXCLUDED."activeSubmitters", "maxUserSubmissions" = EXCLUDED."maxUserSubmissions";

    -- Days: the additive counters are their hours' sums; people per day from the day rows.
    INSERT INTO "StatProjectDay" ("projectId", "orgId", "day", "submissions", "completedTasks", "tasksCreated", "tasksCreatedCompleted",
        "firstReviews", "firstReviewPasses", "reviews")
    SELECT "projectId", "orgId", dash_day("hour"), sum("submissions"), sum("completedTasks"), sum("tasksCreated"), sum("tasksCreatedCompleted"),
           sum("firstReviews"), sum("firstReviewPasses"), sum("reviews")
    FROM "StatProjectHour" WHERE "orgId" = o.id GROUP BY 1, 2, 3;
    UPDATE "StatProjectDay" d SET "activeSubmitters" = u.a, "maxUserSubmissions" = u.m
    FROM (SELECT "scopeId", "day", count(*)::int AS a, max("submissions") AS m FROM "StatUserDay"
          WHERE "scopeId" IN (SELECT id FROM "Project" WHERE "orgId" = o.id) GROUP BY 1, 2) u
    WHERE d."projectId" = u."scopeId" AND d."day" = u."day";

    INSERT INTO "StatOrgHour" ("orgId", "hour", "activeSubmitters", "maxUserSubmissions")
    SELECT o.id, "hour", count(*), max("submissions") FROM "StatUserHour" WHERE "scopeId" = o.id GROUP BY "hour";
    INSERT INTO "StatOrgDay" ("orgId", "day", "activeSubmitters", "maxUserSubmissions")
    SELECT o.id, "day", count(*), max("submissions") FROM "StatUserDay" WHERE "scopeId" = o.id GROUP BY "day";
  END LOOP;
END $$;

-- Tasks cancelled before this migration were counted as created: take them out
-- once (the Task table is locked by the DROP TRIGGER above until commit, so no
-- cancel or reopen slips in between).
DO $$
DECLARE
  r record;
BEGIN
  FOR r IN
    SELECT t."projectId", p."orgId", dash_hour(t."createdAt") AS at, count(*)::int AS n
    FROM "Task" t JOIN "Project" p ON p.id = t."projectId"
    WHERE t."status" = 'cancelled'
    GROUP BY 1, 2, 3 ORDER BY 1, 3
  LOOP
    PERFORM dash_lock_shared(r."projectId");
    PERFORM dash_add(r."projectId", r."orgId", r.at, 0, -r.n, 0, 0, 0, 0);
  END LOOP;
END $$;

-- One delta row per write instead of two (an hour row and a day row). A P2 cycle
-- (claim -> submit) appended six delta rows, each with two index entries, and the
-- folder deleted all six: 18 of the cycle's ~80 WAL records before the fold
-- (bench/README.md). The day is the hour's UTC day (dash_day(dash_hour(t)) =
-- dash_day(t)), so one row carries both; the two per-person figures that differ
-- between an hour and its day (first submission in the bucket, the person's count
-- in it) get day columns of their own. Readers see the same numbers through the
-- same views; dash_add() keeps its signature.

-- Pending deltas go into the bucket rows first (the functions of dashboard_deltas).
SELECT dash_fold(NULL, true);
DROP VIEW "StatProjectHourLive";
DROP VIEW "StatProjectDayLive";

-- DropTable
DROP TABLE "StatProjectHourDelta";

-- DropTable
DROP TABLE "StatProjectDayDelta";

-- CreateTable
CREATE TABLE "StatProjectDelta" (
    "id" BIGSERIAL NOT NULL,
    "projectId" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "submissions" INTEGER NOT NULL DEFAULT 0,
    "activeSubmitters" INTEGER NOT NULL DEFAULT 0,
    "maxUserSubmissions" INTEGER NOT NULL DEFAULT 0,
    "dayActiveSubmitters" INTEGER NOT NULL DEFAULT 0,
    "dayMaxUserSubmissions" INTEGER NOT NULL DEFAULT 0,
    "completedTasks" INTEGER NOT NULL DEFAULT 0,
    "tasksCreated" INTEGER NOT NULL DEFAULT 0,
    "tasksCreatedCompleted" INTEGER NOT NULL DEFAULT 0,
    "firstReviews" INTEGER NOT NULL DEFAULT 0,
    "firstReviewPasses" INTEGER NOT NULL DEFAULT 0,
    "reviews" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "StatProjectDelta_pkey" PRIMARY KEY ("projectId","hour","id")
);

-- CreateIndex
CREATE INDEX "StatProjectDelta_orgId_hour_idx" ON "StatProjectDelta"("orgId", "hour");


-- ───────────── hand-written: the views, the folder and the writers over one table ─────────────

CREATE VIEW "StatProjectHourLive" AS
SELECT "projectId", "orgId", "hour",
  sum("submissions")::int AS "submissions", sum("activeSubmitters")::int AS "activeSubmitters",
  max("maxUserSubmissions")::int AS "maxUserSubmissions", sum("completedTasks")::int AS "completedTasks",
  sum("tasksCreated")::int AS "tasksCreated", sum("tasksCreatedCompleted")::int AS "tasksCreatedCompleted",
  sum("firstReviews")::int AS "firstReviews", sum("firstReviewPasses")::int AS "firstReviewPasses", sum("reviews")::int AS "reviews"
FROM (
  SELECT "projectId", "orgId", "hour", "submissions", "activeSubmitters", "maxUserSubmissions", "completedTasks",
         "tasksCreated", "tasksCreatedCompleted", "firstReviews", "firstReviewPasses", "reviews" FROM "StatProjectHour"
  UNION ALL
  SELECT "projectId", "orgId", "hour", "submissions", "activeSubmitters", "maxUserSubmissions", "completedTasks",
         "tasksCreated", "tasksCreatedCompleted", "firstReviews", "firstReviewPasses", "reviews" FROM "StatProjectDelta"
) u
GROUP BY "projectId", "orgId", "hour";

CREATE VIEW "StatProjectDayLive" AS
SELECT "projectId", "orgId", "day",
  sum("submissions")::int AS "submissions", sum("activeSubmitters")::int AS "activeSubmitters",
  max("maxUserSubmissions")::int AS "maxUserSubmissions", sum("completedTasks")::int AS "completedTasks",
  sum("tasksCreated")::int AS "tasksCreated", sum("tasksCreatedCompleted")::int AS "tasksCreatedCompleted",
  sum("firstReviews")::int AS "firstReviews", sum("firstReviewPasses")::int AS "firstReviewPasses", sum("reviews")::int AS "reviews"
FROM (
  SELECT "projectId", "orgId", "day", "submissions", "activeSubmitters", "maxUserSubmissions", "completedTasks",
         "tasksCreated", "tasksCreatedCompleted", "firstReviews", "firstReviewPasses", "reviews" FROM "StatProjectDay"
  UNION ALL
  SELECT "projectId", "orgId", dash_day("hour"), "submissions", "dayActiveSubmitters", "dayMaxUserSubmissions", "completedTasks",
         "tasksCreated", "tasksCreatedCompleted", "firstReviews", "firstReviewPasses", "reviews" FROM "StatProjectDelta"
) u
GROUP BY "projectId", "orgId", "day";

-- One DELETE feeds both bucket tables (rows in bucket order, as before, so two
-- folders of the same rows could not deadlock; the fold lock allows one anyway).
CREATE OR REPLACE FUNCTION dash_fold_project(p_project text) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  n int;
BEGIN
  WITH d AS (
    DELETE FROM "StatProjectDelta" WHERE "projectId" = p_project RETURNING *
  ), h AS (
    INSERT INTO "StatProjectHour" AS s ("projectId", "orgId", "hour", "submissions", "activeSubmitters", "maxUserSubmissions",
        "completedTasks", "tasksCreated", "tasksCreatedCompleted", "firstReviews", "firstReviewPasses", "reviews")
    SELECT "projectId", "orgId", "hour", sum("submissions"), sum("activeSubmitters"), max("maxUserSubmissions"),
      sum("completedTasks"), sum("tasksCreated"), sum("tasksCreatedCompleted"), sum("firstReviews"), sum("firstReviewPasses"), sum("reviews")
    FROM d GROUP BY 1, 2, 3 ORDER BY 3
    ON CONFLICT ("projectId", "hour") DO UPDATE SET
      "submissions" = s."submissions" + EXCLUDED."submissions",
      "activeSubmitters" = s."activeSubmitters" + EXCLUDED."activeSubmitters",
      "maxUserSubmissions" = GREATEST(s."maxUserSubmissions", EXCLUDED."maxUserSubmissions"),
      "completedTasks" = s."completedTasks" + EXCLUDED."completedTasks",
      "tasksCreated" = s."tasksCreated" + EXCLUDED."tasksCreated",
      "tasksCreatedCompleted" = s."tasksCreatedCompleted" + EXCLUDED."tasksCreatedCompleted",
      "firstReviews" = s."firstReviews" + EXCLUDED."firstReviews",
      "firstReviewPasses" = s."firstReviewPasses" + EXCLUDED."firstReviewPasses",
      "reviews" = s."reviews" + EXCLUDED."reviews"
    RETURNING 1
  ), dd AS (
    INSERT INTO "StatProjectDay" AS s ("projectId", "orgId", "day", "submissions", "activeSubmitters", "maxUserSubmissions",
        "completedTasks", "tasksCreated", "tasksCreatedCompleted", "firstReviews", "firstReviewPasses", "reviews")
    SELECT "projectId", "orgId", dash_day("hour"), sum("submissions"), sum("dayActiveSubmitters"), max("dayMaxUserSubmissions"),
      sum("completedTasks"), sum("tasksCreated"), sum("tasksCreatedCompleted"), sum("firstReviews"), sum("firstReviewPasses"), sum("reviews")
    FROM d GROUP BY 1, 2, 3 ORDER BY 3
    ON CONFLICT ("projectId", "day") DO UPDATE SET
      "submissions" = s."submissions" + EXCLUDED."submissions",
      "activeSubmitters" = s."activeSubmitters" + EXCLUDED."activeSubmitters",
      "maxUserSubmissions" = GREATEST(s."maxUserSubmissions", EXCLUDED."maxUserSubmissions"),
      "completedTasks" = s."completedTasks" + EXCLUDED."completedTasks",
      "tasksCreated" = s."tasksCreated" + EXCLUDED."tasksCreated",
      "tasksCreatedCompleted" = s."tasksCreatedCompleted" + EXCLUDED."tasksCreatedCompleted",
      "firstReviews" = s."firstReviews" + EXCLUDED."firstReviews",
      "firstReviewPasses" = s."firstReviewPasses" + EXCLUDED."firstReviewPasses",
      "reviews" = s."reviews" + EXCLUDED."reviews"
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM h) + (SELECT count(*) FROM dd) INTO n;
  RETURN n;
END $$;

CREATE OR REPLACE FUNCTION dash_fold(p_project text DEFAULT NULL, p_wait boolean DEFAULT false) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  pid text;
  n int := 0;
BEGIN
  FOR pid IN
    SELECT p_project WHERE p_project IS NOT NULL
    UNION
    SELECT DISTINCT "projectId" FROM "StatProjectDelta" WHERE p_project IS NULL
    ORDER BY 1
  LOOP
    IF p_wait THEN
      PERFORM dash_lock('fold:' || pid);
    ELSIF NOT pg_try_advisory_xact_lock(hashtextextended('dash:fold:' || pid, 0)) THEN
      CONTINUE;
    END IF;
    n := n + dash_fold_project(pid);
  END LOOP;
  RETURN n;
END $$;

-- Adds to the task and review counters of the hour (and so the day) holding p_at:
-- one delta row (callers hold the project's lock, shared or exclusive).
CREATE OR REPLACE FUNCTION dash_add(p_project text, p_org text, p_at timestamptz, p_completed int, p_created int,
                                    p_created_completed int, p_first int, p_first_pass int, p_reviews int)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "StatProjectDelta" ("projectId", "orgId", "hour", "completedTasks", "tasksCreated",
      "tasksCreatedCompleted", "firstReviews", "firstReviewPasses", "reviews")
  VALUES (p_project, p_org, dash_hour(p_at), p_completed, p_created, p_created_completed, p_first, p_first_pass, p_reviews);
END $$;

CREATE OR REPLACE FUNCTION dash_on_submission() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  p record;
  o record;
  h timestamptz := dash_hour(NEW."createdAt");
  d date := dash_day(NEW."createdAt");
BEGIN
  PERFORM dash_lock_shared(NEW."projectId");
  -- Per person: their own lock (dash_user_add), so "first in the bucket" is decided once.
  SELECT * INTO p FROM dash_user_add(NEW."projectId", NEW."userId", NEW."createdAt");
  SELECT * INTO o FROM dash_user_add(NEW."orgId", NEW."userId", NEW."createdAt");
  INSERT INTO "StatProjectDelta" ("projectId", "orgId", "hour", "submissions", "activeSubmitters", "maxUserSubmissions",
      "dayActiveSubmitters", "dayMaxUserSubmissions")
  VALUES (NEW."projectId", NEW."orgId", h, 1, (p.hour_n = 1)::int, p.hour_n, (p.day_n = 1)::int, p.day_n);
  -- The org rows are shared by all of its projects: write them only when they
  -- change (a new submitter in the bucket or a new maximum), so most submissions
  -- of an org do not queue behind each other on one row.
  IF o.hour_n = 1 OR NOT EXISTS (SELECT 1 FROM "StatOrgHour" WHERE "orgId" = NEW."orgId" AND "hour" = h AND "maxUserSubmissions" >= o.hour_n) THEN
    INSERT INTO "StatOrgHour" AS s ("orgId", "hour", "activeSubmitters", "maxUserSubmissions")
    VALUES (NEW."orgId", h, (o.hour_n = 1)::int, o.hour_n)
    ON CONFLICT ("orgId", "hour") DO UPDATE SET
      "activeSubmitters" = s."activeSubmitters" + EXCLUDED."activeSubmitters",
      "maxUserSubmissions" = GREATEST(s."maxUserSubmissions", EXCLUDED."maxUserSubmissions");
  END IF;
  IF o.day_n = 1 OR NOT EXISTS (SELECT 1 FROM "StatOrgDay" WHERE "orgId" = NEW."orgId" AND "day" = d AND "maxUserSubmissions" >= o.day_n) THEN
    INSERT INTO "StatOrgDay" AS s ("orgId", "day", "activeSubmitters", "maxUserSubmissions")
    VALUES (NEW."orgId", d, (o.day_n = 1)::int, o.day_n)
    ON CONFLICT ("orgId", "day") DO UPDATE SET
      "activeSubmitters" = s."activeSubmitters" + EXCLUDED."activeSubmitters",
      "maxUserSubmissions" = GREATEST(s."maxUserSubmissions", EXCLUDED."maxUserSubmissions");
  END IF;
  RETURN NULL;
END $$;

-- A completion counts at its own instant (completedTasks) and at the task's
-- creation (tasksCreatedCompleted); when both fall in one hour, one row says both.
CREATE OR REPLACE FUNCTION dash_on_task_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  was timestamptz := CASE WHEN OLD."status" = 'completed' THEN OLD."completedAt" END;
  now_ timestamptz := CASE WHEN NEW."status" = 'completed' THEN NEW."completedAt" END;
  org text;
BEGIN
  IF was IS NOT DISTINCT FROM now_ THEN
    RETURN NULL;
  END IF;
  SELECT "orgId" INTO org FROM "Project" WHERE id = NEW."projectId";
  PERFORM dash_lock_shared(NEW."projectId");
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

-- A deleted project's pending deltas go with its rows (its fold lock first, so
-- a folder cannot write them back).
CREATE OR REPLACE FUNCTION dash_on_project_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM dash_lock('fold:' || OLD.id);
  DELETE FROM "StatProjectDelta" WHERE "projectId" = OLD.id;
  DELETE FROM "StatProjectHour" WHERE "projectId" = OLD.id;
  DELETE FROM "StatProjectDay" WHERE "projectId" = OLD.id;
  DELETE FROM "StatUserHour" WHERE "scopeId" = OLD.id;
  DELETE FROM "StatUserDay" WHERE "scopeId" = OLD.id;
  RETURN NULL;
END $$;

-- The backfill: unchanged but for the one delta table it clears.
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
        SELECT t."createdAt" AS at, 0 AS completed, 1 AS created, (t."status" = 'completed' AND t."completedAt" IS NOT NULL)::int AS created_completed
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

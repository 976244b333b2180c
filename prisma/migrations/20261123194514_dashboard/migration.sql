-- CreateTable
CREATE TABLE "StatProjectHour" (
    "projectId" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "submissions" INTEGER NOT NULL DEFAULT 0,
    "activeSubmitters" INTEGER NOT NULL DEFAULT 0,
    "maxUserSubmissions" INTEGER NOT NULL DEFAULT 0,
    "completedTasks" INTEGER NOT NULL DEFAULT 0,
    "tasksCreated" INTEGER NOT NULL DEFAULT 0,
    "tasksCreatedCompleted" INTEGER NOT NULL DEFAULT 0,
    "firstReviews" INTEGER NOT NULL DEFAULT 0,
    "firstReviewPasses" INTEGER NOT NULL DEFAULT 0,
    "reviews" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "StatProjectHour_pkey" PRIMARY KEY ("projectId","hour")
);

-- CreateTable
CREATE TABLE "StatProjectDay" (
    "projectId" TEXT NOT NULL,
    "orgId" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "submissions" INTEGER NOT NULL DEFAULT 0,
    "activeSubmitters" INTEGER NOT NULL DEFAULT 0,
    "maxUserSubmissions" INTEGER NOT NULL DEFAULT 0,
    "completedTasks" INTEGER NOT NULL DEFAULT 0,
    "tasksCreated" INTEGER NOT NULL DEFAULT 0,
    "tasksCreatedCompleted" INTEGER NOT NULL DEFAULT 0,
    "firstReviews" INTEGER NOT NULL DEFAULT 0,
    "firstReviewPasses" INTEGER NOT NULL DEFAULT 0,
    "reviews" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "StatProjectDay_pkey" PRIMARY KEY ("projectId","day")
);

-- CreateTable
CREATE TABLE "StatOrgHour" (
    "orgId" TEXT NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "activeSubmitters" INTEGER NOT NULL DEFAULT 0,
    "maxUserSubmissions" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "StatOrgHour_pkey" PRIMARY KEY ("orgId","hour")
);

-- CreateTable
CREATE TABLE "StatOrgDay" (
    "orgId" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "activeSubmitters" INTEGER NOT NULL DEFAULT 0,
    "maxUserSubmissions" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "StatOrgDay_pkey" PRIMARY KEY ("orgId","day")
);

-- CreateTable
CREATE TABLE "StatUserHour" (
    "scopeId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "submissions" INTEGER NOT NULL,
    "cum" INTEGER NOT NULL,
    "nextHour" TIMESTAMPTZ(3),

    CONSTRAINT "StatUserHour_pkey" PRIMARY KEY ("scopeId","userId","hour")
);

-- CreateTable
CREATE TABLE "StatUserDay" (
    "scopeId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "submissions" INTEGER NOT NULL,

    CONSTRAINT "StatUserDay_pkey" PRIMARY KEY ("scopeId","userId","day")
);

-- CreateIndex
CREATE INDEX "StatProjectHour_orgId_hour_idx" ON "StatProjectHour"("orgId", "hour");

-- CreateIndex
CREATE INDEX "StatProjectDay_orgId_day_idx" ON "StatProjectDay"("orgId", "day");


-- ───────────── hand-written: how the dashboard aggregates stay true ─────────────
-- The triggers below update the Stat* rows in the same transaction as the
-- Submission / Review / Task write they count, so a dashboard never reads raw
-- history. dashboard_rebuild() recomputes everything from the raw tables: the
-- backfill after bulk loads (scripts/seed-dashboard.ts) and the reference the
-- tests hold the triggers to. Definitions: docs/metrics.md.

CREATE EXTENSION IF NOT EXISTS btree_gist;

-- [hour, nextHour): while t is in a row's span, `cum` is the person's running total
-- through t's hour. A stabbing query (span @> t) then gives every person's total at
-- t in one index scan, whatever the window's length.
ALTER TABLE "StatUserHour" ADD COLUMN "span" tstzrange GENERATED ALWAYS AS (tstzrange("hour", "nextHour", '[)')) STORED;
CREATE INDEX "StatUserHour_scope_span_idx" ON "StatUserHour" USING gist ("scopeId", "span") INCLUDE ("userId", "cum");

-- UTC buckets, whatever the session's TimeZone (IMMUTABLE because the zone is fixed).
CREATE FUNCTION dash_hour(ts timestamptz) RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT date_trunc('hour', ts AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' $$;
CREATE FUNCTION dash_day(ts timestamptz) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT (ts AT TIME ZONE 'UTC')::date $$;

-- Writers of one project's rows (or of one person's rows in a scope) take this
-- lock first, held to commit: one order for every writer means no deadlocks.
CREATE FUNCTION dash_lock(p_key text) RETURNS void LANGUAGE sql
  AS $$ SELECT pg_advisory_xact_lock(hashtextextended('dash:' || p_key, 0)) $$;

-- Adds to the task and review counters of the hour and day holding p_at.
CREATE FUNCTION dash_add(p_project text, p_org text, p_at timestamptz, p_completed int, p_created int,
                         p_created_completed int, p_first int, p_first_pass int, p_reviews int)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "StatProjectHour" AS s ("projectId", "orgId", "hour", "completedTasks", "tasksCreated",
      "tasksCreatedCompleted", "firstReviews", "firstReviewPasses", "reviews")
  VALUES (p_project, p_org, dash_hour(p_at), p_completed, p_created, p_created_completed, p_first, p_first_pass, p_reviews)
  ON CONFLICT ("projectId", "hour") DO UPDATE SET
    "completedTasks" = s."completedTasks" + EXCLUDED."completedTasks",
    "tasksCreated" = s."tasksCreated" + EXCLUDED."tasksCreated",
    "tasksCreatedCompleted" = s."tasksCreatedCompleted" + EXCLUDED."tasksCreatedCompleted",
    "firstReviews" = s."firstReviews" + EXCLUDED."firstReviews",
    "firstReviewPasses" = s."firstReviewPasses" + EXCLUDED."firstReviewPasses",
    "reviews" = s."reviews" + EXCLUDED."reviews";
  INSERT INTO "StatProjectDay" AS s ("projectId", "orgId", "day", "completedTasks", "tasksCreated",
      "tasksCreatedCompleted", "firstReviews", "firstReviewPasses", "reviews")
  VALUES (p_project, p_org, dash_day(p_at), p_completed, p_created, p_created_completed, p_first, p_first_pass, p_reviews)
  ON CONFLICT ("projectId", "day") DO UPDATE SET
    "completedTasks" = s."completedTasks" + EXCLUDED."completedTasks",
    "tasksCreated" = s."tasksCreated" + EXCLUDED."tasksCreated",
    "tasksCreatedCompleted" = s."tasksCreatedCompleted" + EXCLUDED."tasksCreatedCompleted",
    "firstReviews" = s."firstReviews" + EXCLUDED."firstReviews",
    "firstReviewPasses" = s."firstReviewPasses" + EXCLUDED."firstReviewPasses",
    "reviews" = s."reviews" + EXCLUDED."reviews";
END $$;

-- One more submission by p_user in a scope (a project id or an org id) at p_at.
-- Returns the person's submissions in that hour and that day afterwards (1 = the
-- first: they just became an active submitter of the bucket).
CREATE FUNCTION dash_user_add(p_scope text, p_user text, p_at timestamptz, OUT hour_n int, OUT day_n int)
LANGUAGE plpgsql AS $$
DECLARE
  h timestamptz := dash_hour(p_at);
  prev_hour timestamptz;
  prev_cum int;
  next_hour timestamptz;
BEGIN
  PERFORM dash_lock(p_scope || ':' || p_user);
  INSERT INTO "StatUserDay" AS u ("scopeId", "userId", "day", "submissions") VALUES (p_scope, p_user, dash_day(p_at), 1)
  ON CONFLICT ("scopeId", "userId", "day") DO UPDATE SET "submissions" = u."submissions" + 1
  RETURNING u."submissions" INTO day_n;
  -- Running totals after this hour move up by one (only when a write arrives out of order).
  UPDATE "StatUserHour" SET "cum" = "cum" + 1 WHERE "scopeId" = p_scope AND "userId" = p_user AND "hour" > h;
  UPDATE "StatUserHour" SET "submissions" = "submissions" + 1, "cum" = "cum" + 1
  WHERE "scopeId" = p_scope AND "userId" = p_user AND "hour" = h
  RETURNING "submissions" INTO hour_n;
  IF FOUND THEN
    RETURN;
  END IF;
  -- The person's first submission in this hour: link the row between its neighbours.
  SELECT "hour", "cum" INTO prev_hour, prev_cum FROM "StatUserHour"
  WHERE "scopeId" = p_scope AND "userId" = p_user AND "hour" < h ORDER BY "hour" DESC LIMIT 1;
  SELECT min("hour") INTO next_hour FROM "StatUserHour" WHERE "scopeId" = p_scope AND "userId" = p_user AND "hour" > h;
  INSERT INTO "StatUserHour" ("scopeId", "userId", "hour", "submissions", "cum", "nextHour")
  VALUES (p_scope, p_user, h, 1, coalesce(prev_cum, 0) + 1, next_hour);
  IF prev_hour IS NOT NULL THEN
    UPDATE "StatUserHour" SET "nextHour" = h WHERE "scopeId" = p_scope AND "userId" = p_user AND "hour" = prev_hour;
  END IF;
  hour_n := 1;
END $$;

CREATE FUNCTION dash_on_submission() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  p record;
  o record;
  h timestamptz := dash_hour(NEW."createdAt");
  d date := dash_day(NEW."createdAt");
BEGIN
  PERFORM dash_lock(NEW."projectId");
  SELECT * INTO p FROM dash_user_add(NEW."projectId", NEW."userId", NEW."createdAt");
  SELECT * INTO o FROM dash_user_add(NEW."orgId", NEW."userId", NEW."createdAt");
  INSERT INTO "StatProjectHour" AS s ("projectId", "orgId", "hour", "submissions", "activeSubmitters", "maxUserSubmissions")
  VALUES (NEW."projectId", NEW."orgId", h, 1, (p.hour_n = 1)::int, p.hour_n)
  ON CONFLICT ("projectId", "hour") DO UPDATE SET
    "submissions" = s."submissions" + 1,
    "activeSubmitters" = s."activeSubmitters" + EXCLUDED."activeSubmitters",
    "maxUserSubmissions" = GREATEST(s."maxUserSubmissions", EXCLUDED."maxUserSubmissions");
  INSERT INTO "StatProjectDay" AS s ("projectId", "orgId", "day", "submissions", "activeSubmitters", "maxUserSubmissions")
  VALUES (NEW."projectId", NEW."orgId", d, 1, (p.day_n = 1)::int, p.day_n)
  ON CONFLICT ("projectId", "day") DO UPDATE SET
    "submissions" = s."submissions" + 1,
    "activeSubmitters" = s."activeSubmitters" + EXCLUDED."activeSubmitters",
    "maxUserSubmissions" = GREATEST(s."maxUserSubmissions", EXCLUDED."maxUserSubmissions");
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

CREATE TRIGGER dash_submission_insert AFTER INSERT ON "Submission" FOR EACH ROW EXECUTE FUNCTION dash_on_submission();

-- A review counts at the time of its (task, review node) pair's first review
-- (round 1): "reviews ÷ pairs" then compares the same pairs.
CREATE FUNCTION dash_on_review() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  first boolean := NEW."round" = 1;
  cohort timestamptz := NEW."createdAt";
BEGIN
  IF NOT first THEN
    SELECT min(r."createdAt") INTO cohort FROM "Review" r
    WHERE r."taskId" = NEW."taskId" AND r."nodeId" = NEW."nodeId" AND r."round" = 1;
    cohort := coalesce(cohort, NEW."createdAt");
  END IF;
  PERFORM dash_lock(NEW."projectId");
  PERFORM dash_add(NEW."projectId", NEW."orgId", cohort, 0, 0, 0, first::int, (first AND NEW."verdict" = 'pass')::int, 1);
  RETURN NULL;
END $$;

CREATE TRIGGER dash_review_insert AFTER INSERT ON "Review" FOR EACH ROW EXECUTE FUNCTION dash_on_review();

-- Tasks: statement-level on insert (imports arrive thousands at a time).
CREATE FUNCTION dash_on_task_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  PERFORM dash_lock(pid) FROM (SELECT DISTINCT "projectId" AS pid FROM added) x ORDER BY pid;
  FOR r IN
    SELECT a."projectId", p."orgId", dash_hour(e.at) AS at, sum(e.completed)::int AS completed, sum(e.created)::int AS created,
           sum(e.created_completed)::int AS created_completed
    FROM added a JOIN "Project" p ON p.id = a."projectId"
    CROSS JOIN LATERAL (
      SELECT a."createdAt" AS at, 0 AS completed, 1 AS created,
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

CREATE TRIGGER dash_task_insert AFTER INSERT ON "Task" REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION dash_on_task_insert();

-- A task counts as completed while status = 'completed' and completedAt is set.
CREATE FUNCTION dash_on_task_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  was timestamptz := CASE WHEN OLD."status" = 'completed' THEN OLD."completedAt" END;
  now_ timestamptz := CASE WHEN NEW."status" = 'completed' THEN NEW."completedAt" END;
  org text;
BEGIN
  IF was IS NOT DISTINCT FROM now_ THEN
    RETURN NULL;
  END IF;
  SELECT "orgId" INTO org FROM "Project" WHERE id = NEW."projectId";
  PERFORM dash_lock(NEW."projectId");
  IF was IS NOT NULL THEN
    PERFORM dash_add(NEW."projectId", org, was, -1, 0, 0, 0, 0, 0);
    PERFORM dash_add(NEW."projectId", org, NEW."createdAt", 0, 0, -1, 0, 0, 0);
  END IF;
  IF now_ IS NOT NULL THEN
    PERFORM dash_add(NEW."projectId", org, now_, 1, 0, 0, 0, 0, 0);
    PERFORM dash_add(NEW."projectId", org, NEW."createdAt", 0, 0, 1, 0, 0, 0);
  END IF;
  RETURN NULL;
END $$;

-- WHEN keeps claims, releases and moves (the hot path) free of any trigger call.
CREATE TRIGGER dash_task_update AFTER UPDATE ON "Task" FOR EACH ROW
  WHEN ((OLD."status" = 'completed') IS DISTINCT FROM (NEW."status" = 'completed')
        OR (NEW."status" = 'completed' AND OLD."completedAt" IS DISTINCT FROM NEW."completedAt"))
  EXECUTE FUNCTION dash_on_task_update();

-- ───── rebuilding from the raw tables (backfill, deletes, tests) ─────

-- The submissions of a scope: a project's, or every project's of an org.
CREATE FUNCTION dash_scope_submissions(p_scope text, p_kind text, p_users text[])
RETURNS TABLE ("userId" text, "createdAt" timestamptz) LANGUAGE plpgsql STABLE AS $$
BEGIN
  IF p_kind = 'project' THEN
    RETURN QUERY SELECT s."userId", s."createdAt" FROM "Submission" s
      WHERE s."projectId" = p_scope AND (p_users IS NULL OR s."userId" = ANY (p_users));
  ELSE
    RETURN QUERY SELECT s."userId", s."createdAt" FROM "Submission" s
      WHERE s."orgId" = p_scope AND (p_users IS NULL OR s."userId" = ANY (p_users));
  END IF;
END $$;

-- Recomputes the per-person rows of a scope (p_users NULL: everyone).
CREATE FUNCTION dash_rebuild_users(p_scope text, p_kind text, p_users text[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM dash_lock(p_scope || ':' || u) FROM unnest(p_users) u ORDER BY u;
  DELETE FROM "StatUserHour" WHERE "scopeId" = p_scope AND (p_users IS NULL OR "userId" = ANY (p_users));
  DELETE FROM "StatUserDay" WHERE "scopeId" = p_scope AND (p_users IS NULL OR "userId" = ANY (p_users));
  INSERT INTO "StatUserHour" ("scopeId", "userId", "hour", "submissions", "cum", "nextHour")
  SELECT p_scope, x."userId", x.h, x.n, (sum(x.n) OVER w)::int, lead(x.h) OVER w
  FROM (SELECT s."userId", dash_hour(s."createdAt") AS h, count(*)::int AS n
        FROM dash_scope_submissions(p_scope, p_kind, p_users) s GROUP BY 1, 2) x
  WINDOW w AS (PARTITION BY x."userId" ORDER BY x.h);
  INSERT INTO "StatUserDay" ("scopeId", "userId", "day", "submissions")
  SELECT p_scope, s."userId", dash_day(s."createdAt"), count(*)::int
  FROM dash_scope_submissions(p_scope, p_kind, p_users) s GROUP BY 2, 3;
END $$;

-- Recomputes the submitter counters of some buckets of a scope from its
-- per-person rows. The bucket rows are locked first: a submission running
-- beside this then adds its own +1 after, instead of being overwritten.
CREATE FUNCTION dash_refresh_buckets(p_scope text, p_kind text, p_hours timestamptz[], p_days date[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF p_kind = 'project' THEN
    PERFORM 1 FROM "StatProjectHour" WHERE "projectId" = p_scope AND "hour" = ANY (p_hours) ORDER BY "hour" FOR UPDATE;
    PERFORM 1 FROM "StatProjectDay" WHERE "projectId" = p_scope AND "day" = ANY (p_days) ORDER BY "day" FOR UPDATE;
    UPDATE "StatProjectHour" s SET "submissions" = coalesce(u.n, 0), "activeSubmitters" = coalesce(u.a, 0), "maxUserSubmissions" = coalesce(u.m, 0)
    FROM unnest(p_hours) k(hour)
    LEFT JOIN (SELECT "hour", sum("submissions")::int n, count(*)::int a, max("submissions") m FROM "StatUserHour"
               WHERE "scopeId" = p_scope AND "hour" = ANY (p_hours) GROUP BY "hour") u ON u."hour" = k.hour
    WHERE s."projectId" = p_scope AND s."hour" = k.hour;
    UPDATE "StatProjectDay" s SET "submissions" = coalesce(u.n, 0), "activeSubmitters" = coalesce(u.a, 0), "maxUserSubmissions" = coalesce(u.m, 0)
    FROM unnest(p_days) k(day)
    LEFT JOIN (SELECT "day", sum("submissions")::int n, count(*)::int a, max("submissions") m FROM "StatUserDay"
               WHERE "scopeId" = p_scope AND "day" = ANY (p_days) GROUP BY "day") u ON u."day" = k.day
    WHERE s."projectId" = p_scope AND s."day" = k.day;
  ELSE
    PERFORM 1 FROM "StatOrgHour" WHERE "orgId" = p_scope AND "hour" = ANY (p_hours) ORDER BY "hour" FOR UPDATE;
    PERFORM 1 FROM "StatOrgDay" WHERE "orgId" = p_scope AND "day" = ANY (p_days) ORDER BY "day" FOR UPDATE;
    UPDATE "StatOrgHour" s SET "activeSubmitters" = coalesce(u.a, 0), "maxUserSubmissions" = coalesce(u.m, 0)
    FROM unnest(p_hours) k(hour)
    LEFT JOIN (SELECT "hour", count(*)::int a, max("submissions") m FROM "StatUserHour"
               WHERE "scopeId" = p_scope AND "hour" = ANY (p_hours) GROUP BY "hour") u ON u."hour" = k.hour
    WHERE s."orgId" = p_scope AND s."hour" = k.hour;
    UPDATE "StatOrgDay" s SET "activeSubmitters" = coalesce(u.a, 0), "maxUserSubmissions" = coalesce(u.m, 0)
    FROM unnest(p_days) k(day)
    LEFT JOIN (SELECT "day", count(*)::int a, max("submissions") m FROM "StatUserDay"
               WHERE "scopeId" = p_scope AND "day" = ANY (p_days) GROUP BY "day") u ON u."day" = k.day
    WHERE s."orgId" = p_scope AND s."day" = k.day;
  END IF;
END $$;

-- Every task and review fact of a project with the instant it counts at (the
-- same rules as the triggers above).
CREATE FUNCTION dash_project_facts(p_project text)
RETURNS TABLE (at timestamptz, completed int, created int, created_completed int, first int, first_pass int, reviews int)
LANGUAGE sql STABLE AS $$
  SELECT t."createdAt", 0, 1, (t."status" = 'completed' AND t."completedAt" IS NOT NULL)::int, 0, 0, 0
  FROM "Task" t WHERE t."projectId" = p_project
  UNION ALL
  SELECT t."completedAt", 1, 0, 0, 0, 0, 0
  FROM "Task" t WHERE t."projectId" = p_project AND t."status" = 'completed' AND t."completedAt" IS NOT NULL
  UNION ALL
  SELECT CASE WHEN r."round" = 1 THEN r."createdAt"
              ELSE coalesce(min(r."createdAt") FILTER (WHERE r."round" = 1) OVER (PARTITION BY r."taskId", r."nodeId"), r."createdAt") END,
         0, 0, 0, (r."round" = 1)::int, (r."round" = 1 AND r."verdict" = 'pass')::int, 1
  FROM "Review" r WHERE r."projectId" = p_project
$$;

CREATE FUNCTION dashboard_rebuild_project(p_project text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  org text;
BEGIN
  SELECT "orgId" INTO org FROM "Project" WHERE id = p_project;
  IF org IS NULL THEN
    RETURN;
  END IF;
  PERFORM dash_lock(p_project);
  DELETE FROM "StatProjectHour" WHERE "projectId" = p_project;
  DELETE FROM "StatProjectDay" WHERE "projectId" = p_project;
  PERFORM dash_rebuild_users(p_project, 'project', NULL);
  INSERT INTO "StatProjectHour" ("projectId", "orgId", "hour", "completedTasks", "tasksCreated", "tasksCreatedCompleted",
      "firstReviews", "firstReviewPasses", "reviews")
  SELECT p_project, org, dash_hour(f.at), sum(f.completed), sum(f.created), sum(f.created_completed), sum(f.first), sum(f.first_pass), sum(f.reviews)
  FROM dash_project_facts(p_project) f GROUP BY 3;
  INSERT INTO "StatProjectHour" AS s ("projectId", "orgId", "hour", "submissions", "activeSubmitters", "maxUserSubmissions")
  SELECT p_project, org, "hour", sum("submissions"), count(*), max("submissions") FROM "StatUserHour" WHERE "scopeId" = p_project GROUP BY "hour"
  ON CONFLICT ("projectId", "hour") DO UPDATE SET "submissions" = EXCLUDED."submissions",
    "activeSubmitters" = EXCLUDED."activeSubmitters", "maxUserSubmissions" = EXCLUDED."maxUserSubmissions";
  INSERT INTO "StatProjectDay" ("projectId", "orgId", "day", "completedTasks", "tasksCreated", "tasksCreatedCompleted",
      "firstReviews", "firstReviewPasses", "reviews")
  SELECT p_project, org, dash_day(f.at), sum(f.completed), sum(f.created), sum(f.created_completed), sum(f.first), sum(f.first_pass), sum(f.reviews)
  FROM dash_project_facts(p_project) f GROUP BY 3;
  INSERT INTO "StatProjectDay" AS s ("projectId", "orgId", "day", "submissions", "activeSubmitters", "maxUserSubmissions")
  SELECT p_project, org, "day", sum("submissions"), count(*), max("submissions") FROM "StatUserDay" WHERE "scopeId" = p_project GROUP BY "day"
  ON CONFLICT ("projectId", "day") DO UPDATE SET "submissions" = EXCLUDED."submissions",
    "activeSubmitters" = EXCLUDED."activeSubmitters", "maxUserSubmissions" = EXCLUDED."maxUserSubmissions";
END $$;

-- The backfill: every aggregate of one org (or of all orgs, p_org NULL) from the
-- raw tables. Run it with no writes going on in that org (after a bulk load, or
-- to repair); the triggers keep the rows true from then on.
CREATE FUNCTION dashboard_rebuild(p_org text DEFAULT NULL) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  o record;
  p record;
BEGIN
  FOR o IN SELECT id FROM "Organization" WHERE p_org IS NULL OR id = p_org ORDER BY id LOOP
    FOR p IN SELECT id FROM "Project" WHERE "orgId" = o.id ORDER BY id LOOP
      PERFORM dashboard_rebuild_project(p.id);
    END LOOP;
    DELETE FROM "StatOrgHour" WHERE "orgId" = o.id;
    DELETE FROM "StatOrgDay" WHERE "orgId" = o.id;
    PERFORM dash_rebuild_users(o.id, 'org', NULL);
    INSERT INTO "StatOrgHour" ("orgId", "hour", "activeSubmitters", "maxUserSubmissions")
    SELECT o.id, "hour", count(*), max("submissions") FROM "StatUserHour" WHERE "scopeId" = o.id GROUP BY "hour";
    INSERT INTO "StatOrgDay" ("orgId", "day", "activeSubmitters", "maxUserSubmissions")
    SELECT o.id, "day", count(*), max("submissions") FROM "StatUserDay" WHERE "scopeId" = o.id GROUP BY "day";
  END LOOP;
END $$;

-- ───── deletes (a project's deletion clears its history first) ─────

CREATE FUNCTION dash_on_project_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "StatProjectHour" WHERE "projectId" = OLD.id;
  DELETE FROM "StatProjectDay" WHERE "projectId" = OLD.id;
  DELETE FROM "StatUserHour" WHERE "scopeId" = OLD.id;
  DELETE FROM "StatUserDay" WHERE "scopeId" = OLD.id;
  RETURN NULL;
END $$;
CREATE TRIGGER dash_project_delete AFTER DELETE ON "Project" FOR EACH ROW EXECUTE FUNCTION dash_on_project_delete();

CREATE FUNCTION dash_on_org_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "StatOrgHour" WHERE "orgId" = OLD.id;
  DELETE FROM "StatOrgDay" WHERE "orgId" = OLD.id;
  DELETE FROM "StatUserHour" WHERE "scopeId" = OLD.id;
  DELETE FROM "StatUserDay" WHERE "scopeId" = OLD.id;
  RETURN NULL;
END $$;
CREATE TRIGGER dash_org_delete AFTER DELETE ON "Organization" FOR EACH ROW EXECUTE FUNCTION dash_on_org_delete();

-- Deleted submissions: the people concerned are recounted from what remains, then
-- the buckets they touched (in each project still there, and in its org).
CREATE FUNCTION dash_on_submission_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  FOR r IN
    SELECT g."projectId" AS scope, 'project' AS kind, array_agg(DISTINCT g."userId") AS users,
           array_agg(DISTINCT dash_hour(g."createdAt")) AS hours, array_agg(DISTINCT dash_day(g."createdAt")) AS days
    FROM gone g WHERE EXISTS (SELECT 1 FROM "Project" p WHERE p.id = g."projectId") GROUP BY g."projectId"
    UNION ALL
    SELECT g."orgId", 'org', array_agg(DISTINCT g."userId"),
           array_agg(DISTINCT dash_hour(g."createdAt")), array_agg(DISTINCT dash_day(g."createdAt"))
    FROM gone g WHERE EXISTS (SELECT 1 FROM "Organization" o WHERE o.id = g."orgId") GROUP BY g."orgId"
    ORDER BY kind DESC, scope
  LOOP
    IF r.kind = 'project' THEN
      PERFORM dash_lock(r.scope);
    END IF;
    PERFORM dash_rebuild_users(r.scope, r.kind, r.users);
    PERFORM dash_refresh_buckets(r.scope, r.kind, r.hours, r.days);
  END LOOP;
  RETURN NULL;
END $$;
CREATE TRIGGER dash_submission_delete AFTER DELETE ON "Submission" REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION dash_on_submission_delete();

-- Deleted reviews and tasks are subtracted where they were counted.
CREATE FUNCTION dash_on_review_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  FOR r IN
    SELECT g."projectId", g."orgId", dash_hour(g.cohort) AS at, sum((g."round" = 1)::int)::int AS first,
           sum((g."round" = 1 AND g."verdict" = 'pass')::int)::int AS pass, count(*)::int AS n
    FROM (SELECT d."projectId", d."orgId", d."round", d."verdict",
                 CASE WHEN d."round" = 1 THEN d."createdAt" ELSE coalesce(
                   -- the pair's first review went in the same statement, or is still there
                   min(d."createdAt") FILTER (WHERE d."round" = 1) OVER (PARTITION BY d."taskId", d."nodeId"),
                   (SELECT min(x."createdAt") FROM "Review" x WHERE x."taskId" = d."taskId" AND x."nodeId" = d."nodeId" AND x."round" = 1),
                   d."createdAt") END AS cohort
          FROM gone d) g
    WHERE EXISTS (SELECT 1 FROM "Project" p WHERE p.id = g."projectId")
    GROUP BY 1, 2, 3 ORDER BY 1, 3
  LOOP
    PERFORM dash_lock(r."projectId");
    PERFORM dash_add(r."projectId", r."orgId", r.at, 0, 0, 0, -r.first, -r.pass, -r.n);
  END LOOP;
  RETURN NULL;
END $$;
CREATE TRIGGER dash_review_delete AFTER DELETE ON "Review" REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION dash_on_review_delete();

CREATE FUNCTION dash_on_task_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  FOR r IN
    SELECT g."projectId", p."orgId", dash_hour(e.at) AS at, sum(e.completed)::int AS completed, sum(e.created)::int AS created,
           sum(e.created_completed)::int AS created_completed
    FROM gone g JOIN "Project" p ON p.id = g."projectId"
    CROSS JOIN LATERAL (
      SELECT g."createdAt" AS at, 0 AS completed, 1 AS created,
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
CREATE TRIGGER dash_task_delete AFTER DELETE ON "Task" REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION dash_on_task_delete();

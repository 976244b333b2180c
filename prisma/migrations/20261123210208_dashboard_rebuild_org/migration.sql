-- dashboard_rebuild(org) in one pass over the org's raw rows. The per-project
-- loop read Task, Submission and Review once per project, and the rows of one
-- project are spread over every page of those tables (projects work side by
-- side), so an org of 20 projects read them 20 times. The counting rules are the
-- triggers' (see the dashboard migration). The per-project rebuild goes: nothing
-- else used it.

CREATE OR REPLACE FUNCTION dashboard_rebuild(p_org text DEFAULT NULL) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  o record;
BEGIN
  FOR o IN SELECT id FROM "Organization" WHERE p_org IS NULL OR id = p_org ORDER BY id LOOP
    PERFORM dash_lock(p.id) FROM "Project" p WHERE p."orgId" = o.id ORDER BY p.id;
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

DROP FUNCTION dashboard_rebuild_project(text);
DROP FUNCTION dash_project_facts(text);

-- pipelines_end_claims (release, revoke, expiry) answers `assignmentApplies`,
-- and the caller places the task in Redis by it. Whether it applies depends on
-- the assignee's member row (their contributor type), which pipelines_submit and
-- pipelines_review read FOR SHARE but this function did not: a change of the
-- assignee's type and its Redis rebuild could commit between this answer and the
-- caller's settle, which then wrote an outdated placement over the rebuild.
-- Now, when the caller settles from the answer (`p_lock_assignees`), the
-- assignees' member rows are read FOR SHARE (in key order) BEFORE the claim rows
-- are updated: a change of role takes the member row, then the claims
-- (queue/leave.ts), so the same order here cannot deadlock with it, even when a
-- sweep batch holds the assignee's own claims (after the claim update it would).
-- Before them, the project's lock (7302) shared, the order every writer of member
-- rows keeps: a project's delete holds it and clears claims before member rows.
-- A change of role itself ends claims while holding the changed person's member
-- row and rebuilds Redis afterwards, so it passes false: locking other people's
-- rows there could deadlock two changes of role that end each other's claims.
-- The body is that of assignment_kept_for_life with the lock added; the new
-- argument has a default, so a caller with seven arguments still resolves.
DROP FUNCTION IF EXISTS pipelines_end_claims(text[], bigint[], text, timestamptz, text, text, text);

CREATE OR REPLACE FUNCTION pipelines_end_claims(
  p_ids text[], p_deadlines bigint[], p_outcome text, p_now timestamptz, p_token text, p_user text, p_actor text,
  p_lock_assignees boolean DEFAULT false)
RETURNS SETOF jsonb LANGUAGE plpgsql AS $$
DECLARE
  pid text;
BEGIN
  IF p_lock_assignees THEN
    -- The project's lock (7302) shared first, as every writer of member rows takes it
    -- (modules/projects/lock.ts; the order there: the project's lock, then rows): a
    -- project's delete holds it exclusively and clears the claims before the member
    -- rows, so holding a member row while waiting for its claim would deadlock with it.
    FOR pid IN
      SELECT x.p FROM (
        SELECT DISTINCT cl."projectId" AS p
        FROM "Claim" cl JOIN "Task" tk ON tk.id = cl."taskId"
        WHERE cl.id = ANY (p_ids) AND cl."outcome" = 'active' AND tk."assignedUserId" IS NOT NULL) x
      ORDER BY x.p COLLATE "C"
    LOOP
      PERFORM pg_advisory_xact_lock_shared(7302, hashtext(pid));
    END LOOP;
    PERFORM 1 FROM "ProjectMember" m
    WHERE (m."projectId", m."userId") IN (
      SELECT cl."projectId", tk."assignedUserId"
      FROM "Claim" cl JOIN "Task" tk ON tk.id = cl."taskId"
      WHERE cl.id = ANY (p_ids) AND cl."outcome" = 'active' AND tk."assignedUserId" IS NOT NULL)
    ORDER BY m."projectId", m."userId"
    FOR SHARE OF m;
  END IF;
  RETURN QUERY
  WITH req AS (
    SELECT r.id, r.deadline FROM unnest(p_ids, p_deadlines) AS r(id, deadline)
  ), c AS (
    UPDATE "Claim" cl SET "outcome" = p_outcome, "endedAt" = p_now
    FROM req
    WHERE cl.id = req.id AND cl."outcome" = 'active'
      AND (p_token IS NULL OR cl."token" = p_token)
      AND (p_user IS NULL OR cl."userId" = p_user)
      AND (req.deadline IS NULL OR (extract(epoch FROM cl."expiresAt") * 1000)::bigint = req.deadline)
    RETURNING cl.id, cl."taskId", cl."nodeId", cl."userId", cl."projectId", cl."epoch"
  ), t AS (
    UPDATE "Task" tk SET "status" = 'queued', "updatedAt" = p_now
    FROM c
    WHERE tk.id = c."taskId" AND tk."claimEpoch" = c."epoch" AND tk."status" = 'claimed'
    RETURNING tk.id, tk."nodeId", tk."pipelineId", tk."priority", tk."createdAt", tk."assignedUserId",
      tk."assignedTypeId", tk."reworkUserId"
  ), e AS (
    INSERT INTO "TaskEvent" (id, "taskId", "projectId", "type", "userId", "nodeId", "claimId", "data", "createdAt")
    SELECT pipelines_event_id(), c."taskId", c."projectId", p_outcome, c."userId", c."nodeId", c.id,
      CASE WHEN p_actor IS NULL THEN NULL ELSE jsonb_build_object('by', p_actor) END, p_now
    FROM c
  )
  SELECT jsonb_build_object(
    'claimId', c.id, 'taskId', c."taskId", 'nodeId', c."nodeId", 'userId', c."userId", 'pipelineId', t."pipelineId",
    'priority', t."priority", 'createdAt', t."createdAt", 'assignedUserId', t."assignedUserId",
    'assignedTypeId', t."assignedTypeId", 'reworkUserId', t."reworkUserId",
    'assignmentApplies', pipelines_assignment_applies(c."projectId", t."nodeId", t."assignedUserId", t."assignedTypeId"),
    'author', (SELECT s."userId" FROM "PipelineNode" n JOIN "Submission" s ON s."taskId" = c."taskId" AND s."nodeId" = n."reviewsNodeId"
               WHERE n.id = c."nodeId" ORDER BY s."createdAt" DESC, s.id DESC LIMIT 1))
  FROM c JOIN t ON t.id = c."taskId";
END $$;

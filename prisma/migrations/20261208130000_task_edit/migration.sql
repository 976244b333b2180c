-- Tasks are edited after import (PATCH /api/tasks/:taskId: modules/tasks/edit.ts):
-- their priority, their assignment, and a status of `cancelled` (a task out of
-- every queue, reopened later at the node it was at). Task.status is text: no
-- column changes.
--
-- A claim Redis decided on the old placement may reach PostgreSQL after an edit
-- changed the assignment (Redis follows the edit only after its commit). So
-- pipelines_claim now asks the rule itself: where the task's assignment applies
-- (and no rework keeps it for its author), only the assignee, or a contributor
-- of the assigned type, may claim it; anyone else is answered `unavailable`,
-- and the claim path rebuilds Redis and decides again (queue/claim.ts). The
-- edit asks the same rule (pipelines_assignment_admits) to decide whether a
-- live claim stands or is revoked. pipelines_claim is that of
-- claim_tells_resubmission with only this check added.

-- Whether `p_user` may hold a task with this assignment at this node: always
-- where the assignment does not apply (pipelines_assignment_applies); where it
-- does, the assignee, or a contributor of the project of the assigned type.
CREATE OR REPLACE FUNCTION pipelines_assignment_admits(p_project text, p_node text, p_user text, p_assigned_user text, p_assigned_type text)
RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT NOT pipelines_assignment_applies(p_project, p_node, p_assigned_user, p_assigned_type)
    OR p_assigned_user = p_user
    OR (p_assigned_user IS NULL AND EXISTS (
      SELECT 1 FROM "ProjectMember" m
      WHERE m."projectId" = p_project AND m."userId" = p_user AND m."role" = 'contributor' AND m."contributorTypeId" = p_assigned_type))
$$;

CREATE OR REPLACE FUNCTION pipelines_claim(
  p_project text, p_generation int, p_task text, p_node text, p_claim text, p_user text,
  p_secret text, p_now timestamptz, p_expires timestamptz, p_reviews text)
RETURNS jsonb LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  t record;
  sub record;
  reviewed jsonb := NULL;
  tok text;
BEGIN
  -- A rebuild bumps the generation under this lock held exclusively: a claim
  -- decided on the old Redis state either commits before the rebuild reads
  -- PostgreSQL, or finds the new generation here and is refused.
  PERFORM pg_advisory_xact_lock_shared(7301, hashtext(p_project));
  IF NOT EXISTS (SELECT 1 FROM "QueueState" q WHERE q."projectId" = p_project AND q."generation" = p_generation) THEN
    RETURN jsonb_build_object('status', 'stale');
  END IF;
  IF p_reviews IS NOT NULL THEN
    SELECT s.id, s."userId", s.answers, s.attempt, s."createdAt" INTO sub
    FROM "Submission" s WHERE s."taskId" = p_task AND s."nodeId" = p_reviews
    ORDER BY s."createdAt" DESC, s.id DESC LIMIT 1;
    IF FOUND THEN
      IF sub."userId" = p_user THEN
        RETURN jsonb_build_object('status', 'unavailable');
      END IF;
      reviewed := jsonb_build_object('submissionId', sub.id, 'answers', sub.answers, 'attempt', sub.attempt, 'createdAt', sub."createdAt");
    END IF;
  END IF;
  -- The task row by its primary key only, locked, then checked: a conditional
  -- UPDATE naming projectId/nodeId/status let the planner pick the
  -- (projectId, status) index when statistics were missing or even (e.g. right
  -- after a bulk import) and scan every queued task of the project per claim.
  SELECT "projectId", "nodeId", "status", "assignedUserId", "assignedTypeId", "reworkUserId" INTO t
  FROM "Task" WHERE id = p_task FOR UPDATE;
  IF NOT FOUND OR t."projectId" <> p_project OR t."nodeId" <> p_node OR t."status" <> 'queued' THEN
    RETURN jsonb_build_object('status', 'unavailable');
  END IF;
  -- An assignment changed after Redis decided (an edit): only who it admits may
  -- take the task. Rework kept for its author comes first, as in Redis.
  IF t."reworkUserId" IS NULL AND (t."assignedUserId" IS NOT NULL OR t."assignedTypeId" IS NOT NULL)
     AND NOT pipelines_assignment_admits(p_project, p_node, p_user, t."assignedUserId", t."assignedTypeId") THEN
    RETURN jsonb_build_object('status', 'unavailable');
  END IF;
  UPDATE "Task" SET "claimEpoch" = "claimEpoch" + 1, "status" = 'claimed', "updatedAt" = p_now
  WHERE id = p_task
  RETURNING "claimEpoch", "payload", "pipelineId", "priority", "createdAt", "runId" INTO t;
  tok := t."claimEpoch" || '.' || p_secret;
  INSERT INTO "Claim" (id, "projectId", "taskId", "nodeId", "userId", "epoch", "token", "outcome", "claimedAt", "expiresAt")
  VALUES (p_claim, p_project, p_task, p_node, p_user, t."claimEpoch", tok, 'active', p_now, p_expires);
  INSERT INTO "TaskEvent" (id, "taskId", "projectId", "type", "userId", "nodeId", "claimId", "createdAt")
  VALUES (pipelines_event_id(), p_task, p_project, 'claimed', p_user, p_node, p_claim, p_now);
  RETURN jsonb_build_object(
    'status', 'ok', 'epoch', t."claimEpoch", 'token', tok, 'payload', t."payload", 'pipelineId', t."pipelineId",
    'priority', t."priority", 'createdAt', t."createdAt", 'runId', t."runId", 'reviewed', reviewed,
    'resubmit', p_reviews IS NULL AND EXISTS (SELECT 1 FROM "Submission" s WHERE s."taskId" = p_task AND s."nodeId" = p_node));
END $$;

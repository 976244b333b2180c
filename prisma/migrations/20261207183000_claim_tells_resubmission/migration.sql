-- A claim at a task node tells whether the task was submitted there before
-- (`resubmit`): the claim's answer then carries the returned work and the
-- reviewer's comment (queue/rework.ts), whoever takes it. Before, only a claim
-- from the author's reserved set looked, so returned work reopened to others
-- (its author left, or may no longer work the node) came back as a blank form.
-- One probe of the (taskId, nodeId) index, inside the function: no round trip.
-- pipelines_claim is that of claim_task_by_id with only this added.
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
  SELECT "projectId", "nodeId", "status" INTO t FROM "Task" WHERE id = p_task FOR UPDATE;
  IF NOT FOUND OR t."projectId" <> p_project OR t."nodeId" <> p_node OR t."status" <> 'queued' THEN
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

-- A task returned for rework is kept for its author only while the author may
-- still work the task node (a contributor of the project, of the node's type).
-- Before, a return after the author had left the project, or become a Viewer or
-- another type, reserved the task for someone who could never claim it, and
-- nobody else could either: the task was stuck for good. pipelines_review is
-- that of lease_deadline_fence with only the rework user's choice changed.
CREATE OR REPLACE FUNCTION pipelines_review(
  p_claim text, p_token text, p_user text, p_now timestamptz, p_review text, p_org text,
  p_verdict text, p_comment text, p_reviewed_node text, p_pass_node text, p_pass_complete boolean, p_pass_reviews text)
RETURNS jsonb LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  c record;
  sub record;
  t record;
  n_round int;
  next_node text;
  done boolean;
  author text;
  rework_user text;
BEGIN
  UPDATE "Claim" SET "outcome" = 'submitted', "endedAt" = p_now
  WHERE id = p_claim AND "token" = p_token AND "userId" = p_user AND "outcome" = 'active' AND "expiresAt" > p_now
  RETURNING "taskId", "nodeId", "epoch", "projectId" INTO c;
  IF NOT FOUND THEN
    RETURN jsonb_build_object('status', 'lost');
  END IF;
  SELECT s.id, s."userId" INTO sub FROM "Submission" s WHERE s."taskId" = c."taskId" AND s."nodeId" = p_reviewed_node
  ORDER BY s."createdAt" DESC, s.id DESC LIMIT 1;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'task % has no submission on node % to review', c."taskId", p_reviewed_node;
  END IF;
  SELECT count(*) + 1 INTO n_round FROM "Review" r WHERE r."taskId" = c."taskId" AND r."nodeId" = c."nodeId";
  INSERT INTO "Review" (id, "projectId", "orgId", "taskId", "nodeId", "submissionId", "claimId", "userId", "verdict", "comment", "round", "createdAt")
  VALUES (p_review, c."projectId", p_org, c."taskId", c."nodeId", sub.id, p_claim, p_user, p_verdict, p_comment, n_round, p_now);
  IF p_verdict = 'pass' THEN
    next_node := p_pass_node;
    done := p_pass_complete;
  ELSE
    next_node := p_reviewed_node;
    done := false;
  END IF;
  -- Rework goes back to its author only while they may still work that node: a
  -- contributor of the project, of the type the node requires. Otherwise it
  -- opens to whoever may (else it would wait for someone who can never claim
  -- it). FOR SHARE: a concurrent removal or change of role waits for this
  -- commit, so its own reopening of their kept tasks sees this one.
  IF p_verdict = 'return' THEN
    SELECT m."userId" INTO rework_user FROM "ProjectMember" m
    WHERE m."projectId" = c."projectId" AND m."userId" = sub."userId" AND m."role" = 'contributor'
      AND m."contributorTypeId" IS NOT DISTINCT FROM COALESCE(
        (SELECT n."contributorTypeId" FROM "PipelineNode" n WHERE n.id = p_reviewed_node), m."contributorTypeId")
    FOR SHARE OF m;
  END IF;
  UPDATE "Task" SET "nodeId" = next_node, "status" = CASE WHEN done THEN 'completed' ELSE 'queued' END,
    "reworkUserId" = rework_user,
    "updatedAt" = p_now, "completedAt" = CASE WHEN done THEN p_now END
  WHERE id = c."taskId" AND "claimEpoch" = c."epoch" AND "status" = 'claimed'
  RETURNING "pipelineId", "priority", "createdAt", "assignedUserId", "assignedTypeId", "reworkUserId" INTO t;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'claim % does not hold its task', p_claim;
  END IF;
  INSERT INTO "TaskEvent" (id, "taskId", "projectId", "type", "userId", "nodeId", "claimId", "data", "createdAt") VALUES
    (pipelines_event_id(), c."taskId", c."projectId", 'reviewed', p_user, c."nodeId", p_claim,
     jsonb_build_object('reviewId', p_review, 'verdict', p_verdict, 'round', n_round, 'comment', p_comment, 'submissionId', sub.id), p_now),
    (pipelines_event_id(), c."taskId", c."projectId",
     CASE WHEN p_verdict = 'return' THEN 'returned' WHEN done THEN 'completed' ELSE 'moved' END,
     CASE WHEN p_verdict = 'return' THEN sub."userId" END, next_node, NULL, jsonb_build_object('from', c."nodeId"), p_now);
  IF p_verdict = 'pass' AND p_pass_reviews IS NOT NULL THEN
    SELECT s."userId" INTO author FROM "Submission" s WHERE s."taskId" = c."taskId" AND s."nodeId" = p_pass_reviews
    ORDER BY s."createdAt" DESC, s.id DESC LIMIT 1;
  END IF;
  RETURN jsonb_build_object(
    'status', 'ok', 'taskId', c."taskId", 'fromNode', c."nodeId", 'round', n_round, 'authorId', sub."userId",
    'submissionId', sub.id, 'nextNode', next_node, 'completed', done, 'pipelineId', t."pipelineId",
    'priority', t."priority", 'createdAt', t."createdAt", 'assignedUserId', t."assignedUserId",
    'assignedTypeId', t."assignedTypeId", 'reworkUserId', t."reworkUserId", 'author', author);
END $$;

-- An assignment (to one person or one type) applied at every task node, but the
-- import checks it against the first node only: at a later task node requiring
-- another type the task waited for someone who could never claim it. Now, when
-- a task moves on to a task node its assignee may not work, the assignment gives
-- way to that node's contributors. pipelines_submit is that of
-- lease_deadline_fence and pipelines_review that of rework_author_still_eligible,
-- each with only this check added after its task update.
CREATE OR REPLACE FUNCTION pipelines_submit(
  p_claim text, p_token text, p_user text, p_now timestamptz, p_submission text, p_org text,
  p_answers jsonb, p_next_node text, p_complete boolean, p_next_reviews text)
RETURNS jsonb LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  c record;
  t record;
  n_attempt int;
  author text;
  next_type text;
BEGIN
  UPDATE "Claim" SET "outcome" = 'submitted', "endedAt" = p_now
  WHERE id = p_claim AND "token" = p_token AND "userId" = p_user AND "outcome" = 'active' AND "expiresAt" > p_now
  RETURNING "taskId", "nodeId", "epoch", "projectId" INTO c;
  IF NOT FOUND THEN
    RETURN jsonb_build_object('status', 'lost');
  END IF;
  SELECT count(*) + 1 INTO n_attempt FROM "Submission" s WHERE s."taskId" = c."taskId" AND s."nodeId" = c."nodeId";
  INSERT INTO "Submission" (id, "projectId", "orgId", "taskId", "nodeId", "claimId", "userId", "answers", "attempt", "createdAt")
  VALUES (p_submission, c."projectId", p_org, c."taskId", c."nodeId", p_claim, p_user, p_answers, n_attempt, p_now);
  UPDATE "Task" SET "nodeId" = p_next_node, "status" = CASE WHEN p_complete THEN 'completed' ELSE 'queued' END,
    "reworkUserId" = NULL, "updatedAt" = p_now, "completedAt" = CASE WHEN p_complete THEN p_now END
  WHERE id = c."taskId" AND "claimEpoch" = c."epoch" AND "status" = 'claimed'
  RETURNING "pipelineId", "priority", "createdAt", "assignedUserId", "assignedTypeId" INTO t;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'claim % does not hold its task', p_claim;
  END IF;
  -- An assignment holds at the task nodes its assignee may work; at a task node
  -- of another type it gives way to that node's contributors (else the task
  -- would wait there for someone who can never claim it). Only tasks with an
  -- assignment pay for the check.
  IF NOT p_complete AND (t."assignedUserId" IS NOT NULL OR t."assignedTypeId" IS NOT NULL) THEN
    SELECT n."contributorTypeId" INTO next_type FROM "PipelineNode" n WHERE n.id = p_next_node AND n."kind" = 'task';
    IF next_type IS NOT NULL THEN
      UPDATE "Task" SET
        "assignedUserId" = CASE WHEN "assignedUserId" IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM "ProjectMember" m WHERE m."projectId" = c."projectId" AND m."userId" = "Task"."assignedUserId"
              AND m."role" = 'contributor' AND m."contributorTypeId" = next_type) THEN NULL ELSE "assignedUserId" END,
        "assignedTypeId" = CASE WHEN "assignedTypeId" IS DISTINCT FROM next_type THEN NULL ELSE "assignedTypeId" END
      WHERE id = c."taskId"
      RETURNING "pipelineId", "priority", "createdAt", "assignedUserId", "assignedTypeId" INTO t;
    END IF;
  END IF;
  INSERT INTO "TaskEvent" (id, "taskId", "projectId", "type", "userId", "nodeId", "claimId", "data", "createdAt") VALUES
    (pipelines_event_id(), c."taskId", c."projectId", 'submitted', p_user, c."nodeId", p_claim,
     jsonb_build_object('submissionId', p_submission, 'attempt', n_attempt), p_now),
    (pipelines_event_id(), c."taskId", c."projectId", CASE WHEN p_complete THEN 'completed' ELSE 'moved' END, NULL, p_next_node, NULL,
     jsonb_build_object('from', c."nodeId"), p_now);
  IF p_next_reviews IS NOT NULL THEN
    SELECT s."userId" INTO author FROM "Submission" s WHERE s."taskId" = c."taskId" AND s."nodeId" = p_next_reviews
    ORDER BY s."createdAt" DESC, s.id DESC LIMIT 1;
  END IF;
  RETURN jsonb_build_object(
    'status', 'ok', 'taskId', c."taskId", 'fromNode', c."nodeId", 'attempt', n_attempt, 'pipelineId', t."pipelineId",
    'priority', t."priority", 'createdAt', t."createdAt", 'assignedUserId', t."assignedUserId",
    'assignedTypeId', t."assignedTypeId", 'author', author);
END $$;

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
  next_type text;
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
  -- An assignment holds at the task nodes its assignee may work; at a task node
  -- of another type it gives way to that node's contributors (else the task
  -- would wait there for someone who can never claim it). Only tasks with an
  -- assignment pay for the check.
  IF NOT done AND (t."assignedUserId" IS NOT NULL OR t."assignedTypeId" IS NOT NULL) THEN
    SELECT n."contributorTypeId" INTO next_type FROM "PipelineNode" n WHERE n.id = next_node AND n."kind" = 'task';
    IF next_type IS NOT NULL THEN
      UPDATE "Task" SET
        "assignedUserId" = CASE WHEN "assignedUserId" IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM "ProjectMember" m WHERE m."projectId" = c."projectId" AND m."userId" = "Task"."assignedUserId"
              AND m."role" = 'contributor' AND m."contributorTypeId" = next_type) THEN NULL ELSE "assignedUserId" END,
        "assignedTypeId" = CASE WHEN "assignedTypeId" IS DISTINCT FROM next_type THEN NULL ELSE "assignedTypeId" END
      WHERE id = c."taskId"
      RETURNING "pipelineId", "priority", "createdAt", "assignedUserId", "assignedTypeId", "reworkUserId" INTO t;
    END IF;
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

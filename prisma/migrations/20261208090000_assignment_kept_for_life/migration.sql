-- An assignment (to one person or one type) is the task's for its whole life.
-- It applies at each task node its assignee may work (the node requires their
-- type, or none) and gives way to the node's ordinary contributors elsewhere.
-- assignment_follows_assignee dropped it at the first node of another type, so
-- the task was no longer the assignee's at the nodes after (a → b → a: lost at
-- the second a). Now the task keeps it, and every placement asks whether it
-- applies where the task waits: pipelines_submit, pipelines_review and
-- pipelines_end_claims answer `assignmentApplies`, and the Redis rebuild and the
-- task views ask pipelines_assignment_applies (one rule for all of them).
-- pipelines_submit and pipelines_review are those of assignment_follows_assignee
-- with the dropping replaced by the question (after a FOR SHARE read of the
-- assignee's member row); pipelines_end_claims is that of claim_engine_event_order
-- with `assignmentApplies` added.

-- Whether a task's assignment applies at a node: only at task nodes; one to a
-- person where they are a contributor of the project of the type the node
-- requires (any type, where it requires none); one to a type where the node
-- requires that type or none. False without an assignment.
CREATE OR REPLACE FUNCTION pipelines_assignment_applies(p_project text, p_node text, p_user text, p_type text)
RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT COALESCE((
    SELECT n."kind" = 'task' AND CASE
      WHEN p_user IS NOT NULL THEN EXISTS (
        SELECT 1 FROM "ProjectMember" m
        WHERE m."projectId" = p_project AND m."userId" = p_user AND m."role" = 'contributor'
          AND (n."contributorTypeId" IS NULL OR m."contributorTypeId" = n."contributorTypeId"))
      WHEN p_type IS NOT NULL THEN n."contributorTypeId" IS NULL OR n."contributorTypeId" = p_type
      ELSE false END
    FROM "PipelineNode" n WHERE n.id = p_node), false)
$$;

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
  applies boolean := false;
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
  -- Where the task waits next depends on its assignee's standing: read FOR
  -- SHARE, so a change of it waits for this commit and its rebuild sees this
  -- move. Not when the assignee holds this claim: a change of their standing
  -- revokes their claims, so it waits on this claim's row already (locking
  -- their member row here as well would deadlock with it).
  IF NOT p_complete THEN
    PERFORM 1 FROM "ProjectMember" m
    WHERE m."projectId" = c."projectId" AND m."userId" <> p_user
      AND m."userId" = (SELECT tk."assignedUserId" FROM "Task" tk WHERE tk.id = c."taskId")
    FOR SHARE OF m;
  END IF;
  UPDATE "Task" SET "nodeId" = p_next_node, "status" = CASE WHEN p_complete THEN 'completed' ELSE 'queued' END,
    "reworkUserId" = NULL, "updatedAt" = p_now, "completedAt" = CASE WHEN p_complete THEN p_now END
  WHERE id = c."taskId" AND "claimEpoch" = c."epoch" AND "status" = 'claimed'
  RETURNING "pipelineId", "priority", "createdAt", "assignedUserId", "assignedTypeId" INTO t;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'claim % does not hold its task', p_claim;
  END IF;
  -- The assignment stays the task's; whether it applies at the next node is
  -- answered for the placement (pipelines_assignment_applies).
  IF NOT p_complete THEN
    applies := pipelines_assignment_applies(c."projectId", p_next_node, t."assignedUserId", t."assignedTypeId");
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
    'assignedTypeId', t."assignedTypeId", 'assignmentApplies', applies, 'author', author);
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
  applies boolean := false;
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
  -- The assignee's standing, FOR SHARE, for the reason given in pipelines_submit.
  IF NOT done THEN
    PERFORM 1 FROM "ProjectMember" m
    WHERE m."projectId" = c."projectId" AND m."userId" <> p_user
      AND m."userId" = (SELECT tk."assignedUserId" FROM "Task" tk WHERE tk.id = c."taskId")
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
  -- The assignment stays the task's; whether it applies at the next node is
  -- answered for the placement (pipelines_assignment_applies).
  IF NOT done THEN
    applies := pipelines_assignment_applies(c."projectId", next_node, t."assignedUserId", t."assignedTypeId");
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
    'assignedTypeId', t."assignedTypeId", 'assignmentApplies', applies, 'reworkUserId', t."reworkUserId", 'author', author);
END $$;

CREATE OR REPLACE FUNCTION pipelines_end_claims(
  p_ids text[], p_deadlines bigint[], p_outcome text, p_now timestamptz, p_token text, p_user text, p_actor text)
RETURNS SETOF jsonb LANGUAGE plpgsql AS $$
BEGIN
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

-- The claim engine's writes, one round trip each (server/src/queue/sql.ts calls
-- them). Each returns jsonb. Redis decides claims; these record them, and every
-- later write is conditional on the claim's token, so a holder whose lease
-- expired can never overwrite the next holder's work.

-- Record a claim Redis granted. Outcomes: ok | stale (the project's Redis state
-- was rebuilt since the decision: decide again) | unavailable (PostgreSQL does
-- not have the task queued at that node, or it is the claimer's own work to review).
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
  UPDATE "Task" SET "claimEpoch" = "claimEpoch" + 1, "status" = 'claimed', "updatedAt" = p_now
  WHERE id = p_task AND "projectId" = p_project AND "nodeId" = p_node AND "status" = 'queued'
  RETURNING "claimEpoch", "payload", "pipelineId", "priority", "createdAt", "runId" INTO t;
  IF NOT FOUND THEN
    RETURN jsonb_build_object('status', 'unavailable');
  END IF;
  tok := t."claimEpoch" || '.' || p_secret;
  INSERT INTO "Claim" (id, "projectId", "taskId", "nodeId", "userId", "epoch", "token", "outcome", "claimedAt", "expiresAt")
  VALUES (p_claim, p_project, p_task, p_node, p_user, t."claimEpoch", tok, 'active', p_now, p_expires);
  INSERT INTO "TaskEvent" (id, "taskId", "projectId", "type", "userId", "nodeId", "claimId", "createdAt")
  VALUES (gen_random_uuid()::text, p_task, p_project, 'claimed', p_user, p_node, p_claim, p_now);
  RETURN jsonb_build_object(
    'status', 'ok', 'epoch', t."claimEpoch", 'token', tok, 'payload', t."payload", 'pipelineId', t."pipelineId",
    'priority', t."priority", 'createdAt', t."createdAt", 'runId', t."runId", 'reviewed', reviewed);
END $$;

-- Submit answers on a task node with a live claim: the claim ends as submitted,
-- the submission is stored (attempt = its rank on this node), the task moves to
-- p_next_node (queued) or completes there. Outcome lost: the token is stale or
-- the claim ended; nothing was written.
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
BEGIN
  UPDATE "Claim" SET "outcome" = 'submitted', "endedAt" = p_now
  WHERE id = p_claim AND "token" = p_token AND "userId" = p_user AND "outcome" = 'active'
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
  INSERT INTO "TaskEvent" (id, "taskId", "projectId", "type", "userId", "nodeId", "claimId", "data", "createdAt") VALUES
    (gen_random_uuid()::text, c."taskId", c."projectId", 'submitted', p_user, c."nodeId", p_claim,
     jsonb_build_object('submissionId', p_submission, 'attempt', n_attempt), p_now),
    (gen_random_uuid()::text, c."taskId", c."projectId", CASE WHEN p_complete THEN 'completed' ELSE 'moved' END, NULL, p_next_node, NULL,
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

-- A verdict on a review node with a live claim. pass: the task moves to
-- p_pass_node (or completes there). return: it goes back to p_reviewed_node,
-- reserved for the author of the reviewed submission. round = the rank of this
-- review of the task on this node.
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
BEGIN
  UPDATE "Claim" SET "outcome" = 'submitted', "endedAt" = p_now
  WHERE id = p_claim AND "token" = p_token AND "userId" = p_user AND "outcome" = 'active'
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
  UPDATE "Task" SET "nodeId" = next_node, "status" = CASE WHEN done THEN 'completed' ELSE 'queued' END,
    "reworkUserId" = CASE WHEN p_verdict = 'return' THEN sub."userId" END,
    "updatedAt" = p_now, "completedAt" = CASE WHEN done THEN p_now END
  WHERE id = c."taskId" AND "claimEpoch" = c."epoch" AND "status" = 'claimed'
  RETURNING "pipelineId", "priority", "createdAt", "assignedUserId", "assignedTypeId", "reworkUserId" INTO t;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'claim % does not hold its task', p_claim;
  END IF;
  INSERT INTO "TaskEvent" (id, "taskId", "projectId", "type", "userId", "nodeId", "claimId", "data", "createdAt") VALUES
    (gen_random_uuid()::text, c."taskId", c."projectId", 'reviewed', p_user, c."nodeId", p_claim,
     jsonb_build_object('reviewId', p_review, 'verdict', p_verdict, 'round', n_round, 'comment', p_comment, 'submissionId', sub.id), p_now),
    (gen_random_uuid()::text, c."taskId", c."projectId",
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

-- End live claims without a submission: released (by the holder, p_token and
-- p_user given), revoked (by an admin, p_actor given) or expired (by the
-- sweeper: each claim only while its deadline is still the one the sweeper saw,
-- so a heartbeat that just moved it wins). The tasks go back to their node.
-- One row per claim ended, with what Redis needs to put the task back.
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
    SELECT gen_random_uuid()::text, c."taskId", c."projectId", p_outcome, c."userId", c."nodeId", c.id,
      CASE WHEN p_actor IS NULL THEN NULL ELSE jsonb_build_object('by', p_actor) END, p_now
    FROM c
  )
  SELECT jsonb_build_object(
    'claimId', c.id, 'taskId', c."taskId", 'nodeId', c."nodeId", 'userId', c."userId", 'pipelineId', t."pipelineId",
    'priority', t."priority", 'createdAt', t."createdAt", 'assignedUserId', t."assignedUserId",
    'assignedTypeId', t."assignedTypeId", 'reworkUserId', t."reworkUserId",
    'author', (SELECT s."userId" FROM "PipelineNode" n JOIN "Submission" s ON s."taskId" = c."taskId" AND s."nodeId" = n."reviewsNodeId"
               WHERE n.id = c."nodeId" ORDER BY s."createdAt" DESC, s.id DESC LIMIT 1))
  FROM c JOIN t ON t.id = c."taskId";
END $$;

-- Start a new generation of a project's Redis state (a rebuild). Waits for
-- claims being recorded under the old generation, then refuses them.
CREATE OR REPLACE FUNCTION pipelines_next_generation(p_project text, p_now timestamptz)
RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  g int;
BEGIN
  PERFORM pg_advisory_xact_lock(7301, hashtext(p_project));
  INSERT INTO "QueueState" ("projectId", "generation", "rebuiltAt") VALUES (p_project, 1, p_now)
  ON CONFLICT ("projectId") DO UPDATE SET "generation" = "QueueState"."generation" + 1, "rebuiltAt" = p_now
  RETURNING "generation" INTO g;
  -- A task marked claimed without a live claim could never be claimed again.
  UPDATE "Task" tk SET "status" = 'queued', "updatedAt" = p_now
  WHERE tk."projectId" = p_project AND tk."status" = 'claimed'
    AND NOT EXISTS (SELECT 1 FROM "Claim" cl WHERE cl."taskId" = tk.id AND cl."outcome" = 'active');
  RETURN g;
END $$;

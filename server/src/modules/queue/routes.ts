import { z } from "zod";
import type { Deps } from "../../deps";
import { id, listQuery, page, pageOf, type Api } from "../../http/route";
import { AppError } from "../../http/errors";
import { claimTask, heartbeat, releaseClaim, revokeClaim, submitAndClaimNext, submitClaim, watchConfigChanges } from "../../queue/engine";
import { answersSchema } from "../pipelines/form";
import { loadProject } from "../load";
import { loadWorkProject } from "./service";
import { activeClaims, queueView, readHeldClaim } from "./service";
import { MINE_KINDS, mySubmissions } from "./mine";
import { availableTasks } from "./available";
import { activeClaimSchema, availableTaskSchema, claimedSchema, claimedView, mySubmissionSchema, queueSchema, submissionSchema, submittedView } from "./view";

const projectParams = z.strictObject({ projectId: id });
const nodeParams = z.strictObject({ projectId: id, nodeId: id });
const availableQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(100).default(50), cursor: z.string().max(200).optional() });
const claimParams = z.strictObject({ claimId: id });
const token = z.string().min(1).max(200);
const nextErrorSchema = z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() });
const errorView = (e: AppError) => ({ code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) });

export function registerQueueRoutes(api: Api, deps: Deps) {
  // Every instance bumps the config version on project changes, so no
  // instance claims with cached limits older than the change.
  watchConfigChanges(deps);

  api.add({
    method: "get",
    path: "/api/projects/:projectId/queue",
    tag: "work queue",
    summary: "For each node you may work: tasks available to you, your claims with time left, and whether you can claim now (and why not)",
    params: projectParams,
    response: queueSchema,
    async handler({ actor, params, deps }) {
      await loadWorkProject(deps, actor, params.projectId);
      return queueView(deps, actor, params.projectId);
    },
  });

  api.add({
    method: "get",
    path: "/api/projects/:projectId/queue/:nodeId/tasks",
    tag: "work queue",
    summary: "The tasks you could claim now at a node, in Claim next's order (highest priority, then oldest), each with a payload preview and whether it is kept for you",
    description:
      "Exactly what `POST /api/projects/:projectId/claims` could give you there: tasks assigned to others, returned to others or " +
      "(at a review node) submitted by you are not listed; claim one with `{nodeId, taskId}`. A node-level refusal (outside your " +
      "schedule, a limit reached) is in the queue answer; the tasks are still listed.",
    params: nodeParams,
    query: availableQuery,
    response: page(availableTaskSchema),
    async handler({ actor, params, query, deps }) {
      const cat = await loadWorkProject(deps, actor, params.projectId);
      return availableTasks(deps, actor, cat, params.nodeId, query);
    },
  });

  api.add({
    method: "post",
    path: "/api/projects/:projectId/claims",
    tag: "work queue",
    summary: "Claim the next task at a node (highest priority, then oldest), or a given one: a lease with a fencing token",
    params: projectParams,
    body: z.strictObject({ nodeId: id, taskId: id.optional() }),
    status: 201,
    response: claimedSchema,
    async handler({ actor, params, body, deps }) {
      await loadWorkProject(deps, actor, params.projectId);
      return claimedView(await claimTask(deps, actor, params.projectId, body));
    },
  });

  api.add({
    method: "get",
    path: "/api/claims/:claimId",
    tag: "work queue",
    summary: "Your live claim with its task and form (409 claim_lost once it ended, `details` saying how: `outcome` submitted, released, expired or revoked, and its `nodeId`)",
    params: claimParams,
    response: claimedSchema,
    async handler({ actor, params, deps }) {
      return claimedView(await readHeldClaim(deps, actor, params.claimId));
    },
  });

  api.add({
    method: "post",
    path: "/api/claims/:claimId/heartbeat",
    tag: "work queue",
    summary: "Keep a claim alive: the lease runs from now again, up to the node's maximum",
    params: claimParams,
    body: z.strictObject({ token }),
    response: z.object({ expiresAt: z.string() }),
    async handler({ actor, params, body, deps }) {
      return { expiresAt: (await heartbeat(deps, actor, params.claimId, body.token)).toISOString() };
    },
  });

  api.add({
    method: "delete",
    path: "/api/claims/:claimId",
    tag: "work queue",
    summary: "Release a claim: the task goes back to the queue",
    params: claimParams,
    body: z.strictObject({ token }),
    status: 204,
    async handler({ actor, params, body, deps }) {
      await releaseClaim(deps, actor, params.claimId, body.token);
    },
  });

  api.add({
    method: "post",
    path: "/api/claims/:claimId/submit",
    tag: "work queue",
    summary: "Submit with the live claim: {token, answers} on a task node, {token, verdict, comment?} on a review node",
    description:
      "With `next: true` the next task at the same node is claimed for you in the same request (submit and take the next): " +
      "`next` is that claim, exactly as `POST /api/projects/:projectId/claims` answers it, or null with `nextError` saying why " +
      "(`queue_empty`, `claim_limit_reached`, `outside_schedule`, ...). The submission stands either way.",
    params: claimParams,
    body: z.strictObject({
      token,
      answers: answersSchema.optional(),
      verdict: z.enum(["pass", "return"]).optional(),
      comment: z.string().max(5000).optional(),
      next: z.boolean().optional(),
    }),
    status: 201,
    response: z.object({ submission: submissionSchema, next: claimedSchema.nullable().optional(), nextError: nextErrorSchema.optional() }),
    async handler({ actor, params, body: { next, ...input }, deps }) {
      if (!next) return { submission: submittedView(await submitClaim(deps, actor, params.claimId, input)) };
      const r = await submitAndClaimNext(deps, actor, params.claimId, input);
      const submission = submittedView(r.submitted);
      if (r.next instanceof AppError) return { submission, next: null, nextError: errorView(r.next) };
      return { submission, next: claimedView(r.next) };
    },
  });

  api.add({
    method: "get",
    path: "/api/projects/:projectId/claims",
    tag: "work queue",
    summary: "Every active claim of the project (Project Admins, Viewers included, and Org Admins)",
    params: projectParams,
    query: listQuery,
    response: page(activeClaimSchema),
    async handler({ actor, params, query, deps }) {
      await loadProject(deps, actor, params.projectId, "project.inspect");
      return pageOf(await activeClaims(deps, params.projectId, query.limit, query.cursor), query.limit);
    },
  });

  api.add({
    method: "post",
    path: "/api/claims/:claimId/revoke",
    tag: "work queue",
    summary: "Revoke a claim (Owners and Org Admins): the holder's token dies and the task goes back to the queue",
    params: claimParams,
    status: 204,
    async handler({ actor, params, deps }) {
      await revokeClaim(deps, actor, params.claimId);
    },
  });

  api.add({
    method: "get",
    path: "/api/me/submissions",
    tag: "me",
    summary: "What you submitted, newest first: your evaluations (`kind: evaluation`, each with the latest review of it) and your reviews (`kind: review`, with their verdict and comment); `kind` keeps one of them",
    query: listQuery.extend({ kind: z.enum(MINE_KINDS).optional() }),
    response: page(mySubmissionSchema),
    async handler({ actor, query, deps }) {
      return mySubmissions(deps, actor, query);
    },
  });
}

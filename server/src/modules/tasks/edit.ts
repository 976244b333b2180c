// An Owner manages a task after import (PATCH /api/tasks/:taskId): its priority,
// its assignment (a person or a type of the project, or none) and its status
// (cancelled: out of every queue; reopened: back at the node it was at). One
// transaction serialises with the claims on the task the way their own writes
// do: the types and member rows of the assignments (edit-locks.ts), the task's
// live claim row, then the task row (a release or expiry takes them in that
// order, a submit claim then task; a claim being recorded holds the task row).
// A claim the change no longer admits (a cancel, or an assignment that keeps
// the task from its holder) is revoked there, as queue/leave.ts revokes a lost
// standing's. A claim Redis decided before the change and recorded after it is
// refused by pipelines_claim itself (migration task_edit). Then Redis follows
// (edit-follow.ts) and the events leave.
import type { Actor } from "../../access/actor";
import type { Deps } from "../../deps";
import { conflict, invalidRequest, notFound } from "../../http/errors";
import type { Tx } from "../../infra/prisma";
import { prismaSql } from "../../queue/pg";
import { PLACED_TASK_COLUMNS, type PlacedTask } from "../../queue/placement";
import { endClaims, type EndedClaim } from "../../queue/sql";
import { recordAudit } from "../audit/record";
import { shareProject } from "../projects/lock";
import { followEdit } from "./edit-follow";
import { shareAssignments } from "./edit-locks";

export type Assignment = { userId: string } | { contributorTypeId: string } | null;

export interface TaskEdit {
  priority?: number;
  /** null: no assignment. */
  assignment?: Assignment;
  /** cancelled: out of every queue; queued: a cancelled task reopened. */
  status?: "cancelled" | "queued";
}

/** The task as the transaction found it (locked), with where it waits. */
export interface Found extends PlacedTask {
  projectId: string;
  pipelineId: string;
  claimEpoch: number;
}

export interface Edited {
  before: Found;
  after: Found;
  /** The live claim the change revoked. */
  revoked: EndedClaim | null;
  changes: Array<"priority" | "assignment" | "cancelled" | "reopened">;
}

/** A claim began or ended between reading the claim and locking the task: start again. */
class ClaimMoved extends Error {}

const ATTEMPTS = 5;

export async function editTask(deps: Deps, actor: Actor, task: { id: string; projectId: string; orgId: string }, edit: TaskEdit): Promise<Found> {
  if (edit.priority === undefined && edit.assignment === undefined && edit.status === undefined) {
    throw invalidRequest("There is nothing to change: give a priority, an assignment or a status.");
  }
  for (let attempt = 1; ; attempt++) {
    try {
      const done = await deps.db.$transaction((tx) => applyEdit(tx, deps, actor, task, edit));
      if (done.changes.length) await followEdit(deps, actor, task.orgId, done);
      return done.after;
    } catch (err) {
      if (!(err instanceof ClaimMoved)) throw err;
      if (attempt >= ATTEMPTS) throw conflict("task_busy", "The task kept changing hands during this change; nothing was changed. Try again.");
    }
  }
}

async function applyEdit(tx: Tx, deps: Deps, actor: Actor, task: { id: string; projectId: string; orgId: string }, edit: TaskEdit): Promise<Edited> {
  // The project's shared lock first (projects/lock.ts), then types and members, then claim and task.
  const status = await shareProject(tx, task.projectId);
  if (!status) throw notFound("task");
  if (status !== "active") throw conflict("project_archived", "This project is archived: its tasks cannot be changed.");
  const assignee = await shareAssignments(tx, task, edit.assignment);
  const [claim] = await tx.$queryRaw<Array<{ id: string; userId: string; epoch: number }>>`
    SELECT id, "userId", epoch FROM "Claim" WHERE "taskId" = ${task.id} AND outcome = 'active' FOR UPDATE`;
  const before = await readTask(tx, task.id, true);
  if (!before) throw notFound("task");
  if (before.status === "claimed" && claim?.epoch !== before.claimEpoch) throw new ClaimMoved();
  // Reassigned meanwhile (a type's delete clears its cancelled tasks' too): the rows locked are not its own.
  if (before.assignedUserId !== assignee.userId || before.assignedTypeId !== assignee.typeId) throw new ClaimMoved();
  if (before.status === "completed") throw conflict("task_completed", "This task is completed: it can no longer be changed.");

  const a = edit.assignment;
  const next = {
    priority: edit.priority ?? before.priority,
    assignedUserId: a === undefined ? before.assignedUserId : a && "userId" in a ? a.userId : null,
    assignedTypeId: a === undefined ? before.assignedTypeId : a && "contributorTypeId" in a ? a.contributorTypeId : null,
  };
  const changes: Edited["changes"] = [];
  if (next.priority !== before.priority) changes.push("priority");
  if (next.assignedUserId !== before.assignedUserId || next.assignedTypeId !== before.assignedTypeId) changes.push("assignment");
  const cancel = edit.status === "cancelled" && before.status !== "cancelled";
  const reopen = edit.status === "queued" && before.status === "cancelled";
  if (!changes.length && !cancel && !reopen) return { before, after: before, revoked: null, changes };

  const now = deps.clock.now();
  if (changes.length) {
    await tx.$executeRaw`
      UPDATE "Task" SET "priority" = ${next.priority}, "assignedUserId" = ${next.assignedUserId},
        "assignedTypeId" = ${next.assignedTypeId}, "updatedAt" = ${now}
      WHERE id = ${task.id}`;
    const data: Record<string, unknown> = { by: actor.userId };
    if (changes.includes("priority")) data.priority = { from: before.priority, to: next.priority };
    if (changes.includes("assignment")) data.assignment = { from: assignmentOf(before), to: assignmentOf(next) };
    // The step concerns the new assignee when it is a person (their name is shown); `by` acted.
    await history(tx, before, "updated", data, now, changes.includes("assignment") ? next.assignedUserId : null);
  }
  let revoked: EndedClaim | null = null;
  if (claim && before.status === "claimed" && (cancel || (changes.includes("assignment") && !(await admits(tx, before, claim.userId, next))))) {
    [revoked = null] = await endClaims(prismaSql(tx), { ids: [claim.id], outcome: "revoked", now, actorId: actor.userId, settles: true });
    if (!revoked) throw new ClaimMoved(); // not expected: its row is locked here
  }
  if (cancel || reopen) {
    await tx.$executeRaw`UPDATE "Task" SET "status" = ${cancel ? "cancelled" : "queued"}, "updatedAt" = ${now} WHERE id = ${task.id}`;
    await history(tx, before, cancel ? "cancelled" : "reopened", { by: actor.userId }, now);
    changes.push(cancel ? "cancelled" : "reopened");
  }
  const after = (await readTask(tx, task.id, false))!;
  await recordAudit(tx, actor, {
    orgId: task.orgId,
    action: cancel ? "task.cancel" : reopen ? "task.reopen" : "task.update",
    resourceType: "task",
    resourceId: task.id,
    before: snapshot(before, changes),
    after: { ...snapshot(after, changes), ...(revoked ? { claimRevoked: revoked.claimId } : {}) },
  });
  return { before, after, revoked, changes };
}

/** The task as a placement reads it (queue/placement.ts): its node's kind, whether its assignment applies there, at a review node the author. */
async function readTask(tx: Tx, taskId: string, lock: boolean): Promise<Found | undefined> {
  const sql = `
    SELECT ${PLACED_TASK_COLUMNS}, t."projectId", t."pipelineId", t."claimEpoch"
    FROM "Task" t JOIN "PipelineNode" n ON n.id = t."nodeId"
    WHERE t.id = $1 ${lock ? 'FOR UPDATE OF t' : ""}`;
  const [row] = await tx.$queryRawUnsafe<Found[]>(sql, taskId);
  return row;
}

/** Whether the holder may keep the task under the new assignment (rework kept for its author comes first). */
async function admits(tx: Tx, t: Found, userId: string, next: { assignedUserId: string | null; assignedTypeId: string | null }): Promise<boolean> {
  if (t.reworkUserId) return true;
  const [r] = await tx.$queryRaw<Array<{ ok: boolean }>>`
    SELECT pipelines_assignment_admits(${t.projectId}, ${t.nodeId}, ${userId}, ${next.assignedUserId}::text, ${next.assignedTypeId}::text) AS ok`;
  return r!.ok;
}

function assignmentOf(t: { assignedUserId: string | null; assignedTypeId: string | null }): Assignment {
  if (t.assignedUserId) return { userId: t.assignedUserId };
  if (t.assignedTypeId) return { contributorTypeId: t.assignedTypeId };
  return null;
}

function snapshot(t: Found, changes: Edited["changes"]): Record<string, unknown> {
  const s: Record<string, unknown> = {};
  if (changes.includes("priority")) s.priority = t.priority;
  if (changes.includes("assignment")) s.assignment = assignmentOf(t);
  if (changes.includes("cancelled") || changes.includes("reopened")) s.status = t.status;
  return s;
}

async function history(tx: Tx, t: Found, type: string, data: Record<string, unknown>, now: Date, userId: string | null = null): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO "TaskEvent" (id, "taskId", "projectId", "type", "userId", "nodeId", "data", "createdAt")
    VALUES (pipelines_event_id(), ${t.id}, ${t.projectId}, ${type}, ${userId}, ${t.nodeId}, ${JSON.stringify(data)}::jsonb, ${now})`;
}

// Plays the demo's past (demo-plan.ts) through the claim engine itself, after the
// seed's transaction committed: each step is a real claim and submission, review,
// release or expiry (the sweeper's), at a clock moved back to when it happened. So
// the task history, claims, submissions, reviews, the dashboard's aggregate rows
// (kept by PostgreSQL's triggers) and the Redis queue all agree, as after real work.
// Its events go to a bus of its own: nothing is pushed or notified about the past.
import { loadActor, type Actor } from "../../access/actor";
import type { DemoContext } from "../../cli/demo";
import type { Deps } from "../../deps";
import { EventBus } from "../../events/bus";
import { ManualClock } from "../../infra/clock";
import { claimTask, releaseClaim, submitClaim, sweepOnce } from "../../queue/engine";
import type { Step, TaskPlan, Who } from "./demo-plan";
import { supportPlan } from "./demo";
import { safetyPlan } from "./demo-safety";

const EMAIL: Record<Who, string> = { alice: "alice@demo.test", admin: "admin@demo.test", rita: "rita@demo.test", bob: "bob@demo.test" };
const MINUTE = 60_000;

interface Scheduled {
  step: Step;
  taskId: string;
  /** The node the step claims at: the pipeline's task node, or its review node for a review. */
  nodeId: string;
}

export async function playDemoHistory(deps: Deps, ctx: DemoContext): Promise<void> {
  const plans: Array<[pipeline: string, plan: TaskPlan[]]> = [
    ["Support agent review", supportPlan(ctx.now)],
    ["Safety check", safetyPlan(ctx.now)],
  ];
  const scheduled: Scheduled[] = [];
  for (const [name, plan] of plans) scheduled.push(...(await stepsOf(deps, ctx.projectId, name, plan)));
  scheduled.sort((a, b) => a.step.at - b.step.at);
  if (!scheduled.length) return;

  const clock = new ManualClock(scheduled[0]!.step.at - 60 * MINUTE);
  const past: Deps = { ...deps, clock, bus: new EventBus() };
  const actors = new Map<Who, Actor>();
  const actor = async (who: Who) => {
    let a = actors.get(who);
    if (!a) {
      const found = await loadActor(deps.db, ctx.users[EMAIL[who]]!, undefined, { fresh: true });
      if (!found) throw new Error(`demo: no account ${EMAIL[who]}`);
      actors.set(who, (a = found));
    }
    return a;
  };
  // Time only moves forward (a step's claim starts a few minutes before its time).
  const moveTo = (t: number) => clock.set(Math.max(clock.now().getTime(), t));

  for (const { step, taskId, nodeId } of scheduled) {
    const who = await actor(step.by);
    // A few minutes of work between the claim and the step, the same for a step on every seed.
    moveTo(step.at - (4 + (step.at % 9)) * MINUTE);
    const { claim } = await claimTask(past, who, ctx.projectId, { nodeId, taskId });
    if (step.kind === "release") {
      moveTo(step.at);
      await releaseClaim(past, who, claim.id, claim.token);
    } else if (step.kind === "expire") {
      // Left alone: the sweeper returns the task once the lease ran out.
      moveTo(claim.expiresAt.getTime() + MINUTE);
      await sweepOnce(past, { projects: [ctx.projectId] });
    } else if (step.kind === "evaluate") {
      moveTo(step.at);
      await submitClaim(past, who, claim.id, { token: claim.token, answers: step.answers });
    } else {
      moveTo(step.at);
      await submitClaim(past, who, claim.id, { token: claim.token, verdict: step.verdict, ...(step.comment ? { comment: step.comment } : {}) });
    }
  }
}

/** The plan's steps for the pipeline's tasks, matched by arrival time (each run's is its own). */
async function stepsOf(deps: Deps, projectId: string, name: string, plan: TaskPlan[]): Promise<Scheduled[]> {
  const pipeline = await deps.db.pipeline.findFirst({ where: { projectId, name }, include: { nodes: true } });
  if (!pipeline) return [];
  const work = pipeline.nodes.find((n) => n.kind === "task")!;
  const review = pipeline.nodes.find((n) => n.kind === "review")!;
  const byArrival = new Map(plan.map((p) => [p.createdAt.getTime(), p]));
  const tasks = await deps.db.task.findMany({ where: { pipelineId: pipeline.id }, select: { id: true, createdAt: true } });
  return tasks.flatMap((t) =>
    (byArrival.get(t.createdAt.getTime())?.steps ?? []).map((step) => ({ step, taskId: t.id, nodeId: step.kind === "review" ? review.id : work.id })),
  );
}

// A project to work through: an org with contributors (raters) and reviewers
// written with the test factories, then a pipeline (rate → check → done) and
// its tasks created through the API of a running server, as an admin would.
import { signToken } from "../../../server/src/auth/jwt";
import type { Deps } from "../../../server/src/deps";
import { systemClock } from "../../../server/src/infra/clock";
import { createPrisma } from "../../../server/src/infra/prisma";
import { addProjectMember, createContributorType, createOrg, createProject } from "../../helpers/factories";
import { CHAOS_JWT_SECRET } from "./servers";

export interface Worker {
  id: string;
  token: string;
}

export interface Workload {
  orgId: string;
  projectId: string;
  pipelineId: string;
  rateNodeId: string;
  checkNodeId: string;
  adminToken: string;
  raters: Worker[];
  reviewers: Worker[];
  taskIds: string[];
}

export interface WorkloadOptions {
  raters: number;
  reviewers: number;
  tasks: number;
  leaseSeconds: number;
  claimLimit?: number;
}

export const tokenFor = (userId: string) => signToken(CHAOS_JWT_SECRET, userId, systemClock);

export async function seedWorkload(databaseUrl: string, serverUrl: string, o: WorkloadOptions): Promise<Workload> {
  const db = createPrisma(databaseUrl, 2);
  // The factories need only these parts of Deps.
  const deps = { db, jwtSecret: CHAOS_JWT_SECRET, clock: systemClock } as unknown as Deps;
  try {
    const { org, admin } = await createOrg(deps);
    const project = await createProject(deps, org.id);
    const rater = await createContributorType(deps, project.id, { name: "Rater", claimLimit: o.claimLimit ?? 2 });
    const checker = await createContributorType(deps, project.id, { name: "Checker", claimLimit: o.claimLimit ?? 2 });
    const raters = await Promise.all(Array.from({ length: o.raters }, (_, i) => addProjectMember(deps, project, "contributor", rater.id, `rater-${i}`)));
    const reviewers = await Promise.all(Array.from({ length: o.reviewers }, (_, i) => addProjectMember(deps, project, "contributor", checker.id, `checker-${i}`)));
    const adminToken = tokenFor(admin.id);

    const call = async (method: string, path: string, body: unknown) => {
      const r = await fetch(serverUrl + path, {
        method, headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" }, body: JSON.stringify(body),
      });
      const json = await r.json();
      if (r.status >= 300) throw new Error(`${method} ${path} → ${r.status} ${JSON.stringify(json)}`);
      return json;
    };
    const pipeline = await call("POST", `/api/projects/${project.id}/pipelines`, {
      name: "Chaos",
      nodes: [
        { key: "rate", kind: "task", name: "Rate", contributorTypeId: rater.id, leaseSeconds: o.leaseSeconds,
          form: { criteria: [{ key: "score", label: "Score", kind: "rating", required: true, min: 1, max: 5 }] } },
        { key: "check", kind: "review", name: "Check", contributorTypeId: checker.id, reviews: "rate", leaseSeconds: o.leaseSeconds },
        { key: "done", kind: "end", name: "Done" },
      ],
    });
    const taskIds: string[] = [];
    for (let i = 0; i < o.tasks; i += 500) {
      const batch = Array.from({ length: Math.min(500, o.tasks - i) }, (_, j) => ({ payload: { n: i + j }, priority: (i + j) % 3 }));
      const r = await call("POST", `/api/pipelines/${pipeline.id}/tasks`, { tasks: batch });
      taskIds.push(...r.taskIds);
    }
    const node = (key: string) => pipeline.nodes.find((n: { key: string }) => n.key === key).id as string;
    return {
      orgId: org.id, projectId: project.id, pipelineId: pipeline.id, rateNodeId: node("rate"), checkNodeId: node("check"), adminToken,
      raters: raters.map((u) => ({ id: u.id, token: tokenFor(u.id) })),
      reviewers: reviewers.map((u) => ({ id: u.id, token: tokenFor(u.id) })),
      taskIds,
    };
  } finally {
    await db.$disconnect();
  }
}

/**
 * More tasks into the workload's pipeline, through a running server (work keeps
 * arriving). A 503 changed nothing and is retried; so is a lost answer (the
 * import may then land twice: more work, which the scenario counts from PostgreSQL).
 */
export async function addTasks(serverUrl: string | (() => string), w: Workload, n: number, from: number): Promise<string[]> {
  const body = JSON.stringify({ tasks: Array.from({ length: n }, (_, i) => ({ payload: { n: from + i }, priority: (from + i) % 3 })) });
  for (let attempt = 0; ; attempt++) {
    const base = typeof serverUrl === "function" ? serverUrl() : serverUrl;
    try {
      const r = await fetch(`${base}/api/pipelines/${w.pipelineId}/tasks`, {
        method: "POST",
        headers: { authorization: `Bearer ${w.adminToken}`, "content-type": "application/json" },
        body,
        signal: AbortSignal.timeout(15_000),
      });
      const json = await r.json();
      if (r.status === 201) {
        w.taskIds.push(...json.taskIds);
        return json.taskIds;
      }
      if (r.status !== 503 || attempt >= 30) throw new Error(`adding tasks → ${r.status} ${JSON.stringify(json)}`);
    } catch (err) {
      if (attempt >= 30 || (err as Error).message.startsWith("adding tasks")) throw err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

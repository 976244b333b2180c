// The demo seed's org settings and agent: every demo task is a run of the
// support agent, and the demo template is one the pipeline engine accepts.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { expect, inject, it } from "vitest";
import { seedDemoIfEmpty } from "../../server/src/cli/demo";
import { migrate } from "../../server/src/infra/migrate";
import { createPrisma } from "../../server/src/infra/prisma";
import { demoPipeline } from "../../server/src/modules/pipelines/demo";
import { pipelineInputSchema } from "../../server/src/modules/pipelines/schema";
import { demoSettings } from "../../server/src/modules/settings/demo";

it("seeds criteria, a prompt, a template, a model and the agent whose runs the demo tasks are", async () => {
  // Its own database: the demo only seeds an empty one.
  const base = inject("databaseUrl");
  const name = `pipelines_demo_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const db = createPrisma(url.toString(), 2);
  try {
    await migrate(url.toString());
    const ctx = (await seedDemoIfEmpty(db, [demoPipeline, demoSettings]))!;
    expect((await db.evaluationCriterion.findMany({ where: { orgId: ctx.orgId } })).map((c) => c.key).sort()).toEqual(["accuracy", "helpful", "notes"]);
    expect(await db.prompt.count({ where: { orgId: ctx.orgId } })).toBe(1);
    const template = await db.pipelineTemplate.findFirstOrThrow({ where: { orgId: ctx.orgId } });
    expect(pipelineInputSchema.safeParse({ name: template.name, nodes: template.nodes }).success).toBe(true);
    const agent = await db.agent.findFirstOrThrow({ where: { projectId: ctx.projectId } });
    // It names the demo's model and prompt by reference, not by ids in its free config.
    const [model, prompt] = [await db.llmModel.findFirstOrThrow({ where: { orgId: ctx.orgId } }), await db.prompt.findFirstOrThrow({ where: { orgId: ctx.orgId } })];
    expect([agent.modelId, agent.promptId, agent.config]).toEqual([model.id, prompt.id, { temperature: 0.2 }]);
    const tasks = await db.task.findMany({ where: { projectId: ctx.projectId } });
    expect(tasks.length).toBeGreaterThan(10);
    expect(tasks.every((t) => t.runId !== null)).toBe(true);
    const runs = await db.run.findMany({ where: { agentId: agent.id } });
    expect(runs.map((r) => r.taskId).sort()).toEqual(tasks.map((t) => t.id).sort());
  } finally {
    await db.$disconnect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
});

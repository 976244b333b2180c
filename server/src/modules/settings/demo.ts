// Demo content for org settings and agents: the criteria, prompt, template and
// model the demo pipeline is made of, and the support agent whose runs the
// demo tasks are (each demo task gets its Run row). Runs after demoPipeline,
// inside the seed's transaction.
import type { Prisma } from "@prisma/client";
import { DEMO_AGE_DAYS, type DemoExtension } from "../../cli/demo";
import { newId } from "../../queue/ids";

const criteria = [
  { key: "accuracy", label: "How accurate is the answer?", kind: "rating", min: 1, max: 5, required: true },
  { key: "helpful", label: "Would this answer resolve the customer's issue?", kind: "boolean", required: true },
  { key: "notes", label: "Notes for the agent team", kind: "text", required: false },
];
const PROMPT = "You are the customer support assistant of {{store}}. Be accurate and brief. Customer: {{question}}";

export const demoSettings: DemoExtension = async (db, ctx) => {
  const orgId = ctx.orgId;
  // Made with the pipelines, four weeks before the seed (the demo org's age).
  const since = new Date(ctx.now.getTime() - (DEMO_AGE_DAYS - 1) * 86_400_000);
  const now = since.toISOString();
  for (const c of criteria) await db.evaluationCriterion.create({ data: { orgId, ...c } });
  const prompt = await db.prompt.create({
    data: { orgId, name: "Support assistant system prompt", text: PROMPT, variables: ["store", "question"], versions: [{ version: 1, text: PROMPT, createdAt: now }] },
  });
  await db.pipelineTemplate.create({
    data: {
      orgId,
      name: "Evaluate, then QA review",
      description: "One evaluation form (accuracy, helpfulness, notes) and a QA review of it.",
      nodes: [
        { key: "evaluate", kind: "task", name: "Evaluate the answer", form: { criteria } },
        { key: "qa", kind: "review", name: "QA review", reviews: "evaluate" },
        { key: "done", kind: "end", name: "Done" },
      ],
    },
  });
  const model = await db.llmModel.create({ data: { orgId, name: "Support model", provider: "openai", modelId: "gpt-4o-mini", createdAt: since, updatedAt: since } });
  const agent = await db.agent.create({
    data: {
      projectId: ctx.projectId,
      name: "support-assistant v2.3",
      description: "The online store's customer support assistant",
      modelId: model.id,
      promptId: prompt.id,
      config: { temperature: 0.2 },
      createdAt: since,
      updatedAt: since,
    },
  });
  const tasks = await db.task.findMany({ where: { projectId: ctx.projectId, runId: null }, orderBy: { createdAt: "asc" } });
  for (const t of tasks) {
    const p = t.payload as { input?: unknown; output?: unknown; conversation?: unknown };
    if (p.input === undefined || p.output === undefined) continue;
    const run = await db.run.create({
      data: {
        id: newId(),
        projectId: ctx.projectId,
        agentId: agent.id,
        pipelineId: t.pipelineId,
        taskId: t.id,
        input: p.input as Prisma.InputJsonValue,
        output: p.output as Prisma.InputJsonValue,
        ...(p.conversation !== undefined ? { trace: p.conversation as Prisma.InputJsonValue } : {}),
        createdAt: t.createdAt,
      },
    });
    await db.task.update({ where: { id: t.id }, data: { runId: run.id } });
  }
};

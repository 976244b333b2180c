// Demo content for the seeded project: the "Support agent review" pipeline
// (Domain Experts evaluate, QA Specialists review) and 30 agent runs of a
// customer-support agent, arrived over the last three weeks (demo-plan.ts says
// when, and what happened to each since: demo-history.ts plays that after the
// seed's transaction). Runs inside the seed's transaction.
import { DEMO_AGE_DAYS, type DemoContext, type DemoExtension } from "../../cli/demo";
import type { Db } from "../../infra/prisma";
import { newId } from "../../queue/ids";
import { insertTasks, type NewTask } from "../tasks/service";
import { planRuns, type Answers, type FateAt, type TaskPlan } from "./demo-plan";
import { pipelineInputSchema, type PipelineInput } from "./schema";
import { insertPipeline } from "./service";

const RUNS: Array<[priority: number, question: string, answer: string]> = [
  [3, "My order #48213 still says 'processing' after 6 days. Where is it?", "I checked order #48213: it shipped yesterday with UPS (1Z999AA10123456784) and should arrive Thursday."],
  [0, "How do I change the email on my account?", "Go to Settings → Account → Email, enter the new address and confirm the link we send you."],
  [2, "I was charged twice for my subscription this month.", "I see two charges of $12.99 on May 3. One is a pending authorization that will drop off within 5 business days."],
  [0, "Can I return shoes I've worn once?", "Yes, within 30 days if they're clean and in the original box. Start the return from Orders → Return item."],
  [1, "The app crashes when I open the camera on Android 14.", "Please update to version 5.2.1, which fixes a camera crash on Android 14. If it persists, clear the app cache."],
  [0, "Do you ship to Canada?", "Yes, we ship to Canada. Delivery takes 5–8 business days and duties are included at checkout."],
  [2, "I never received my refund for order #47102.", "The refund of $64.20 was issued on April 28; banks take 5–10 business days to post it."],
  [0, "What's the difference between Plus and Pro plans?", "Pro adds priority support, 1 TB of storage instead of 200 GB, and team sharing for up to 5 people."],
  [1, "Someone logged into my account from another country!", "I've signed out all sessions and reset your password. Please enable two-factor authentication under Security."],
  [0, "Can I pause my subscription for a month?", "Yes: Settings → Subscription → Pause. You can pause for 1 to 3 months; billing resumes automatically."],
  [0, "Is the blender dishwasher safe?", "The jar and lid are dishwasher safe on the top rack; the base must be wiped clean only."],
  [3, "You sent me the wrong size jacket and I need it for a wedding on Saturday.", "I'm sorry! I've shipped the correct size by overnight delivery at no cost; it arrives Friday. Keep the other one until then."],
  [0, "How do I export my data?", "Go to Settings → Privacy → Export data. We'll email you a download link within 24 hours."],
  [1, "Your website won't accept my card; it says 'declined' but the bank says it's fine.", "This can happen when the billing ZIP doesn't match. Please re-enter the ZIP exactly as on your bank statement."],
  [0, "What are your customer service hours?", "Chat is open 24/7; phone support is available Monday to Friday, 8 am to 8 pm Eastern."],
  [0, "Can I add a gift note to my order?", "Yes, during checkout tick 'This is a gift' and type your note; prices are hidden on the packing slip."],
  [2, "The discount code SPRING20 didn't apply.", "SPRING20 expired on April 30. I've applied a one-time 20% credit to your account for your next order."],
  [0, "How long does the battery last on the X2 headphones?", "Up to 30 hours with noise cancelling on, 40 hours with it off."],
  [1, "I want to cancel my account and delete all my data.", "I can help. Deleting is permanent: your files and history will be removed after 30 days. Shall I start it?"],
  [0, "Do you price match?", "We match prices from major retailers within 14 days of purchase; send us a link to the lower price."],
  [0, "Where can I find my invoice?", "Invoices are under Orders → select the order → Download invoice (PDF)."],
  [2, "My package says delivered but it's not here.", "Please check with neighbours and around the property. If it doesn't turn up in 48 hours, I'll send a replacement."],
  [0, "Can I change my delivery address after ordering?", "If the order hasn't shipped yet, yes: Orders → Change address. Order #48877 has not shipped, so you can still change it."],
  [1, "The product description said waterproof but it leaked in the rain.", "I'm sorry. The X2 is water-resistant (IPX4), not waterproof. I can offer a full refund or an exchange."],
  [0, "How do I reset my password?", "Click 'Forgot password' on the sign-in page and follow the link we email you."],
  [0, "Do you have a student discount?", "Yes, 15% off with a verified student email through our partner UNiDAYS."],
  [2, "I was promised a callback yesterday and nobody called.", "I apologise. I've scheduled a callback for today between 2 and 4 pm and added a note to your case."],
  [0, "Is there a warranty on the coffee machine?", "Two years from the delivery date, covering manufacturing defects."],
  [1, "Your chatbot gave me the wrong return address last week.", "The correct return address is 400 Harbor Way, Building C, Oakland, CA 94607. I've flagged the earlier answer."],
  [0, "Can I order without creating an account?", "Yes, choose 'Check out as guest'; you'll still get order updates by email."],
];

/** The newest runs' fates (newest first); older ones were completed (demo-plan.ts). */
const RECENT: FateAt[] = [
  ["new", 1.5], ["new", 5], ["released", 3], ["new", 14], ["evaluated", 2], ["expired", 20], ["evaluated", 7], ["reworked", 4],
  ["evaluated", 30], ["returned", 10, "alice"], ["done", 1], ["done", 26], ["fixed", 44], ["returned", 52, "admin"], ["done", 60],
];

const NOTES = [
  "Correct, but it could say when the refund will post.",
  "Good tone; a link to the help page would help.",
  "Accurate. Slightly long for chat.",
  "Right answer, but it should have apologised first.",
];
const ANSWERS: Answers = {
  first: (careful, rnd) => {
    if (!careful) return { accuracy: 5, helpful: true };
    const accuracy = 3 + Math.floor(rnd() * 3);
    return { accuracy, helpful: accuracy >= 4 || rnd() < 0.3, ...(rnd() < 0.35 ? { notes: NOTES[Math.floor(rnd() * NOTES.length)]! } : {}) };
  },
  rework: (rnd) => ({ accuracy: rnd() < 0.5 ? 2 : 3, helpful: false, notes: "Re-checked against the conversation: the answer misses what the customer asked." }),
  returnComments: [
    "A 5 is too generous: the answer never checks what the customer actually asked. Please re-rate it.",
    "Marked helpful, but it would not resolve the issue; compare it with the question again.",
    "Please add a note on what the agent got wrong: the agent team needs it to fix the prompt.",
  ],
  passComments: ["Agreed.", "Good catch in the notes.", "Fair rating."],
};

/** When each run arrived and what became of it since, oldest first (the runs' order). */
export const supportPlan = (now: Date): TaskPlan[] => planRuns(now, RUNS.length, RECENT, { reviewer: "rita", answers: ANSWERS, seed: 7, spacingHours: 30 });

/** Inserts a demo pipeline, dated `ageDays` before the seed. */
export async function insertDemoPipeline(db: Db, ctx: DemoContext, input: PipelineInput, ageDays: number) {
  const pipeline = await insertPipeline(db, ctx.projectId, input);
  await db.pipeline.update({ where: { id: pipeline.id }, data: { createdAt: new Date(ctx.now.getTime() - ageDays * 86_400_000) } });
  return pipeline;
}

export const demoPipeline: DemoExtension = async (db, ctx) => {
  const expert = ctx.types["Domain Expert"] ?? null;
  const qa = ctx.types["QA Specialist"] ?? null;
  const pipeline = await insertDemoPipeline(
    db,
    ctx,
    pipelineInputSchema.parse({
      name: "Support agent review",
      nodes: [
        {
          key: "evaluate",
          kind: "task",
          name: "Evaluate the answer",
          contributorTypeId: expert,
          form: {
            criteria: [
              { key: "accuracy", label: "How accurate is the answer?", kind: "rating", min: 1, max: 5, required: true },
              { key: "helpful", label: "Would this answer resolve the customer's issue?", kind: "boolean", required: true },
              { key: "notes", label: "Notes for the agent team", kind: "text" },
            ],
          },
        },
        { key: "qa", kind: "review", name: "QA review", contributorTypeId: qa, reviews: "evaluate" },
        { key: "done", kind: "end", name: "Done" },
      ],
    }),
    DEMO_AGE_DAYS - 1,
  );
  await insertRuns(db, ctx, pipeline, RUNS, supportPlan(ctx.now));
};

/** The runs as tasks at the pipeline's first node, each arrived when its plan says. */
export async function insertRuns(
  db: Db,
  ctx: DemoContext,
  pipeline: { id: string; nodes: Array<{ id: string }> },
  runs: ReadonlyArray<[priority: number, question: string, answer: string]>,
  plan: TaskPlan[],
): Promise<void> {
  const tasks: NewTask[] = runs.map(([priority, question, answer], i) => ({
    id: newId(),
    priority,
    payload: {
      agent: "support-assistant v2.3",
      input: question,
      output: answer,
      conversation: [
        { role: "system", content: "You are the customer support assistant of an online store. Be accurate and brief." },
        { role: "user", content: question },
        { role: "assistant", content: answer },
      ],
      ranAt: plan[i]!.createdAt.toISOString(),
    },
    assignedUserId: null,
    assignedTypeId: null,
    reworkUserId: null,
    runId: null,
    createdAt: plan[i]!.createdAt,
  }));
  await insertTasks(db, { projectId: ctx.projectId, pipelineId: pipeline.id, nodeId: pipeline.nodes[0]!.id, tasks, event: "imported" });
}

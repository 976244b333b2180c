// Demo content for the seeded project: the "Support agent review" pipeline
// (Domain Experts evaluate, QA Specialists review) and ~30 agent runs of a
// customer-support agent waiting at its first node. Runs inside the seed's
// transaction; the Redis state is built afterwards by the rebuild path.
import type { DemoExtension } from "../../cli/demo";
import { newId } from "../../queue/ids";
import { insertTasks, type NewTask } from "../tasks/service";
import { pipelineInputSchema } from "./schema";
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

export const demoPipeline: DemoExtension = async (db, ctx) => {
  const expert = ctx.types["Domain Expert"] ?? null;
  const qa = ctx.types["QA Specialist"] ?? null;
  const pipeline = await insertPipeline(
    db,
    ctx.projectId,
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
  );
  const start = Date.now() - RUNS.length * 7 * 60_000;
  const tasks: NewTask[] = RUNS.map(([priority, question, answer], i) => ({
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
      ranAt: new Date(start + i * 7 * 60_000).toISOString(),
    },
    assignedUserId: null,
    assignedTypeId: null,
    reworkUserId: null,
    runId: null,
    createdAt: new Date(start + i * 7 * 60_000),
  }));
  await insertTasks(db, { projectId: ctx.projectId, pipelineId: pipeline.id, nodeId: pipeline.nodes[0]!.id, tasks, event: "imported" });
};

// GET /api/me/submissions/forms — the questions behind my submitted answers.
// A submission stores answers by criterion key; to show them as the form asked
// them (labels, in form order) the Submitted page reads each node's criteria
// here. Only nodes I have submitted on answer: any other id is left out, exactly
// like one that does not exist (so a form is never shown to someone who has not
// filled it in).
import { z } from "zod";
import { id, type Api } from "../../http/route";
import type { Form } from "../pipelines/form";

const query = z.strictObject({
  nodeIds: z
    .string()
    .max(10_000)
    .transform((s) => [...new Set(s.split(",").map((x) => x.trim()).filter(Boolean))])
    .pipe(z.array(id).max(100))
    .optional()
    .describe("node ids, comma separated (at most 100); without it, every node you submitted on"),
});

const submittedFormSchema = z.object({
  nodeId: z.string(),
  projectId: z.string(),
  name: z.string(),
  criteria: z.array(z.object({ key: z.string(), label: z.string() })).describe("the node's form, in order"),
});

export function registerMyFormsRoute(api: Api) {
  api.add({
    method: "get",
    path: "/api/me/submissions/forms",
    tag: "me",
    summary: "The forms behind your submitted evaluations: for each node you submitted on, its name and its criteria (key and label) in form order",
    query,
    response: z.object({ items: z.array(submittedFormSchema) }),
    async handler({ actor, query, deps }) {
      const mine = await deps.db.submission.findMany({
        where: { userId: actor.userId, orgId: { in: [...actor.orgs.keys()] }, ...(query.nodeIds ? { nodeId: { in: query.nodeIds } } : {}) },
        distinct: ["nodeId"],
        select: { nodeId: true },
      });
      const nodes = await deps.db.pipelineNode.findMany({ where: { id: { in: mine.map((m) => m.nodeId) } }, orderBy: { id: "asc" } });
      return {
        items: nodes.map((n) => ({
          nodeId: n.id,
          projectId: n.projectId,
          name: n.name,
          criteria: ((n.form as Form | null)?.criteria ?? []).map((c) => ({ key: c.key, label: c.label })),
        })),
      };
    },
  });
}

// GET /api/me/submissions/forms: the labels and order of the questions behind a
// contributor's own submissions, for their Submitted page; nothing about nodes
// they have not submitted on.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { client } from "../helpers/http";
import { goodAnswers, importTasks, mustClaim, queueProject, submitAs } from "../helpers/queue";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ config: { RATE_LIMIT_PER_MIN: 100_000 } });
});
afterAll(() => t.close());

describe("the forms of my submissions", () => {
  it("gives each node I submitted on its name and its criteria in form order, and nothing else", async () => {
    const q = await queueProject(t.deps, t.url);
    await importTasks(q, [{ payload: {} }]);
    const [alice, bob] = q.types.Evaluators!.people;
    expect((await submitAs(q, alice!, await mustClaim(q, alice!, "evaluate"), { answers: goodAnswers })).status).toBe(201);

    const evaluate = q.node("evaluate");
    const mine = await client(t.url, alice!.token).get(`/api/me/submissions/forms?nodeIds=${evaluate},${q.node("review")}`);
    expect(mine.status).toBe(200);
    expect(mine.body.items).toEqual([
      {
        nodeId: evaluate,
        projectId: q.project.id,
        name: "Evaluate",
        criteria: [
          { key: "accuracy", label: "Accuracy" },
          { key: "helpful", label: "Helpful?" },
          { key: "tone", label: "Tone" },
          { key: "notes", label: "Notes" },
        ],
      },
    ]);
    expect((await client(t.url, alice!.token).get("/api/me/submissions/forms")).body.items.map((f: { nodeId: string }) => f.nodeId)).toEqual([evaluate]);

    // Bob has submitted nothing: the same node is not his to read here.
    expect((await client(t.url, bob!.token).get(`/api/me/submissions/forms?nodeIds=${evaluate}`)).body.items).toEqual([]);
    // Someone of another org neither.
    const other = await queueProject(t.deps, t.url);
    expect((await client(t.url, other.owner.token).get(`/api/me/submissions/forms?nodeIds=${evaluate}`)).body.items).toEqual([]);
  });

  it("refuses more than 100 node ids", async () => {
    const q = await queueProject(t.deps, t.url);
    const ids = Array.from({ length: 101 }, (_, i) => `n${i}`).join(",");
    const res = await client(t.url, q.owner.token).get(`/api/me/submissions/forms?nodeIds=${ids}`);
    expect(res.status).toBe(400);
  });
});

// The export: JSONL (one task per line with its full history) and CSV (one row
// per task, a column per criterion), the explorer's filters, streamed headers.
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../helpers/app";
import { createWorld } from "../helpers/factories";
import { client } from "../helpers/http";
import { seedPipeline, seedReview, seedSubmission, seedTask } from "../helpers/seed-data";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

async function scene() {
  const w = await createWorld(t.deps);
  const p = await seedPipeline(t.deps, w.project);
  const agent = await t.deps.db.agent.create({ data: { projectId: w.project.id, name: "Bot" } });
  const done = await seedTask(t.deps, w.project, p, { nodeId: p.end.id, status: "completed", payload: { q: "2+2?", a: "4" }, createdAt: new Date("2026-11-01T10:00:00Z") });
  const s1 = await seedSubmission(t.deps, w.project, done.id, p.evaluate.id, w.contributor.id, { accuracy: 2 }, 1);
  await seedReview(t.deps, w.project, { id: s1.id, taskId: done.id }, p.review.id, w.owner.id, "return", 1, "check, \"again\"");
  const s2 = await seedSubmission(t.deps, w.project, done.id, p.evaluate.id, w.contributor.id, { accuracy: 5, notes: "line one\nline two" }, 2);
  await seedReview(t.deps, w.project, { id: s2.id, taskId: done.id }, p.review.id, w.owner.id, "pass", 2);
  const fromRun = await seedTask(t.deps, w.project, p, { createdAt: new Date("2026-11-01T11:00:00Z") });
  const run = await t.deps.db.run.create({
    data: { projectId: w.project.id, agentId: agent.id, pipelineId: p.pipeline.id, taskId: fromRun.id, input: { q: 1 }, output: { a: 2 } },
  });
  await t.deps.db.task.update({ where: { id: fromRun.id }, data: { runId: run.id } });
  return { w, p, agent, run, done, fromRun };
}

describe("export", () => {
  it("JSONL: one line per task with every evaluation and review", async () => {
    const s = await scene();
    const r = await client(t.url, s.w.viewer.token).get(`/api/projects/${s.w.project.id}/export?format=jsonl`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toContain("application/x-ndjson");
    expect(r.headers.get("content-disposition")).toMatch(/attachment; filename="export-.*\.jsonl"/);
    const lines = r.text.trimEnd().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toEqual([s.done.id, s.fromRun.id]);
    const done = lines[0];
    expect(done).toMatchObject({ status: "completed", node: "end", payload: { q: "2+2?", a: "4" }, run: null });
    expect(done.evaluations.map((e: { attempt: number }) => e.attempt)).toEqual([1, 2]);
    expect(done.reviews.map((v: { verdict: string }) => v.verdict)).toEqual(["return", "pass"]);
    expect(lines[1]).toMatchObject({ run: { id: s.run.id, agentId: s.agent.id }, evaluations: [], reviews: [] });
  });

  it("CSV: a column per criterion with the latest answers, the latest verdict, proper quoting", async () => {
    const s = await scene();
    const r = await client(t.url, s.w.owner.token).get(`/api/projects/${s.w.project.id}/export?format=csv`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toContain("text/csv");
    const rows = parse(r.text, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(2);
    expect(Object.keys(rows[0]!)).toEqual(
      expect.arrayContaining(["task_id", "status", "run_id", "agent_id", "payload", "evaluate.accuracy", "evaluate.notes", "evaluate.attempts", "review.verdict", "review.comment"]),
    );
    expect(rows[0]).toMatchObject({
      task_id: s.done.id,
      status: "completed",
      "evaluate.accuracy": "5",
      "evaluate.notes": "line one\nline two",
      "evaluate.attempts": "2",
      "review.verdict": "pass",
      "review.rounds": "2",
      "evaluate.submitted_by": s.w.contributor.name,
    });
    expect(JSON.parse(rows[0]!.payload!)).toEqual({ q: "2+2?", a: "4" });
    expect(rows[1]).toMatchObject({ task_id: s.fromRun.id, run_id: s.run.id, agent_id: s.agent.id, "evaluate.accuracy": "", "review.verdict": "" });
  });

  it("CSV: a cell a spreadsheet would run as a formula is exported as text; JSONL keeps it as it is", async () => {
    const w = await createWorld(t.deps);
    const p = await seedPipeline(t.deps, w.project);
    const task = await seedTask(t.deps, w.project, p, { payload: { q: "x" } });
    const notes = '=HYPERLINK("http://evil.test","x")';
    await seedSubmission(t.deps, w.project, task.id, p.evaluate.id, w.contributor.id, { accuracy: 3, notes }, 1);
    const c = client(t.url, w.owner.token);
    const [row] = parse((await c.get(`/api/projects/${w.project.id}/export?format=csv`)).text, { columns: true }) as Record<string, string>[];
    expect(row!["evaluate.notes"]).toBe(`'${notes}`);
    expect(row!["evaluate.accuracy"]).toBe("3");
    expect(row!["evaluate.safe"]).toBe("");
    const [line] = (await c.get(`/api/projects/${w.project.id}/export?format=jsonl`)).text.trimEnd().split("\n");
    expect(JSON.parse(line!).evaluations[0].answers.notes).toBe(notes);
  });

  it("CSV: a cell holding `;` is quoted, so a `;`-separated reading cannot split a formula out of it", async () => {
    const w = await createWorld(t.deps);
    const p = await seedPipeline(t.deps, w.project);
    const task = await seedTask(t.deps, w.project, p, { payload: { q: "x" } });
    const notes = "a;=1+2;@SUM(1);-3;+4";
    const s1 = await seedSubmission(t.deps, w.project, task.id, p.evaluate.id, w.contributor.id, { accuracy: 3, notes }, 1);
    await seedReview(t.deps, w.project, { id: s1.id, taskId: task.id }, p.review.id, w.owner.id, "pass", 1, "=SUM(1;2)");
    const text = (await client(t.url, w.owner.token).get(`/api/projects/${w.project.id}/export?format=csv`)).text;
    const [row] = parse(text, { columns: true }) as Record<string, string>[];
    // What follows a `;` is neutralised as a cell's start is (see the next test).
    expect(row!["evaluate.notes"]).toBe("a;'=1+2;'@SUM(1);'-3;'+4");
    // Neutralised as a whole, then quoted: the apostrophe leads the one cell.
    expect(row!["review.comment"]).toBe("'=SUM(1;2)");
    expect(text).toContain(`"'=SUM(1;2)"`);
    // A reader told to split at both (honouring quotes after a `,`) reads every cell as text.
    const cells = (parse(text, { delimiter: [",", ";"], relax_column_count: true }) as string[][]).flat();
    expect(cells).toContain("a;'=1+2;'@SUM(1);'-3;'+4");
    expect(cells.filter((c) => /^[=+\-@\t\r]/.test(c))).toEqual([]);
  });

  it("CSV read by a spreadsheet in a `;` locale (it splits every line at `;`, a quote counting only at a field's start): no formula cell", async () => {
    const w = await createWorld(t.deps);
    const p = await seedPipeline(t.deps, w.project);
    const payload = { q: "x;=HYPERLINK(1);y" };
    const task = await seedTask(t.deps, w.project, p, { payload });
    const notes = "a;=1+2;@SUM(1);-3;+4";
    await seedSubmission(t.deps, w.project, task.id, p.evaluate.id, w.contributor.id, { accuracy: 3, notes }, 1);
    const text = (await client(t.url, w.owner.token).get(`/api/projects/${w.project.id}/export?format=csv`)).text;
    // What such a spreadsheet makes of the file: a `,` file's `"` opens no field here (those fields start mid-line).
    const cells = (parse(text, { delimiter: ";", quote: false, relax_column_count: true }) as string[][]).flat();
    expect(cells.filter((c) => /^[=+\-@\t\r]/.test(c))).toEqual([]);
    // Read as meant (`,`): the payload is the same JSON, the text as neutralised as a cell starting with `=` is.
    const [row] = parse(text, { columns: true }) as Record<string, string>[];
    expect(JSON.parse(row!.payload!)).toEqual(payload);
    expect(row!["evaluate.notes"]).toBe("a;'=1+2;'@SUM(1);'-3;'+4");
  });

  it("CSV: a yes/no answer reads true or false, never an empty cell", async () => {
    const w = await createWorld(t.deps);
    const p = await seedPipeline(t.deps, w.project);
    const no = await seedTask(t.deps, w.project, p, { payload: { q: "no" } });
    const yes = await seedTask(t.deps, w.project, p, { payload: { q: "yes" } });
    await seedSubmission(t.deps, w.project, no.id, p.evaluate.id, w.contributor.id, { accuracy: 2, safe: false }, 1);
    await seedSubmission(t.deps, w.project, yes.id, p.evaluate.id, w.contributor.id, { accuracy: 4, safe: true }, 1);
    const rows = parse((await client(t.url, w.owner.token).get(`/api/projects/${w.project.id}/export?format=csv`)).text, { columns: true }) as Record<string, string>[];
    const safe = Object.fromEntries(rows.map((r) => [r.task_id, r["evaluate.safe"]]));
    expect(safe).toEqual({ [no.id]: "false", [yes.id]: "true" });
  });

  it("takes the explorer's filters; an empty export still has its header", async () => {
    const s = await scene();
    const c = client(t.url, s.w.owner.token);
    const base = `/api/projects/${s.w.project.id}/export`;
    const runs = (await c.get(`${base}?format=jsonl&agentId=${s.agent.id}`)).text.trimEnd().split("\n");
    expect(runs.map((l) => JSON.parse(l).id)).toEqual([s.fromRun.id]);
    const none = await c.get(`${base}?format=csv&status=claimed`);
    expect(parse(none.text)).toHaveLength(1);
    expect((await c.get(`${base}?format=jsonl&status=claimed`)).text).toBe("");
    expect((await c.get(`${base}?format=xml`)).status).toBe(400);
  });

  it("is for Owners, Viewers and Org Admins of the project", async () => {
    const s = await scene();
    const path = `/api/projects/${s.w.project.id}/export?format=csv`;
    expect((await client(t.url, s.w.contributor.token).get(path)).status).toBe(403);
    expect((await client(t.url, s.w.member.token).get(path)).status).toBe(403);
    expect((await client(t.url, s.w.other.admin.token).get(path)).status).toBe(404);
    expect((await client(t.url).get(path)).status).toBe(401);
  });
});

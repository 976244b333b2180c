// Settings edits that race each other must not lose one another's change: an
// edit reads the item, then writes what it computed from it (a prompt's next
// version, a criterion's whole shape, an API key's revocation). Each race is
// made deterministic by a row lock the test holds in its own transaction: both
// edits arrive and wait, then the lock is released and they run in turn.
import { describe, expect, it } from "vitest";
import { createWorld } from "../helpers/factories";
import { client, type Res } from "../helpers/http";
import { holdRow } from "../helpers/locks";
import { raceApp } from "../helpers/races";

const t = raceApp();
const { until } = t;

/** Sends the edits one after another, each waiting on the held row before the next is sent. */
async function editsInLine(table: string, id: string, edits: Array<() => Promise<Res>>) {
  const lock = await holdRow(table, id);
  const answers: Promise<Res>[] = [];
  try {
    for (const [i, edit] of edits.entries()) {
      answers.push(edit());
      await until(lock.pid, i + 1);
    }
  } finally {
    await lock.release();
  }
  return Promise.all(answers);
}

describe("concurrent settings edits", () => {
  it("two text edits of a prompt both become versions", async () => {
    const w = await createWorld(t.deps);
    const admin = client(t.url, w.admin.token);
    const base = `/api/orgs/${w.org.id}/prompts`;
    const p = await admin.post(base, { name: "Judge", text: "first" });
    const answers = await editsInLine("Prompt", p.body.id, [
      () => admin.patch(`${base}/${p.body.id}`, { text: "second" }),
      () => admin.patch(`${base}/${p.body.id}`, { text: "third" }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    const r = await admin.get(`${base}/${p.body.id}`);
    expect(r.body.text).toBe("third");
    expect(r.body.versions.map((v: { version: number; text: string }) => [v.version, v.text])).toEqual([
      [1, "first"],
      [2, "second"],
      [3, "third"],
    ]);
  });

  it("a label edit does not undo a kind change made meanwhile", async () => {
    const w = await createWorld(t.deps);
    const admin = client(t.url, w.admin.token);
    const base = `/api/orgs/${w.org.id}/evaluation-criteria`;
    const c = await admin.post(base, { key: "tone", label: "Tone", kind: "rating", min: 1, max: 5 });
    const answers = await editsInLine("EvaluationCriterion", c.body.id, [
      () => admin.patch(`${base}/${c.body.id}`, { kind: "choice", options: ["calm", "rude"] }),
      () => admin.patch(`${base}/${c.body.id}`, { label: "Tone of voice" }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect((await admin.get(`${base}/${c.body.id}`)).body).toMatchObject({
      label: "Tone of voice",
      kind: "choice",
      options: ["calm", "rude"],
      min: null,
      max: null,
    });
  });

  it("an API key revoked twice at once is revoked once: one time, one audit entry", async () => {
    const w = await createWorld(t.deps);
    const admin = client(t.url, w.admin.token);
    const base = `/api/orgs/${w.org.id}/api-keys`;
    const k = await admin.post(base, { name: "ci" });
    const answers = await editsInLine("ApiKey", k.body.id, [() => admin.delete(`${base}/${k.body.id}`), () => admin.delete(`${base}/${k.body.id}`)]);
    expect(answers.map((a) => a.status)).toEqual([204, 204]);
    const audit = await t.deps.db.auditEntry.findMany({ where: { resourceId: k.body.id, action: "api_key.revoke" } });
    expect(audit).toHaveLength(1);
    const row = await t.deps.db.apiKey.findUniqueOrThrow({ where: { id: k.body.id } });
    expect(row.revokedAt?.toISOString()).toBe((audit[0]!.after as { revokedAt: string }).revokedAt);
  });
});

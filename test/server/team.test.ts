// A project's team over HTTP: adding someone by email says what to do when the
// organization has no such person (invite them first), and treats a person of
// another organization exactly like no one.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorld } from "../helpers/factories";
import { startTestApp, type TestApp } from "../helpers/app";
import { client } from "../helpers/http";

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe("adding a member by email", () => {
  it("tells the owner to invite someone the organization does not have", async () => {
    const w = await createWorld(t.deps);
    const owner = client(t.url, w.owner.token);
    const path = `/api/projects/${w.project.id}/members`;
    const unknown = await owner.post(path, { email: "nobody-here@test.local", role: "viewer" });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: "not_found", message: "No one in this organization has that email: invite them on the People page first." });
    const elsewhere = await owner.post(path, { email: w.other.admin.email, role: "viewer" });
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body.error.message).toBe(unknown.body.error.message);
    expect((await owner.post(path, { email: w.member.email, role: "viewer" })).status).toBe(201);
  });
});

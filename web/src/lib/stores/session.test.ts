/// <reference types="node" />
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { api } from "../api/client";
import { DRAFT_MAX_AGE_MS, loadDraft, saveDraft } from "../forms/drafts";
import { session, tokenExpiry } from "./session.svelte";

const jwt = (payload: object) => `h.${btoa(JSON.stringify(payload)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}.s`;

describe("tokenExpiry", () => {
  it("reads exp from a JWT, and nothing from garbage", () => {
    expect(tokenExpiry(jwt({ sub: "u", exp: 1_900_000_000 }))).toBe(1_900_000_000);
    expect(tokenExpiry(jwt({ sub: "u" }))).toBeNull();
    expect(tokenExpiry("pk_live_key")).toBeNull();
    expect(tokenExpiry("a.%%%.c")).toBeNull();
  });
});

describe("a password change", () => {
  const old = jwt({ sub: "u1", sv: 0, exp: 4_000_000_000 });
  const fresh = jwt({ sub: "u1", sv: 1, exp: 4_000_000_000 });
  const me = { user: { id: "u1", email: "ada@x.test", name: "Ada" }, orgs: [], projects: [], personas: ["contributor"] };
  let server: Server;
  let answer: (() => void) | null = null;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const json = (status: number, v: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(v));
      };
      const auth = req.headers.authorization;
      if (req.url === "/api/me") return auth === `Bearer ${fresh}` || auth === `Bearer ${old}` ? json(200, me) : json(401, { error: { code: "unauthenticated", message: "No." } });
      // Held until the test lets it go: the end of the old session is heard first.
      if (req.url === "/api/me/password") return void (answer = () => json(200, { token: fresh, user: me.user }));
      json(404, { error: { code: "not_found", message: "No." } });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    api.base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => {
    api.base = "";
    session.logout();
    return new Promise<void>((r) => server.close(() => r()));
  });

  it("takes the fresh token; the end of the old session it caused, heard before the answer, does not sign this tab out", async () => {
    localStorage.setItem("pipelines.token", old);
    await session.restore();
    expect(session.me?.user.id).toBe("u1");

    const changing = session.changePassword("current-one", "the-new-one");
    await vi.waitFor(() => expect(answer).not.toBeNull());
    const ended = session.ended(old);
    answer!();
    await Promise.all([changing, ended]);
    expect(session.token).toBe(fresh);
    expect(api.token).toBe(fresh);
    expect(session.me).not.toBeNull();
    expect(localStorage.getItem("pipelines.token")).toBe(fresh);

    // Another tab's sign-out of its older token leaves the newer one stored.
    localStorage.setItem("pipelines.token", "newer-from-another-tab");
    await session.ended(fresh);
    expect(session.me).toBeNull();
    expect(session.notice).toMatch(/session ended/);
    expect(localStorage.getItem("pipelines.token")).toBe("newer-from-another-tab");
    localStorage.removeItem("pipelines.token");
  });
});

describe("drafts and who is signed in", () => {
  const alice = jwt({ sub: "alice", sv: 0, exp: 4_000_000_000 });
  const bob = jwt({ sub: "bob", sv: 0, exp: 4_000_000_000 });
  const meOf = (id: string) => ({ user: { id, email: `${id}@x.test`, name: id }, orgs: [], projects: [], personas: ["contributor"] });
  let server: Server;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const who = req.headers.authorization === `Bearer ${alice}` ? "alice" : req.headers.authorization === `Bearer ${bob}` ? "bob" : null;
      const json = (status: number, v?: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(v === undefined ? undefined : JSON.stringify(v));
      };
      if (!who) return json(401, { error: { code: "unauthenticated", message: "No." } });
      if (req.url === "/api/me/sign-out-everywhere") return json(204);
      json(200, meOf(who));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    api.base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => {
    api.base = "";
    session.logout();
    localStorage.clear();
    return new Promise<void>((r) => server.close(() => r()));
  });

  async function signIn(token: string) {
    localStorage.setItem("pipelines.token", token);
    await session.restore();
  }

  it("never shows one user's draft to the next person signed in on this browser", async () => {
    await signIn(alice);
    // Alice types, loses the claim, and signs out.
    saveDraft(localStorage, session.user?.id, "t1", "n1", { notes: "Alice's half-written notes" });
    session.logout();
    await signIn(bob);
    // Bob claims the same task: the page restores the draft for the task and node.
    expect(loadDraft(localStorage, session.user?.id, "t1", "n1")).toBeNull();
    expect(localStorage.getItem("pipelines.draft.alice.t1.n1")).toBeNull(); // gone with her sign-out
    session.logout();
  });

  it("keeps a draft through a session that ends on its own, for the same user only", async () => {
    await signIn(alice);
    saveDraft(localStorage, session.user?.id, "t2", "n1", { notes: "typed before the session ended" });
    await session.ended(alice); // session:expired, or a 401
    expect(session.me).toBeNull();
    await signIn(bob);
    expect(loadDraft(localStorage, session.user?.id, "t2", "n1")).toBeNull();
    session.logout(); // Bob's sign-out takes only Bob's drafts
    await signIn(alice);
    expect(loadDraft(localStorage, session.user?.id, "t2", "n1")).toEqual({ notes: "typed before the session ended" });
  });

  it("clears the user's drafts when they sign out everywhere", async () => {
    await signIn(alice);
    saveDraft(localStorage, "alice", "t3", "n1", { notes: "x" });
    await session.signOutEverywhere();
    expect(session.me).toBeNull();
    expect(loadDraft(localStorage, "alice", "t3", "n1")).toBeNull();
  });

  it("drops drafts untouched for a week when the app starts", async () => {
    saveDraft(localStorage, "alice", "t4", "n1", { notes: "old" }, Date.now() - DRAFT_MAX_AGE_MS - 60_000);
    saveDraft(localStorage, "alice", "t5", "n1", { notes: "recent" });
    await signIn(alice);
    expect(loadDraft(localStorage, "alice", "t4", "n1")).toBeNull();
    expect(loadDraft(localStorage, "alice", "t5", "n1")).toEqual({ notes: "recent" });
    session.logout();
  });
});

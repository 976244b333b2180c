import { beforeEach, describe, expect, it } from "vitest";
import { clearDraft, clearDrafts, DRAFT_MAX_AGE_MS, loadDraft, pruneDrafts, saveDraft } from "./drafts";

beforeEach(() => localStorage.clear());

describe("drafts", () => {
  it("survive per user, task and node until cleared", () => {
    saveDraft(localStorage, "alice", "t1", "n1", { notes: "half-typed" });
    expect(loadDraft(localStorage, "alice", "t1", "n1")).toEqual({ notes: "half-typed" });
    expect(loadDraft(localStorage, "alice", "t1", "n2")).toBeNull();
    clearDraft(localStorage, "alice", "t1", "n1");
    expect(loadDraft(localStorage, "alice", "t1", "n1")).toBeNull();
  });

  it("are never another user's, and nobody's with no one signed in", () => {
    saveDraft(localStorage, "alice", "t1", "n1", { notes: "Alice's" });
    expect(loadDraft(localStorage, "bob", "t1", "n1")).toBeNull();
    expect(loadDraft(localStorage, null, "t1", "n1")).toBeNull();
    saveDraft(localStorage, null, "t1", "n1", { notes: "whose?" });
    expect(localStorage.length).toBe(1);
  });

  it("of one user go together (their sign-out), leaving the others'", () => {
    saveDraft(localStorage, "alice", "t1", "n1", { a: 1 });
    saveDraft(localStorage, "alice", "t2", "n1", { a: 2 });
    saveDraft(localStorage, "bob", "t1", "n1", { b: 1 });
    localStorage.setItem("pipelines.token", "kept");
    clearDrafts(localStorage, "alice");
    expect(loadDraft(localStorage, "alice", "t1", "n1")).toBeNull();
    expect(loadDraft(localStorage, "alice", "t2", "n1")).toBeNull();
    expect(loadDraft(localStorage, "bob", "t1", "n1")).toEqual({ b: 1 });
    expect(localStorage.getItem("pipelines.token")).toBe("kept");
  });

  it("go after a week untouched, and so do drafts of no known user", () => {
    const now = Date.parse("2026-06-15T10:00:00Z");
    saveDraft(localStorage, "alice", "old", "n1", { a: 1 }, now - DRAFT_MAX_AGE_MS - 1);
    saveDraft(localStorage, "alice", "recent", "n1", { a: 2 }, now - DRAFT_MAX_AGE_MS + 60_000);
    localStorage.setItem("pipelines.draft.t9.n1", JSON.stringify({ notes: "from before drafts had a user" }));
    localStorage.setItem("pipelines.draft.alice.t8.n1", "{not json");
    pruneDrafts(localStorage, now);
    expect(loadDraft(localStorage, "alice", "old", "n1")).toBeNull();
    expect(loadDraft(localStorage, "alice", "recent", "n1")).toEqual({ a: 2 });
    expect(localStorage.getItem("pipelines.draft.t9.n1")).toBeNull();
    expect(localStorage.getItem("pipelines.draft.alice.t8.n1")).toBeNull();
  });

  it("ignore a corrupt draft", () => {
    localStorage.setItem("pipelines.draft.alice.t2.n1", "{not json");
    expect(loadDraft(localStorage, "alice", "t2", "n1")).toBeNull();
  });
});

// Drafts of a claim's answers in localStorage: they survive a reload, a lost claim
// and an ended session (PRODUCT: the text typed is not lost), kept per user, task
// and node, so the next person signed in on this browser never sees them. An
// explicit sign-out clears the user's drafts; any draft left untouched for a week goes.
import type { Answers } from "./answers";

const PREFIX = "pipelines.draft.";
/** Drafts not saved for this long are dropped (at start and at sign-in). */
export const DRAFT_MAX_AGE_MS = 7 * 86_400_000;

interface Stored {
  savedAt: number;
  answers: Answers;
}

export const draftKey = (userId: string, taskId: string, nodeId: string) => `${PREFIX}${userId}.${taskId}.${nodeId}`;

function read(raw: string | null): Stored | null {
  try {
    const v = raw ? JSON.parse(raw) : null;
    const ok = v && typeof v === "object" && typeof v.savedAt === "number" && v.answers && typeof v.answers === "object" && !Array.isArray(v.answers);
    return ok ? (v as Stored) : null;
  } catch {
    return null;
  }
}

/** The user's draft for a task at a node; null with nobody signed in. */
export function loadDraft(storage: Storage, userId: string | null | undefined, taskId: string, nodeId: string): Answers | null {
  if (!userId) return null;
  return read(storage.getItem(draftKey(userId, taskId, nodeId)))?.answers ?? null;
}

export function saveDraft(storage: Storage, userId: string | null | undefined, taskId: string, nodeId: string, answers: Answers, now = Date.now()) {
  if (!userId) return;
  try {
    storage.setItem(draftKey(userId, taskId, nodeId), JSON.stringify({ savedAt: now, answers } satisfies Stored));
  } catch {
    // storage full or disabled: the answers are still on screen
  }
}

export function clearDraft(storage: Storage, userId: string | null | undefined, taskId: string, nodeId: string) {
  if (userId) storage.removeItem(draftKey(userId, taskId, nodeId));
}

function draftKeys(storage: Storage): string[] {
  const keys: string[] = [];
  for (let i = 0; i < storage.length; i++) {
    const k = storage.key(i);
    if (k?.startsWith(PREFIX)) keys.push(k);
  }
  return keys;
}

/** Every draft of one user (their explicit sign-out). */
export function clearDrafts(storage: Storage, userId: string) {
  for (const k of draftKeys(storage)) if (k.startsWith(`${PREFIX}${userId}.`)) storage.removeItem(k);
}

/**
 * Drops drafts older than `maxAgeMs`, and those of no known user or shape (kept
 * before drafts carried their user: they could be anyone's).
 */
export function pruneDrafts(storage: Storage, now = Date.now(), maxAgeMs = DRAFT_MAX_AGE_MS) {
  for (const k of draftKeys(storage)) {
    const d = read(storage.getItem(k));
    if (!d || k.slice(PREFIX.length).split(".").length !== 3 || now - d.savedAt > maxAgeMs) storage.removeItem(k);
  }
}

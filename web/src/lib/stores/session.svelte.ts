// The signed-in session: the token (kept in localStorage so a reload stays
// signed in), the account from /api/me, and sign-in / sign-out. A password change
// ends every other session and answers a fresh token, which this tab takes, and so do
// this browser's other tabs (they hear it through localStorage's storage event).
// Drafts: an explicit sign-out (here or everywhere) clears the user's; a session that
// ends on its own keeps them for that user's next sign-in (they are kept per user).
import { api, ApiError } from "../api/client";
import type { Me, Session } from "../api/types";
import { clearDrafts, pruneDrafts } from "../forms/drafts";

const TOKEN_KEY = "pipelines.token";
/** Where the work store keeps the claims this tab opened (stores/work.svelte.ts). */
export const OPENED_CLAIM_PREFIX = "pipelines.work.";

function clearOpenedClaims(storage: Storage) {
  try {
    const keys = Array.from({ length: storage.length }, (_, i) => storage.key(i)).filter((k): k is string => !!k?.startsWith(OPENED_CLAIM_PREFIX));
    for (const k of keys) storage.removeItem(k);
  } catch {
    // storage unavailable: nothing was kept there
  }
}

function claimsOf(token: string): Record<string, unknown> | null {
  try {
    const part = token.split(".")[1];
    if (!part) return null;
    const json = JSON.parse(atob(part.replace(/-/g, "+").replace(/_/g, "/")));
    return json && typeof json === "object" ? json : null;
  } catch {
    return null;
  }
}

/** Seconds-since-epoch expiry of a JWT, or null when it cannot be read. */
export function tokenExpiry(token: string): number | null {
  const exp = claimsOf(token)?.exp;
  return typeof exp === "number" ? exp : null;
}

/** The account a JWT signs in (its `sub`), or null. */
export function tokenSubject(token: string): string | null {
  const sub = claimsOf(token)?.sub;
  return typeof sub === "string" ? sub : null;
}

class SessionStore {
  token = $state<string | null>(null);
  me = $state<Me | null>(null);
  /** Why the user landed on the sign-in page (e.g. the session expired). */
  notice = $state<string | null>(null);
  ready = $state(false);
  private expiryTimer: ReturnType<typeof setTimeout> | undefined;
  private endHooks: (() => void)[] = [];
  /** A password change in flight: the session it ends is this tab's too, and the answer replaces it. */
  private changing: Promise<unknown> | null = null;

  constructor() {
    api.onUnauthenticated = (token) => void this.ended(token);
    if (typeof window !== "undefined") window.addEventListener("storage", (e) => void this.adopt(e));
  }

  get user() {
    return this.me?.user ?? null;
  }

  /** Restores the stored session at start; a stale token just signs out. */
  async restore() {
    pruneDrafts(localStorage);
    const stored = localStorage.getItem(TOKEN_KEY);
    if (stored && !this.expired(stored)) {
      this.setToken(stored);
      try {
        await this.refresh();
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 401)) throw err;
      }
    } else if (stored) {
      localStorage.removeItem(TOKEN_KEY);
    }
    this.ready = true;
  }

  async login(email: string, password: string) {
    const s = await api.post<Session>("/api/auth/login", { email, password });
    await this.start(s);
  }

  async acceptInvite(token: string, password: string, name?: string) {
    const s = await api.post<Session>("/api/auth/accept-invite", { token, password, ...(name ? { name } : {}) });
    await this.start(s);
  }

  /** Changes the password: every other session ends; this one goes on with the fresh token answered. */
  async changePassword(currentPassword: string, newPassword: string) {
    const p = api.post<Session>("/api/me/password", { currentPassword, newPassword });
    this.changing = p;
    try {
      const s = await p;
      this.store(s.token);
      this.setToken(s.token);
    } finally {
      if (this.changing === p) this.changing = null;
    }
  }

  /**
   * The server ended the session of `token` (a 401 to a request that carried it, the socket's
   * `session:expired`): signed out, unless this tab has a newer token by then (its own password
   * change, whose answer may come after the end it caused).
   */
  async ended(token: string | null) {
    if (this.changing) await this.changing.catch(() => {});
    if (this.token && token === this.token) this.drop("Your session ended. Sign in again to continue.");
  }

  /** Ends every session of the account, this one too. */
  async signOutEverywhere() {
    // The socket's session:expired may end this session before the answer comes: whose drafts go is read first.
    const userId = this.user?.id;
    await api.post("/api/me/sign-out-everywhere");
    if (userId) clearDrafts(localStorage, userId);
    this.logout("You signed out everywhere. Sign in again to continue.");
  }

  /** Sets a new password with a reset link an admin handed on, and signs in. */
  async useResetLink(token: string, password: string) {
    const s = await api.post<Session>(`/api/auth/password-resets/${encodeURIComponent(token)}`, { password });
    await this.start(s);
  }

  /** Reloads /api/me (roles may change while signed in). */
  async refresh() {
    this.me = await api.get<Me>("/api/me");
  }

  /**
   * Signs out on the user's word (here, or everywhere): their drafts go too, since
   * the next person at this browser is not them.
   */
  logout(notice: string | null = null) {
    const userId = this.me?.user.id ?? (this.token ? tokenSubject(this.token) : null);
    if (userId) clearDrafts(localStorage, userId);
    this.drop(notice);
  }

  /** Called whenever a session ends: the stores holding what it saw forget it. */
  onEnd(fn: () => void) {
    this.endHooks.push(fn);
  }

  /**
   * The session ended without the user asking (expired, ended elsewhere): their drafts stay for their
   * next sign-in. The claims this tab opened (token and payload) do not: the next person in this tab may
   * be someone else, and the same person reads their claims from the server again.
   */
  private drop(notice: string | null) {
    clearTimeout(this.expiryTimer);
    clearOpenedClaims(sessionStorage);
    for (const fn of this.endHooks) fn();
    // Not a newer token another tab stored meanwhile (it changed the password, or signed in again).
    if (localStorage.getItem(TOKEN_KEY) === this.token) localStorage.removeItem(TOKEN_KEY);
    api.token = null;
    this.token = null;
    this.me = null;
    this.notice = notice;
  }

  private async start(s: Session) {
    this.notice = null;
    pruneDrafts(localStorage);
    this.store(s.token);
    this.setToken(s.token);
    await this.refresh();
  }

  private store(token: string) {
    localStorage.setItem(TOKEN_KEY, token);
  }

  /** Another tab of this browser stored a new token (a sign-in, a password change): this tab takes it too. */
  private async adopt(e: StorageEvent) {
    if (e.key !== TOKEN_KEY || !e.newValue || e.newValue === this.token || this.expired(e.newValue)) return;
    this.notice = null;
    this.setToken(e.newValue);
    try {
      await this.refresh();
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) throw err;
    }
  }

  private setToken(token: string) {
    api.token = token;
    this.token = token;
    clearTimeout(this.expiryTimer);
    const exp = tokenExpiry(token);
    if (exp) {
      const ms = exp * 1000 - Date.now();
      // Timers above ~24.8 days overflow; tokens live at most 12 h.
      if (ms > 0 && ms < 2 ** 31) this.expiryTimer = setTimeout(() => this.expire(), ms);
    }
  }

  private expired(token: string) {
    const exp = tokenExpiry(token);
    return exp !== null && exp * 1000 <= Date.now();
  }

  private expire() {
    if (this.token) this.drop("Your session ended. Sign in again to continue.");
  }
}

export const session = new SessionStore();

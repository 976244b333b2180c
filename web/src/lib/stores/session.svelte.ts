// The signed-in session: the token (kept in localStorage so a reload stays
// signed in), the account from /api/me, and sign-in / sign-out.
import { api, ApiError } from "../api/client";
import type { Me, Session } from "../api/types";

const TOKEN_KEY = "pipelines.token";

/** Seconds-since-epoch expiry of a JWT, or null when it cannot be read. */
export function tokenExpiry(token: string): number | null {
  try {
    const part = token.split(".")[1];
    if (!part) return null;
    const json = JSON.parse(atob(part.replace(/-/g, "+").replace(/_/g, "/")));
    return typeof json.exp === "number" ? json.exp : null;
  } catch {
    return null;
  }
}

class SessionStore {
  token = $state<string | null>(null);
  me = $state<Me | null>(null);
  /** Why the user landed on the sign-in page (e.g. the session expired). */
  notice = $state<string | null>(null);
  ready = $state(false);
  private expiryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    api.onUnauthenticated = () => this.expire();
  }

  get user() {
    return this.me?.user ?? null;
  }

  /** Restores the stored session at start; a stale token just signs out. */
  async restore() {
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

  /** Reloads /api/me (roles may change while signed in). */
  async refresh() {
    this.me = await api.get<Me>("/api/me");
  }

  logout(notice: string | null = null) {
    clearTimeout(this.expiryTimer);
    localStorage.removeItem(TOKEN_KEY);
    api.token = null;
    this.token = null;
    this.me = null;
    this.notice = notice;
  }

  private async start(s: Session) {
    this.notice = null;
    localStorage.setItem(TOKEN_KEY, s.token);
    this.setToken(s.token);
    await this.refresh();
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
    if (this.token) this.logout("Your session ended. Sign in again to continue.");
  }
}

export const session = new SessionStore();

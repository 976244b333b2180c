// The one typed fetch client. Every call goes through request(): it adds the
// session token, sends JSON (or CSV), and turns the API's error shape
// {error:{code,message,details}} into an ApiError the UI can show as is.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Reads the API's error body; anything else (a proxy page, no body) becomes a plain sentence. */
export function toApiError(status: number, body: unknown): ApiError {
  const e = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  if (e && typeof e.code === "string") {
    const message = typeof e.message === "string" ? e.message : e.code;
    const details = e.details && typeof e.details === "object" ? (e.details as Record<string, unknown>) : undefined;
    return new ApiError(status, e.code, message, details);
  }
  if (status === 0) return new ApiError(0, "network", "The server cannot be reached. Check your connection and try again.");
  return new ApiError(status, status >= 500 ? "internal" : "http_" + status, `The server answered ${status}.`);
}

export interface RequestOptions {
  /** Raw body with its own content type (e.g. CSV import). */
  raw?: { body: string; contentType: string };
  /** Return the response text instead of parsing JSON (exports). */
  text?: boolean;
  signal?: AbortSignal;
}

type Query = Record<string, string | number | boolean | null | undefined>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}${path.includes("?") ? "&" : "?"}${s}` : path;
}

export class ApiClient {
  token: string | null = null;
  /** Called when the server says the session is no longer valid (401), with the token the request carried. */
  onUnauthenticated: ((token: string) => void) | null = null;

  /** "" in the app (same origin); tests point it at a local server. */
  constructor(public base = "") {}

  async request<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    // The token this request carries: by its answer the session may have a newer one.
    const sent = this.token;
    if (sent) headers.authorization = `Bearer ${sent}`;
    let payload: string | undefined;
    if (opts.raw) {
      payload = opts.raw.body;
      headers["content-type"] = opts.raw.contentType;
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers["content-type"] = "application/json";
    }
    let res: Response;
    try {
      res = await fetch(this.base + path, { method, headers, body: payload, signal: opts.signal });
    } catch (err) {
      if ((err as Error).name === "AbortError") throw err;
      throw toApiError(0, null);
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    if (res.ok && opts.text) return text as T;
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    if (!res.ok) {
      const err = toApiError(res.status, parsed);
      // A login attempt answering 401 is a wrong password, not a lost session.
      if (res.status === 401 && sent && !path.startsWith("/api/auth/")) this.onUnauthenticated?.(sent);
      throw err;
    }
    return parsed as T;
  }

  get<T>(path: string, query?: Query, opts?: RequestOptions) {
    return this.request<T>("GET", withQuery(path, query), undefined, opts);
  }
  post<T>(path: string, body?: unknown, opts?: RequestOptions) {
    return this.request<T>("POST", path, body ?? {}, opts);
  }
  patch<T>(path: string, body: unknown) {
    return this.request<T>("PATCH", path, body);
  }
  del<T = void>(path: string, body?: unknown) {
    return this.request<T>("DELETE", path, body);
  }
}

export const api = new ApiClient();

/** A human sentence for any thrown value. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

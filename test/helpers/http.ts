// A small HTTP client for tests: real requests against the started server.
export interface Res<T = any> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

export function client(base: string, token?: string) {
  const call = async <T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res<T>> => {
    const h: Record<string, string> = { ...headers };
    if (token) h.authorization = `Bearer ${token}`;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === "string" ? body : JSON.stringify(body);
      h["content-type"] ??= "application/json";
    }
    const r = await fetch(base + path, { method, headers: h, body: payload });
    const text = await r.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: r.status, body: parsed as T, headers: r.headers, text };
  };
  return {
    get: <T = any>(p: string) => call<T>("GET", p),
    post: <T = any>(p: string, b?: unknown, h?: Record<string, string>) => call<T>("POST", p, b ?? {}, h),
    patch: <T = any>(p: string, b?: unknown) => call<T>("PATCH", p, b ?? {}),
    put: <T = any>(p: string, b?: unknown) => call<T>("PUT", p, b ?? {}),
    delete: <T = any>(p: string, b?: unknown) => call<T>("DELETE", p, b),
    call,
  };
}
export type Client = ReturnType<typeof client>;

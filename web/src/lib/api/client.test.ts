/// <reference types="node" />
// The fetch client against a real local HTTP server (no fetch stubs): what it
// sends, and how the API's answers and errors come back.
import { createServer, type IncomingMessage, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, ApiError, toApiError, withQuery } from "./client";

let server: Server;
let base = "";
const seen: { method: string; url: string; auth?: string; type?: string; body: string }[] = [];

const read = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let b = "";
    req.on("data", (c) => (b += c));
    req.on("end", () => resolve(b));
  });

beforeAll(async () => {
  server = createServer(async (req, res) => {
    seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, type: req.headers["content-type"], body: await read(req) });
    const reply = (status: number, body?: unknown) => {
      res.writeHead(status, body === undefined ? {} : { "content-type": "application/json" });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    if (req.url === "/api/ok") return reply(200, { hello: "world" });
    if (req.url === "/api/gone") return reply(204);
    if (req.url === "/api/conflict") return reply(409, { error: { code: "claim_lost", message: "Someone else holds it.", details: { taskId: "t1" } } });
    if (req.url === "/api/expired") return reply(401, { error: { code: "unauthenticated", message: "Sign in first." } });
    if (req.url === "/api/auth/login") return reply(401, { error: { code: "unauthenticated", message: "Email or password is not right." } });
    res.writeHead(502, { "content-type": "text/html" });
    res.end("<html>bad gateway</html>");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("ApiClient", () => {
  it("sends the session token and JSON, and reads JSON back", async () => {
    const c = new ApiClient(base);
    c.token = "tok";
    expect(await c.post("/api/ok", { a: 1 })).toEqual({ hello: "world" });
    const req = seen.at(-1)!;
    expect(req).toMatchObject({ method: "POST", auth: "Bearer tok", type: "application/json", body: '{"a":1}' });
  });

  it("sends raw CSV with its own content type", async () => {
    const c = new ApiClient(base);
    await c.post("/api/ok", undefined, { raw: { body: "a,b\n1,2\n", contentType: "text/csv" } });
    expect(seen.at(-1)).toMatchObject({ type: "text/csv", body: "a,b\n1,2\n" });
  });

  it("answers undefined for 204", async () => {
    expect(await new ApiClient(base).del("/api/gone")).toBeUndefined();
  });

  it("turns the API's error shape into an ApiError with code and details", async () => {
    const err = await new ApiClient(base).post("/api/conflict").catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 409, code: "claim_lost", message: "Someone else holds it.", details: { taskId: "t1" } });
  });

  it("ends the session on a 401 from the API, but not on a failed sign-in", async () => {
    const c = new ApiClient(base);
    c.token = "old";
    let ended = 0;
    c.onUnauthenticated = () => ended++;
    await c.get("/api/expired").catch(() => {});
    expect(ended).toBe(1);
    await c.post("/api/auth/login", { email: "x", password: "y" }).catch(() => {});
    expect(ended).toBe(1);
  });

  it("says plainly when the answer is not the API's (a proxy page) or the server is unreachable", async () => {
    const err = await new ApiClient(base).get("/elsewhere").catch((e) => e);
    expect(err).toMatchObject({ status: 502, code: "internal" });
    const down = await new ApiClient("http://127.0.0.1:1").get("/api/ok").catch((e) => e);
    expect(down).toMatchObject({ status: 0, code: "network" });
  });
});

describe("helpers", () => {
  it("builds query strings without empty values", () => {
    expect(withQuery("/api/x", { a: 1, b: "", c: undefined, d: null, e: "x y" })).toBe("/api/x?a=1&e=x+y");
    expect(withQuery("/api/x?z=1", { a: 2 })).toBe("/api/x?z=1&a=2");
    expect(withQuery("/api/x", {})).toBe("/api/x");
  });

  it("falls back to a sentence for unknown error bodies", () => {
    expect(toApiError(404, { nope: true })).toMatchObject({ code: "http_404" });
  });
});

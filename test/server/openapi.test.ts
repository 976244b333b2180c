// GET /api/openapi.json documents every endpoint: every spec in the registry
// and every route Express actually serves, with its method, in a document of
// valid OpenAPI 3.1 shape (unique operation ids, declared path parameters,
// references that resolve).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApiPath } from "../../server/src/http/openapi";
import { startTestApp, type TestApp } from "../helpers/app";
import { client } from "../helpers/http";

let t: TestApp;
let doc: any;
beforeAll(async () => {
  t = await startTestApp();
  const r = await client(t.url).get("/api/openapi.json");
  expect(r.status).toBe(200);
  doc = r.body;
});
afterAll(() => t.close());

const METHODS = ["get", "post", "put", "patch", "delete"] as const;

/** Every (method, path) Express serves, read from its router stacks. */
function expressRoutes(stack: any[], out: string[] = []): string[] {
  for (const layer of stack) {
    if (layer.route && typeof layer.route.path === "string") {
      for (const m of Object.keys(layer.route.methods ?? {})) if (layer.route.methods[m]) out.push(`${m} ${layer.route.path}`);
    } else if (layer.handle?.stack) expressRoutes(layer.handle.stack, out);
  }
  return out;
}

const documented = () =>
  Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) =>
    Object.keys(ops).filter((m) => (METHODS as readonly string[]).includes(m)).map((m) => `${m} ${p}`),
  );

describe("OpenAPI document", () => {
  it("documents every route in the registry", () => {
    expect(t.app.api.routes.length).toBeGreaterThan(50);
    const missing = t.app.api.routes.map((r) => `${r.method} ${openApiPath(r.path)}`).filter((k) => !documented().includes(k));
    expect(missing).toEqual([]);
  });

  it("documents every route Express serves, and nothing it does not", () => {
    const served = expressRoutes((t.app.app as any).router.stack).map((k) => {
      const [m, p] = k.split(" ");
      return `${m} ${openApiPath(p!)}`;
    });
    expect(served.length).toBe(t.app.api.routes.length);
    expect(served.filter((k) => !documented().includes(k))).toEqual([]);
    expect(documented().filter((k) => !served.includes(k))).toEqual([]);
  });

  it("has the shape of OpenAPI 3.1", () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
    const ids: string[] = [];
    for (const [p, ops] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      expect(p.startsWith("/"), p).toBe(true);
      const inPath = [...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const [m, op] of Object.entries(ops)) {
        const where = `${m} ${p}`;
        ids.push(op.operationId);
        expect(op.summary, where).toEqual(expect.any(String));
        expect(Object.keys(op.responses).length, where).toBeGreaterThan(0);
        for (const [status, resp] of Object.entries(op.responses as Record<string, any>)) {
          expect(status, where).toMatch(/^([1-5]\d\d|[1-5]XX)$/);
          expect(resp.description, where).toEqual(expect.any(String));
        }
        const declared = (op.parameters as Array<{ name: string; in: string; required?: boolean; schema: unknown }>).filter((x) => x.in === "path");
        expect(declared.map((x) => x.name).sort(), `${where}: path parameters`).toEqual([...inPath].sort());
        expect(declared.every((x) => x.required === true && x.schema), where).toBe(true);
        for (const x of op.parameters) expect(["path", "query", "header", "cookie"], where).toContain(x.in);
      }
    }
    expect(new Set(ids).size, "operationIds are unique").toBe(ids.length);
    expect(ids.every((id) => /^[A-Za-z0-9_]+$/.test(id))).toBe(true);
  });

  it("every $ref resolves inside the document", () => {
    const refs: string[] = [];
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === "object")
        for (const [k, x] of Object.entries(v)) {
          if (k === "$ref" && typeof x === "string") refs.push(x);
          else walk(x);
        }
    };
    walk(doc);
    const resolve = (ref: string) =>
      ref
        .replace(/^#\//, "")
        .split("/")
        .reduce<any>((node, part) => node?.[part.replace(/~1/g, "/").replace(/~0/g, "~")], doc);
    expect(refs.filter((r) => !r.startsWith("#/") || resolve(r) === undefined)).toEqual([]);
  });

  it("documents request bodies and streamed answers from the route specs", () => {
    const createModel = doc.paths["/api/orgs/{orgId}/models"].post;
    const body = createModel.requestBody.content["application/json"].schema;
    expect(body.required).toEqual(expect.arrayContaining(["name", "provider", "modelId"]));
    expect(body.additionalProperties).toBe(false);
    const model = createModel.responses["201"].content["application/json"].schema;
    expect(Object.keys(model.properties)).toContain("apiKeyMasked");
    expect(Object.keys(model.properties)).not.toContain("apiKey");
    const exp = doc.paths["/api/projects/{projectId}/export"].get;
    expect(Object.keys(exp.responses["200"].content)).toEqual(expect.arrayContaining([expect.stringContaining("text/csv"), expect.stringContaining("ndjson")]));
    expect(exp.parameters.find((p: { name: string }) => p.name === "format").schema.enum).toEqual(["csv", "jsonl"]);
  });

  it("documents submit and take the next: the `next` flag, the next claim or the reason there is none", () => {
    const submit = doc.paths["/api/claims/{claimId}/submit"].post;
    expect(submit.description).toContain("next: true");
    expect(submit.requestBody.content["application/json"].schema.properties.next.type).toBe("boolean");
    const answer = submit.responses["201"].content["application/json"].schema.properties;
    expect(Object.keys(answer)).toEqual(expect.arrayContaining(["submission", "next", "nextError"]));
  });
});

// The OpenAPI 3.1 document, generated from the same zod schemas the routes
// validate with, so it cannot drift from what the server accepts.
import { z, type ZodType } from "zod";
import type { Api, RouteSpec } from "./route";

const errorSchema = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: { code: { type: "string" }, message: { type: "string" }, details: { type: "object" } },
    },
  },
};

const json = (schema: ZodType | undefined, io: "input" | "output") =>
  schema ? (z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Record<string, unknown>) : { type: "object" };

export const openApiPath = (p: string) => p.replace(/:([A-Za-z0-9_]+)/g, "{$1}");

function operation(spec: RouteSpec) {
  const parameters: unknown[] = [];
  const params = spec.params ? (json(spec.params, "input").properties as Record<string, unknown>) ?? {} : {};
  for (const [name, schema] of Object.entries(params)) parameters.push({ name, in: "path", required: true, schema });
  if (spec.query) {
    const q = json(spec.query, "input");
    const req = new Set((q.required as string[]) ?? []);
    for (const [name, schema] of Object.entries((q.properties as Record<string, unknown>) ?? {}))
      parameters.push({ name, in: "query", required: req.has(name), schema });
  }
  const status = String(spec.status ?? 200);
  const content = spec.produces
    ? Object.fromEntries(spec.produces.map((t) => [t, { schema: { type: "string" } }]))
    : { "application/json": { schema: json(spec.response, "output") } };
  const errors = { description: "Error", content: { "application/json": { schema: errorSchema } } };
  return {
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    tags: [spec.tag],
    operationId: `${spec.method}_${spec.path}`.replace(/[^A-Za-z0-9]+/g, "_"),
    ...(spec.auth === "none" ? { security: [] } : {}),
    parameters,
    ...(spec.body
      ? {
          requestBody: {
            required: true,
            content: {
              "application/json": { schema: json(spec.body, "input") },
              ...Object.fromEntries((spec.accepts ?? []).map((t) => [t, { schema: { type: "string" } }])),
            },
          },
        }
      : {}),
    responses: {
      [status]: status === "204" ? { description: "No content" } : { description: "Success", content },
      "4XX": errors,
      "5XX": errors,
    },
  };
}

export function buildOpenApi(api: Api, extra: RouteSpec[] = []) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of [...api.routes, ...extra]) {
    const p = openApiPath(spec.path);
    (paths[p] ??= {})[spec.method] = operation(spec);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Pipelines API",
      version: "1",
      description:
        "Real-time work queues for human evaluation of AI agent runs. Authenticate with `Authorization: Bearer <token>`: a login JWT or an API key (`pk_…`). Errors are `{error:{code,message,details?}}`.",
    },
    servers: [{ url: "/" }],
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "Login JWT or API key (pk_…)" } },
    },
    security: [{ bearer: [] }],
    paths,
  };
}

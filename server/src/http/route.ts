// Routes are declared, not hand-wired: each is a spec (method, path, zod
// schemas, status, handler) kept in one registry that mounts it on Express,
// documents it in OpenAPI (openapi.ts) and feeds the access-matrix test.
// A handler reads like a sentence: load → authorize → one command → view.
import type { Request, Response, Router } from "express";
import { z, type ZodType } from "zod";
import type { Actor } from "../access/actor";
import { can } from "../access/authorize";
import type { Deps } from "../deps";
import { forbidden, invalidRequest, unauthenticated } from "./errors";

export type Method = "get" | "post" | "put" | "patch" | "delete";

export interface Ctx<P, Q, B> {
  actor: Actor;
  params: P;
  query: Q;
  body: B;
  deps: Deps;
  req: Request;
  res: Response;
}

export interface RouteSpec<P = any, Q = any, B = any> {
  method: Method;
  path: string;
  summary: string;
  /** Longer text for the OpenAPI document, when the summary cannot say it all. */
  description?: string;
  tag: string;
  /** "none" for login and health; everything else needs a token. */
  auth?: "required" | "none";
  params?: ZodType<P>;
  query?: ZodType<Q>;
  body?: ZodType<B>;
  /** Extra request content types the handler reads itself (e.g. text/csv). */
  accepts?: string[];
  /** Status on success; 204 sends no body. */
  status?: number;
  /** Schema of the success body, for the OpenAPI document. */
  response?: ZodType;
  /** Response content types when not JSON (e.g. streamed CSV). */
  produces?: string[];
  handler(ctx: Ctx<P, Q, B>): Promise<unknown>;
}

/** A handler that wrote the response itself (streams) returns this. */
export const STREAMED = Symbol("streamed");

const PERSONAL = /^\/api\/me(\/|$)/;

export class Api {
  readonly routes: RouteSpec[] = [];

  add<P, Q, B>(spec: RouteSpec<P, Q, B>): void {
    this.routes.push(spec as RouteSpec);
  }

  mount(router: Router, deps: Deps): void {
    for (const spec of this.routes) {
      router[spec.method](spec.path, async (req, res, next) => {
        try {
          const actor = req.actor;
          if (spec.auth !== "none" && !actor) throw unauthenticated();
          // Personal routes all live under /api/me and act for the person: asked here once, not per route.
          if (actor && PERSONAL.test(spec.path) && !can(actor, "account.read", { userId: actor.userId }))
            throw forbidden("A project API key acts only in its project: personal routes are not open to it.");
          const params = parse(spec.params, req.params, "path");
          const query = parse(spec.query, req.query, "query");
          const body = spec.body && !isAccepted(req, spec) ? parse(spec.body, req.body ?? {}, "body") : req.body;
          const out = await spec.handler({ actor: actor!, params, query, body, deps, req, res } as Ctx<any, any, any>);
          if (out === STREAMED) return;
          // A handler may have chosen the status itself (e.g. /readyz answering 503,
          // or 200 through res.locals.status where the route's own is 201).
          const status = (res.locals.status as number | undefined) ?? (res.statusCode !== 200 ? res.statusCode : (spec.status ?? 200));
          if (status === 204 || out === undefined) res.status(status === 200 ? 204 : status).end();
          else res.status(status).json(out);
        } catch (err) {
          next(err);
        }
      });
    }
  }
}

function isAccepted(req: Request, spec: RouteSpec): boolean {
  return !!spec.accepts?.some((t) => req.is(t));
}

function parse<T>(schema: ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return value as T;
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw invalidRequest(`The ${where} is not valid: ${r.error.issues[0]?.message ?? "see details"}.`, {
    issues: r.error.issues.map((i) => ({ in: where, path: i.path.map(String).join("."), message: i.message })),
  });
}

// ── shared schema pieces ──
export const id = z.string().min(1).max(100);
/**
 * A JSON object kept exactly as sent. z.record would copy it, and an own
 * "__proto__" key (JSON.parse makes one) would become the copy's prototype and vanish.
 */
export const jsonObject = z
  .custom<Record<string, unknown>>((v) => typeof v === "object" && v !== null && !Array.isArray(v), { message: "Expected a JSON object" })
  .meta({ type: "object", additionalProperties: true });
export const listQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
export const page = <T extends ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

/** Cursor pagination over rows ordered by id: take one extra to know if there is more. */
export function pageOf<T extends { id: string }>(rows: T[], limit: number) {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return { items, nextCursor: more ? items[items.length - 1]!.id : null };
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      actor?: Actor;
    }
  }
}

import { createHash, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { bearer } from "../../http/authenticate";
import { AppError } from "../../http/errors";
import type { Api } from "../../http/route";
import { STREAMED } from "../../http/route";
import type { Metrics } from "../../infra/metrics";
import { buildOpenApi } from "../../http/openapi";

export function registerHealthRoutes(api: Api, metrics: Metrics) {
  api.add({
    method: "get",
    path: "/healthz",
    tag: "health",
    summary: "The process is up",
    auth: "none",
    response: z.object({ status: z.literal("ok") }),
    handler: async () => ({ status: "ok" as const }),
  });

  api.add({
    method: "get",
    path: "/readyz",
    tag: "health",
    summary: "PostgreSQL and Redis are reachable (503 otherwise)",
    auth: "none",
    response: z.object({ status: z.enum(["ok", "unavailable"]), postgres: z.string(), redis: z.string() }),
    async handler({ deps, res }) {
      const within = <T>(p: Promise<T>) =>
        Promise.race([p.then(() => "ok"), new Promise<string>((r) => setTimeout(() => r("timeout"), 2000).unref())]).catch(() => "down");
      const [postgres, redis] = await Promise.all([within(deps.db.$queryRaw`SELECT 1`), within(deps.redis.ping())]);
      const ok = postgres === "ok" && redis === "ok";
      res.status(ok ? 200 : 503);
      return { status: ok ? ("ok" as const) : ("unavailable" as const), postgres, redis };
    },
  });

  let doc: ReturnType<typeof buildOpenApi> | undefined;
  api.add({
    method: "get",
    path: "/api/openapi.json",
    tag: "health",
    summary: "This document: every endpoint, generated from the schemas the server validates with",
    auth: "none",
    handler: async () => (doc ??= buildOpenApi(api)),
  });

  api.add({
    method: "get",
    path: "/metrics",
    tag: "health",
    summary: "Prometheus metrics; when the server has a METRICS_TOKEN, only to `Authorization: Bearer <METRICS_TOKEN>`",
    description:
      "Public when METRICS_TOKEN is not set. When it is, a request without that exact token (a user's token or API key " +
      "does not do) answers 401 `unauthenticated`.",
    auth: "none",
    produces: ["text/plain"],
    async handler({ deps, req, res }) {
      const expected = deps.config.METRICS_TOKEN;
      if (expected && !sameSecret(bearer(req.headers.authorization) ?? "", expected)) throw metricsUnauthenticated();
      res.setHeader("Content-Type", metrics.registry.contentType);
      res.end(await metrics.registry.metrics());
      return STREAMED;
    },
  });
}

/** Compared as digests, so the time taken tells nothing of the token's length or of how much of it matched. */
const digest = (s: string) => createHash("sha256").update(s).digest();
const sameSecret = (given: string, expected: string) => timingSafeEqual(digest(given), digest(expected));

const metricsUnauthenticated = () =>
  new AppError(401, "unauthenticated", "Metrics need `Authorization: Bearer <METRICS_TOKEN>`.", undefined, {
    "WWW-Authenticate": 'Bearer realm="metrics"',
  });

// Builds the HTTP server (Express + Socket.IO later) without listening, so tests
// start it on port 0 and drive it with real clients.
import { createServer, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { existsSync } from "node:fs";
import path from "node:path";
import express from "express";
import helmet from "helmet";
import { pinoHttp } from "pino-http";
import { randomUUID } from "node:crypto";
import type { Deps } from "./deps";
import { authenticate } from "./http/authenticate";
import { errorHandler, notFoundHandler } from "./http/error-handler";
import { unauthenticated } from "./http/errors";
import { limitJsonDepth } from "./http/json-depth";
import { apiRateLimit } from "./http/rate-limit";
import { Api } from "./http/route";
import { createMetrics, type Metrics } from "./infra/metrics";
import type { QueueMetricsOptions } from "./infra/metrics-queue";
import { claimWriterOf } from "./queue/claim-writer";
import { sqlOf } from "./queue/pg";
import { registerRoutes } from "./routes";
import { attachRealtime, type Realtime } from "./realtime/server";
import type { RealtimeOptions } from "./realtime/types";

const CALLER_REQUEST_ID = /^[\w.:-]{1,200}$/;

/**
 * Invitation and password reset links are bearer secrets (whoever holds one sets
 * the account's password): their token never reaches a log line, neither as the
 * API's path segment nor as the web page's `?token=`.
 */
export const redactUrl = (url: string) =>
  url.replace(/^(\/api\/auth\/(?:invitations|password-resets)\/)[^/?#]+/i, "$1[redacted]").replace(/([?&]token=)[^&#]*/gi, "$1[redacted]");

export const WEB_DIST = path.resolve(import.meta.dirname, "../../web/dist");

export interface AppOptions {
  /** Login attempts allowed per address per minute (tests raise it). */
  loginPerAddressPerMinute?: number;
  /**
   * What the rate limits' Redis keys start with ("rl"). Instances of one deployment
   * share it; test apps each take their own, so one test's logins never count
   * against another's.
   */
  rateLimitPrefix?: string;
  webDist?: string | null;
  /** Socket.IO pacing and limits (tests shorten them). */
  realtime?: RealtimeOptions;
  /** How /metrics reports the queues' depths (tests read them uncached). */
  metrics?: QueueMetricsOptions;
}

export interface App {
  app: express.Express;
  http: Server;
  api: Api;
  metrics: Metrics;
  realtime: Realtime;
  /** Stops taking requests and answers those in flight, cutting what is left after `graceMs`. */
  close(graceMs?: number): Promise<void>;
}

/** The paths whose bodies may be large. */
const TASK_IMPORT_PATH = "/api/pipelines/:pipelineId/tasks";
const RUNS_PATH = "/api/agents/:agentId/runs";

/** How long a shutdown waits for requests in flight (within the 10 s each shutdown step gets). */
export const SHUTDOWN_GRACE_MS = 8_000;

export function createApp(deps: Deps, opts: AppOptions = {}): App {
  const app = express();
  const api = new Api();
  const metrics = createMetrics(claimWriterOf(sqlOf(deps)), { deps, ...opts.metrics });
  app.disable("x-powered-by");
  app.set("trust proxy", deps.config.TRUST_PROXY);
  app.set("query parser", "simple");

  app.use(
    pinoHttp({
      logger: deps.log,
      genReqId: (req, res) => {
        // A caller's id is echoed into every log line of the request: plain tokens only.
        const sent = req.headers["x-request-id"];
        const id = typeof sent === "string" && CALLER_REQUEST_ID.test(sent) ? sent : randomUUID();
        res.setHeader("X-Request-Id", id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === "/healthz" || req.url === "/metrics" },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: redactUrl(req.url) }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  const prod = deps.config.NODE_ENV === "production";
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: { "connect-src": ["'self'", "ws:", "wss:"], "upgrade-insecure-requests": prod ? [] : null },
      },
      strictTransportSecurity: prod,
    }),
  );
  app.use((req, res, next) => {
    const end = metrics.httpDuration.startTimer({ method: req.method });
    res.on("finish", () => end({ route: req.route?.path ?? "unmatched", status: res.statusCode }));
    next();
  });
  cors(app, deps.config.CORS_ORIGINS);
  // Who is asking, and their budget, before any body is read: a bad token or a caller past
  // its budget costs no parsing. The routes that take large bodies (tasks import, runs)
  // also refuse a caller with no token here (none of their routes is public).
  app.use(authenticate(deps));
  app.use("/api", apiRateLimit(deps, opts.rateLimitPrefix));
  app.use([TASK_IMPORT_PATH, RUNS_PATH], (req, _res, next) => next(req.actor ? undefined : unauthenticated()));
  // Bulk task imports (up to 10,000 tasks with agent-run payloads) get a larger body; parsed once.
  app.use(TASK_IMPORT_PATH, express.json({ limit: "32mb", strict: true, type: ["application/json", "application/*+json"] }));
  // Agent runs carry whole transcripts and traces: RUN_BODY_LIMIT_MB (8 by default). A 413 names each route's limit.
  app.use(RUNS_PATH, express.json({ limit: deps.config.RUN_BODY_LIMIT_MB * 1024 * 1024, strict: true, type: ["application/json", "application/*+json"] }));
  app.use("/api", express.json({ limit: "1mb", strict: true, type: ["application/json", "application/*+json"] }));
  app.use("/api", express.text({ limit: "10mb", type: ["text/csv"] }));
  app.use("/api", limitJsonDepth);

  registerRoutes(api, deps, metrics, opts);
  const router = express.Router();
  api.mount(router, deps);
  app.use(router);
  app.use("/api", notFoundHandler);

  const dist = opts.webDist === undefined ? WEB_DIST : opts.webDist;
  if (dist && existsSync(path.join(dist, "index.html"))) {
    app.use(express.static(dist, { index: false, maxAge: "1h" }));
    // The SPA owns every other path.
    app.get(/^\/(?!api\/|socket\.io\/).*/, (_req, res) => res.sendFile(path.join(dist, "index.html")));
  }
  app.use(notFoundHandler);
  app.use(errorHandler(deps.log));

  const http = createServer(app);
  http.keepAliveTimeout = deps.config.HTTP_KEEP_ALIVE_SECONDS * 1000;
  // A request's headers may arrive on a connection that idled up to keepAliveTimeout.
  http.headersTimeout = http.keepAliveTimeout + 5_000;
  const realtime = attachRealtime(http, deps, metrics.registry, opts.realtime);
  // Closing drains: a connection whose answer is done closes rather than idle on keep-alive.
  let closing = false;
  http.on("request", (_req, res: ServerResponse) => res.on("finish", () => closing && setImmediate(() => http.closeIdleConnections())));
  // Upgraded (WebSocket) connections leave the server's own tracking, yet http.close()
  // waits for them: a client that never answers the close frame would hold it ~30 s.
  const upgraded = new Set<Duplex>();
  http.on("upgrade", (_req, socket: Duplex) => {
    upgraded.add(socket);
    socket.once("close", () => upgraded.delete(socket));
  });
  return {
    app,
    http,
    api,
    metrics,
    realtime,
    close: async (graceMs = SHUTDOWN_GRACE_MS) => {
      // No new connections; idle ones close now, requests in flight are answered; past the grace, the rest are cut.
      closing = true;
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeIdleConnections();
      const cut = setTimeout(() => {
        http.closeAllConnections();
        for (const s of upgraded) s.destroy();
      }, graceMs);
      await realtime.close();
      await closed;
      clearTimeout(cut);
      metrics.stop();
    },
  };
}

function cors(app: express.Express, origins: string[]) {
  if (!origins.length) return;
  app.use((req, res, next) => {
    const origin = req.headers.origin;
    if (origin && origins.includes(origin)) {
      res.setHeader("Access-Control-Allow-Origin", origin);
      res.setHeader("Vary", "Origin");
      res.setHeader("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Request-Id");
      res.setHeader("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS");
      if (req.method === "OPTIONS") return res.status(204).end();
    }
    next();
  });
}

// Socket.IO on the app's HTTP server: the handshake needs a valid token (login
// JWT or API key), browsers must come from an allowed origin, payloads are small,
// each socket's events are rate limited, and a login token's expiry ends the
// socket. Instances share rooms through the Redis pub/sub adapter.
import type { IncomingMessage, Server as HttpServer } from "node:http";
import { createAdapter } from "@socket.io/redis-adapter";
import type { Redis } from "ioredis";
import { Gauge, type Registry } from "prom-client";
import { Server } from "socket.io";
import type { Actor } from "../access/actor";
import { can } from "../access/authorize";
import type { Deps } from "../deps";
import { rooms } from "../shared/socket-events";
import { actorFromToken } from "../http/authenticate";
import { keyUserRoom } from "./emitter";
import { createFeeds, type Feeds } from "./feeds";
import { EventBucket } from "./rate-limit";
import { handleRooms } from "./rooms";
import { REALTIME_DEFAULTS, type AppSocket, type IO, type RealtimeOptions } from "./types";

export interface Realtime {
  io: IO;
  feeds: Feeds;
  options: Required<RealtimeOptions>;
  /** Re-read every room watched on this instance (pushes only what changed). */
  resync(): void;
  close(): Promise<void>;
}

/** Client messages are subscribe/unsubscribe requests: a few hundred bytes at most. */
const MAX_PAYLOAD_BYTES = 16 * 1024;

export function attachRealtime(http: HttpServer, deps: Deps, registry?: Registry, options: RealtimeOptions = {}): Realtime {
  const opts = { ...REALTIME_DEFAULTS, ...options };
  const origins = deps.config.CORS_ORIGINS;
  const io: IO = new Server(http, {
    path: "/socket.io",
    serveClient: false,
    maxHttpBufferSize: MAX_PAYLOAD_BYTES,
    allowRequest: (req, cb) => {
      const ok = originAllowed(req, origins);
      cb(ok ? null : "origin not allowed", ok);
    },
    ...(origins.length ? { cors: { origin: origins } } : {}),
  });
  // Own connections: a subscriber connection cannot run other commands.
  // They keep ioredis's resending (off on the command connection): a broadcast
  // in flight when the link drops is sent again rather than lost.
  const pub = deps.redis.duplicate({ enableOfflineQueue: true, autoResendUnfulfilledCommands: true });
  const sub = deps.redis.duplicate({ enableOfflineQueue: true, autoResendUnfulfilledCommands: true });
  for (const c of [pub, sub]) c.on("error", (err) => deps.log.debug({ err }, "socket adapter redis error"));
  quietPublish(pub, deps);
  quietSubscribe(sub, deps);
  io.adapter(createAdapter(pub, sub));
  let subReady = 0;

  const feeds = createFeeds(deps, io, opts, registry);
  // Each socket costs memory and a share of every broadcast: one person's
  // runaway script (or a leaked key) must not hold thousands. A key's sockets
  // count apart from its maker's login (as its HTTP rate limit does), so a
  // runaway key cannot lock its maker out.
  const perHolder = new Map<string, number>();
  const connected = new Gauge({ name: "pipelines_realtime_sockets", help: "Sockets connected to this instance", registers: registry ? [registry] : [] });

  io.use(async (socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    if (typeof token !== "string" || !token) return next(refusal("unauthenticated", "Connect with auth: { token }."));
    try {
      const actor = await actorFromToken(deps, token);
      if (!actor) return next(refusal("unauthenticated", "The token is missing, expired or not valid."));
      // Checked after the last await: "connection" (which counts it) follows synchronously.
      if ((perHolder.get(holderOf(actor)) ?? 0) >= opts.socketsPerUser)
        return next(
          refusal(
            "too_many_connections",
            actor.apiKey
              ? `At most ${opts.socketsPerUser} live connections per API key: close some of this key's clients.`
              : `At most ${opts.socketsPerUser} live connections per person: close some tabs or clients.`,
          ),
        );
      const exp = (actor as { tokenExpiresAt?: number }).tokenExpiresAt;
      socket.data = { actor, expiresAt: exp ? exp * 1000 : null, sessionVersion: actor.apiKey ? null : actor.sessionVersion, inner: new Map() };
      next();
    } catch (err) {
      deps.log.warn({ err }, "socket handshake failed");
      next(refusal("unavailable", "A backing service is unreachable. Try again shortly."));
    }
  });

  io.on("connection", (socket) => {
    connected.inc();
    const { userId, apiKey } = socket.data.actor;
    const holder = holderOf(socket.data.actor);
    perHolder.set(holder, (perHolder.get(holder) ?? 0) + 1);
    // Personal events only for the person (or an org key of theirs); a project key's socket hears its rooms only.
    if (can(socket.data.actor, "account.read", { userId })) void socket.join(apiKey ? keyUserRoom(userId, apiKey.orgId) : rooms.user(userId));
    const bucket = new EventBucket(opts.eventsPerSecond, opts.eventBurst, deps.clock);
    socket.use((packet, next) => {
      if (bucket.take()) return next();
      const ack = packet[packet.length - 1];
      if (typeof ack === "function")
        ack({ error: { code: "rate_limited", message: "Too many socket messages: slow down and try again shortly." } });
    });
    const timer = expiryTimer(deps, socket, feeds);
    socket.on("disconnect", () => {
      connected.dec();
      const left = (perHolder.get(holder) ?? 1) - 1;
      if (left > 0) perHolder.set(holder, left);
      else perHolder.delete(holder);
      if (timer) clearTimeout(timer);
    });
    handleRooms(deps, socket, feeds);
  });

  // The sweep catches what a timer cannot: a clock moved by hand, a suspended host.
  const sweep = setInterval(() => {
    for (const socket of io.of("/").sockets.values()) expireIfDue(deps, socket, feeds);
  }, opts.expirySweepMs);
  sweep.unref();

  const resync = () => {
    for (const p of feeds.queue.watched()) feeds.queue.mark(p);
    for (const r of feeds.dashboard.watched()) feeds.dashboard.mark(r);
  };
  // After the adapter's subscriber reconnects, marks sent meanwhile are lost: read everything again.
  sub.on("ready", () => {
    if (subReady++ > 0) resync();
  });

  return {
    io,
    feeds,
    options: opts,
    resync,
    async close() {
      clearInterval(sweep);
      await Promise.all([feeds.queue.stop(), feeds.dashboard.stop()]);
      // Closing the connections (not a server "disconnect") lets clients reconnect to another instance.
      io.engine.close();
      // Unsubscribe and quit only on a live connection (QUIT waits for the replies before
      // it); while Redis is down there is nothing to tell it, and a queued command would hang.
      if (sub.status === "ready") await io.of("/").adapter.close();
      await Promise.all([pub, sub].map((c) => (c.status === "ready" ? c.quit().then(() => {}, () => c.disconnect()) : c.disconnect())));
    },
  };
}

/**
 * The adapter publishes fire-and-forget and never catches: while Redis is down
 * each failed PUBLISH would be an unhandled rejection, which ends the process
 * (found by test/chaos/redis-killed.test.ts: every instance died with Redis).
 * Pub/sub is at-most-once anyway and rooms resync, so a lost publish is logged.
 */
function quietPublish(pub: Redis, deps: Deps): void {
  const publish = pub.publish.bind(pub) as (...args: unknown[]) => Promise<number>;
  (pub as unknown as { publish: (...args: unknown[]) => Promise<number> }).publish = (...args) =>
    publish(...args).catch((err: unknown) => {
      deps.log.debug({ err }, "socket adapter publish lost (Redis unreachable)");
      return 0;
    });
}

/**
 * The adapter subscribes once, at start, and never handles a failure: closed
 * before the connection was ready (a quick shutdown), those calls rejected
 * unhandled. The subscriptions themselves come back with the connection.
 */
function quietSubscribe(sub: Redis, deps: Deps): void {
  for (const name of ["subscribe", "psubscribe"] as const) {
    const call = sub[name].bind(sub) as (...args: unknown[]) => Promise<unknown>;
    (sub as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[name] = (...args) => {
      const p = call(...args);
      p.catch((err: unknown) => deps.log.debug({ err }, `socket adapter ${name} failed (the connection closed first)`));
      return p;
    };
  }
}

/** Whose allowance a socket spends: the key's (`k:<keyId>`) or the person's login (`u:<userId>`), as http/rate-limit.ts names them. */
const holderOf = (actor: Actor) => (actor.apiKey ? `k:${actor.apiKey.id}` : `u:${actor.userId}`);

function refusal(code: string, message: string): Error {
  return Object.assign(new Error(message), { data: { code, message } });
}

/** Browsers send Origin: it must be ours or a configured one. Non-browser clients send none. */
export function originAllowed(req: IncomingMessage, allowed: string[]): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

function expiryTimer(deps: Deps, socket: AppSocket, feeds: Feeds): NodeJS.Timeout | null {
  if (socket.data.expiresAt === null) return null;
  const wait = socket.data.expiresAt - deps.clock.now().getTime();
  // setTimeout caps at ~24.8 days; login tokens live at most 12 h.
  const t = setTimeout(() => expireIfDue(deps, socket, feeds), Math.max(0, Math.min(wait, 2 ** 31 - 1)));
  t.unref();
  return t;
}

function expireIfDue(deps: Deps, socket: AppSocket, feeds: Feeds): void {
  const exp = socket.data.expiresAt;
  if (exp === null || !socket.connected || deps.clock.now().getTime() < exp) return;
  feeds.emitter.toSocket(socket, "session:expired", { expiredAt: new Date(exp).toISOString() });
  socket.disconnect(true);
}

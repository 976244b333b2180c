// Resolves the bearer token (login JWT or API key) into req.actor. A request
// with no token passes through with no actor (routes decide); a bad token is 401.
import type { RequestHandler } from "express";
import { loadActor } from "../access/actor";
import { scopeOfKey } from "../access/scope";
import { hashApiKey, looksLikeApiKey } from "../auth/api-keys";
import { verifyToken } from "../auth/jwt";
import type { Deps } from "../deps";
import { unauthenticated } from "./errors";

const LAST_USED_EVERY_MS = 60_000;

export function bearer(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  return m ? m[1]! : "";
}

/** Token → actor, or null when the token is not valid. Shared with the socket handshake. */
export async function actorFromToken(deps: Deps, token: string) {
  if (looksLikeApiKey(token)) {
    const key = await deps.db.apiKey.findUnique({ where: { hash: hashApiKey(token) } });
    const scope = key && !key.revokedAt ? scopeOfKey(key) : null;
    if (!key || !scope) return null;
    const now = deps.clock.now();
    if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() > LAST_USED_EVERY_MS) {
      await deps.db.apiKey.update({ where: { id: key.id }, data: { lastUsedAt: now } });
    }
    return loadActor(deps.db, key.createdById, scope);
  }
  const claims = verifyToken(deps.jwtSecret, token, deps.clock);
  if (!claims) return null;
  let actor = await loadActor(deps.db, claims.sub);
  // A token newer than what this instance kept (issued elsewhere a moment ago, its announcement
  // still on the way) is checked against PostgreSQL, not refused.
  if (actor && actor.sessionVersion < claims.sv) actor = await loadActor(deps.db, claims.sub, undefined, { fresh: true });
  // A session ended since the token was issued (password changed or reset, signed out everywhere).
  if (!actor || actor.sessionVersion !== claims.sv) return null;
  return Object.assign(actor, { tokenExpiresAt: claims.exp });
}

/** Express matches routes case-insensitively, with or without a trailing slash. */
const METRICS_PATH = /^\/metrics\/?$/i;

export function authenticate(deps: Deps): RequestHandler {
  return async (req, _res, next) => {
    try {
      // With a METRICS_TOKEN, /metrics takes that bearer token (checked by its route), never a user's.
      if (deps.config.METRICS_TOKEN && METRICS_PATH.test(req.path)) return next();
      const token = bearer(req.headers.authorization);
      if (token === null) return next();
      if (!token) throw unauthenticated("The Authorization header must be `Bearer <token>`.");
      const actor = await actorFromToken(deps, token);
      if (!actor) throw unauthenticated();
      req.actor = actor;
      next();
    } catch (err) {
      next(err);
    }
  };
}

// Login tokens: HS256 only, issuer and audience checked, at most 12 h ahead. Each carries
// the user's session version (`sv`) when it was issued: a token of an older version is
// refused (authenticate.ts), so bumping User.sessionVersion ends every session at once.
import { createSecretKey, type KeyObject } from "node:crypto";
import jwt from "jsonwebtoken";
import type { Clock } from "../infra/clock";

export const ISSUER = "pipelines";
export const AUDIENCE = "pipelines-api";
export const MAX_TTL_SECONDS = 12 * 3600;

export interface TokenClaims {
  sub: string;
  exp: number;
  iat: number;
  /** The session version the token was issued under; tokens issued before versions existed count as 0. */
  sv: number;
}

// jsonwebtoken turns a string secret into a key on every call, first trying it
// as a PEM public key (which throws): that was about a tenth of the server's CPU
// per request (bench/README.md). One key object per secret, made once.
const keys = new Map<string, KeyObject>();
function keyOf(secret: string): KeyObject {
  let k = keys.get(secret);
  if (!k) keys.set(secret, (k = createSecretKey(Buffer.from(secret))));
  return k;
}

export function signToken(secret: string, userId: string, clock: Clock, ttlSeconds = MAX_TTL_SECONDS, sessionVersion = 0): string {
  const iat = Math.floor(clock.now().getTime() / 1000);
  return jwt.sign({ sub: userId, sv: sessionVersion, iat, exp: iat + Math.min(ttlSeconds, MAX_TTL_SECONDS) }, keyOf(secret), {
    algorithm: "HS256",
    issuer: ISSUER,
    audience: AUDIENCE,
  });
}

/** Returns the claims, or null for anything not exactly ours and current. */
export function verifyToken(secret: string, token: string, clock: Clock): TokenClaims | null {
  try {
    const nowSec = Math.floor(clock.now().getTime() / 1000);
    const claims = jwt.verify(token, keyOf(secret), {
      algorithms: ["HS256"],
      issuer: ISSUER,
      audience: AUDIENCE,
      clockTimestamp: nowSec,
    }) as jwt.JwtPayload;
    if (typeof claims.sub !== "string" || typeof claims.exp !== "number") return null;
    // A token minted elsewhere with a far expiry is not ours to honour.
    if (claims.exp - nowSec > MAX_TTL_SECONDS + 60) return null;
    const sv = claims.sv ?? 0;
    if (!Number.isSafeInteger(sv) || sv < 0) return null;
    return { sub: claims.sub, exp: claims.exp, iat: claims.iat ?? 0, sv };
  } catch {
    return null;
  }
}

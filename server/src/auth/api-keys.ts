// API keys: "pk_<8 hex prefix>_<secret>". Shown once; stored as a sha256 hash.
import { createHash, randomBytes } from "node:crypto";

export const API_KEY_PREFIX = "pk_";

export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const prefix = `${API_KEY_PREFIX}${randomBytes(4).toString("hex")}`;
  const key = `${prefix}_${randomBytes(24).toString("base64url")}`;
  return { key, prefix, hash: hashApiKey(key) };
}

export const hashApiKey = (key: string) => createHash("sha256").update(key).digest("hex");

export const looksLikeApiKey = (token: string) => token.startsWith(API_KEY_PREFIX);

// Turns configuration into running infrastructure: the configured services, or
// an embedded PostgreSQL and a local redis-server for the one-command start.
// Shared by the server (main.ts) and the operator commands (cli/).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import type { Config } from "../config";
import { startEmbeddedPostgres, startRedisServer } from "./embedded";
import type { Logger } from "./logger";

export interface Runtime {
  databaseUrl: string;
  redisUrl: string;
  jwtSecret: string;
  encryptionKey: string;
  embeddedDb: boolean;
  demo: boolean;
  notes: string[];
  stop(): Promise<void>;
}

interface LocalSecrets {
  jwtSecret: string;
  encryptionKey: string;
}

/** Secrets generated once into DATA_DIR for development; production must configure them. */
function localSecrets(dataDir: string): LocalSecrets {
  const file = path.join(dataDir, "secrets.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as LocalSecrets;
  mkdirSync(dataDir, { recursive: true });
  const s = { jwtSecret: randomBytes(32).toString("base64url"), encryptionKey: randomBytes(32).toString("base64") };
  writeFileSync(file, JSON.stringify(s, null, 2), { mode: 0o600 });
  return s;
}

export async function prepareRuntime(config: Config, log: Logger, opts: { needRedis?: boolean } = {}): Promise<Runtime> {
  const notes: string[] = [];
  const stops: Array<() => Promise<void>> = [];
  const dataDir = path.resolve(config.DATA_DIR);
  const prod = config.NODE_ENV === "production";
  const server = opts.needRedis !== false; // the operator commands need no Redis
  if (prod && (!config.JWT_SECRET || !config.ENCRYPTION_KEY))
    throw new Error("In production JWT_SECRET and ENCRYPTION_KEY must be set (ENCRYPTION_KEY: 32 bytes, base64).");

  let jwtSecret = config.JWT_SECRET;
  let encryptionKey = config.ENCRYPTION_KEY;
  if (!jwtSecret || !encryptionKey) {
    const s = localSecrets(dataDir);
    if (!jwtSecret) notes.push(`JWT_SECRET not set: using the one generated in ${path.join(dataDir, "secrets.json")}`);
    if (!encryptionKey) notes.push(`ENCRYPTION_KEY not set: using the one generated in ${path.join(dataDir, "secrets.json")}`);
    jwtSecret ??= s.jwtSecret;
    encryptionKey ??= s.encryptionKey;
  }

  try {
    let databaseUrl = config.DATABASE_URL;
    const embeddedDb = !databaseUrl;
    if (!databaseUrl) {
      log.info({ dir: dataDir }, "no DATABASE_URL: starting an embedded PostgreSQL");
      // A server owns its data directory (an operator command shares the running server's)
      // and, handling Ctrl-C itself, stops its services after draining.
      const pg = await startEmbeddedPostgres(dataDir, { exclusive: server, ownGroup: server });
      stops.push(pg.stop);
      databaseUrl = pg.url;
      notes.push(`Embedded PostgreSQL at ${pg.url.replace(/:[^:@/]+@/, ":****@")} (data in ${path.join(dataDir, "pg")})`);
    }
    let redisUrl = config.REDIS_URL;
    if (!redisUrl && opts.needRedis !== false) {
      log.info("no REDIS_URL: starting a local redis-server");
      const r = await startRedisServer({ ownGroup: server });
      stops.unshift(r.stop);
      redisUrl = r.url;
      notes.push(`Local redis-server at ${r.url}`);
    }
    return {
      databaseUrl,
      redisUrl: redisUrl ?? "",
      jwtSecret,
      encryptionKey,
      embeddedDb,
      demo: config.DEMO ?? embeddedDb,
      notes,
      stop: async () => {
        for (const s of stops) await s().catch(() => {});
      },
    };
  } catch (err) {
    for (const s of stops) await s().catch(() => {});
    throw err;
  }
}

// npm run migrate: applies pending migrations with the server's configuration.
import "dotenv/config";
import { loadConfig } from "../config";
import { createLogger } from "../infra/logger";
import { migrate } from "../infra/migrate";
import { prepareRuntime } from "../infra/runtime";

const config = loadConfig();
const rt = await prepareRuntime(config, createLogger("warn"), { needRedis: false });
try {
  const applied = await migrate(rt.databaseUrl);
  console.log(applied.length ? `Applied: ${applied.join(", ")}` : "Database is up to date.");
} finally {
  await rt.stop();
}

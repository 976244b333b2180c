// npm run user:reset-password -- --email person@acme.test [--password …]
// Sets a person's password (printing a generated one unless given) and ends every session
// of the account, with the server's configuration (the embedded database included),
// whether or not the server is running.
import "dotenv/config";
import { parseArgs } from "node:util";
import { z } from "zod";
import { loadConfig } from "../config";
import { argsOrExit } from "./args";
import { createLogger } from "../infra/logger";
import { migrate } from "../infra/migrate";
import { createPrisma } from "../infra/prisma";
import { prepareRuntime } from "../infra/runtime";
import { operatorResetPassword } from "../modules/auth/operator-reset";
import { PASSWORD_MAX, PASSWORD_MIN } from "../modules/auth/password-rules";

const usage = "usage: npm run user:reset-password -- --email person@acme.test [--password …]";
const { values } = parseArgs({ options: { email: { type: "string" }, password: { type: "string" } } });
const args = argsOrExit(
  z.object({
    email: z.string().email("--email must be an email address"),
    password: z.string().min(PASSWORD_MIN, `--password needs at least ${PASSWORD_MIN} characters`).max(PASSWORD_MAX).optional(),
  }),
  values,
  usage,
);

const config = loadConfig();
const rt = await prepareRuntime(config, createLogger("warn"), { needRedis: false });
const db = createPrisma(rt.databaseUrl, 2);
try {
  await migrate(rt.databaseUrl);
  const done = await operatorResetPassword(db, args.email, args.password);
  if (!done) {
    console.error(`There is no account with the email ${args.email}.`);
    process.exitCode = 1;
  } else {
    console.log(`Password of ${done.user.email} reset; every session of the account has ended.`);
    if (done.generatedPassword) console.log(`  password:  ${done.generatedPassword}  (generated: hand it on and have it changed)`);
  }
} finally {
  await db.$disconnect();
  await rt.stop();
}

// npm run org:create -- --name "Acme" --owner-email owner@acme.test [--owner-password …] [--owner-name …]
// Provisions an organization and its first Org Admin, with the server's configuration
// (the embedded database included), whether or not the server is running.
import "dotenv/config";
import { parseArgs } from "node:util";
import { z } from "zod";
import { loadConfig } from "../config";
import { argsOrExit } from "./args";
import { createLogger } from "../infra/logger";
import { migrate } from "../infra/migrate";
import { createPrisma } from "../infra/prisma";
import { prepareRuntime } from "../infra/runtime";
import { PASSWORD_MIN } from "../modules/auth/password-rules";
import { provisionOrg } from "../modules/orgs/provision";

const usage = 'usage: npm run org:create -- --name "Acme" --owner-email owner@acme.test [--owner-password …] [--owner-name …]';
const { values } = parseArgs({
  options: {
    name: { type: "string" },
    "owner-email": { type: "string" },
    "owner-password": { type: "string" },
    "owner-name": { type: "string" },
  },
});
const args = argsOrExit(
  z.object({
    name: z.string().trim().min(1, "--name is required").max(200),
    "owner-email": z.string().email("--owner-email must be an email address"),
    "owner-password": z.string().min(PASSWORD_MIN, `--owner-password needs at least ${PASSWORD_MIN} characters`).optional(),
    "owner-name": z.string().trim().min(1).max(200).optional(),
  }),
  values,
  usage,
);

const config = loadConfig();
const rt = await prepareRuntime(config, createLogger("warn"), { needRedis: false });
const db = createPrisma(rt.databaseUrl, 2);
try {
  await migrate(rt.databaseUrl);
  const { org, user, generatedPassword, existingAccount } = await provisionOrg(db, {
    name: args.name,
    ownerEmail: args["owner-email"],
    ownerPassword: args["owner-password"],
    ownerName: args["owner-name"],
  });
  console.log(`Organization "${org.name}" created.`);
  console.log(`  org id:    ${org.id}`);
  console.log(`  Org Admin: ${user.email}`);
  if (existingAccount)
    console.log(`  password:  unchanged: ${user.email} is an existing account and signs in with its own${args["owner-password"] ? " (--owner-password was not applied)" : ""}`);
  if (generatedPassword) console.log(`  password:  ${generatedPassword}  (generated: hand it on and have it changed)`);
} finally {
  await db.$disconnect();
  await rt.stop();
}

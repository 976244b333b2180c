// Generates the Prisma client again when prisma/schema.prisma no longer matches
// the one it was generated from (a `git pull` brought a schema change, and no
// `npm install` ran since): otherwise the server starts with a client that
// knows neither the new tables nor the new columns, and fails at the first query.
// Prisma keeps a formatted copy of the schema beside the client: compared
// without comments and whitespace.
import { existsSync, readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const schema = path.join(root, "prisma/schema.prisma");
const generated = path.join(root, "node_modules/.prisma/client/schema.prisma");
const plain = (file) => readFileSync(file, "utf8").replace(/\/\/[^\n]*/g, "").replace(/\s+/g, " ").trim();

if (!existsSync(generated) || plain(generated) !== plain(schema)) {
  console.log("The database schema changed since the Prisma client was generated: generating it again…");
  execFileSync(process.execPath, [path.join(root, "node_modules/prisma/build/index.js"), "generate"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, DATABASE_URL: process.env.DATABASE_URL || "postgresql://localhost/unused" },
  });
}

// Prisma CLI configuration. The CLI runs offline with the wasm schema engine
// ("js" engine + the pg adapter); migrations are applied by our own runner
// (server/src/infra/migrate.ts), so the CLI is only used for `generate` and
// for writing new migrations with `npm run db:diff`.
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";

const url = new URL(process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres");

export default defineConfig({
  schema: "prisma/schema.prisma",
  engine: "js",
  experimental: { adapter: true },
  // Separate fields, not a connection string (see docs/architecture.md, "Prisma offline").
  adapter: async () =>
    new PrismaPg({
      host: url.hostname,
      port: Number(url.port || 5432),
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      database: url.pathname.slice(1),
    }),
} as Parameters<typeof defineConfig>[0]);

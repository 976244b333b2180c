import { defineConfig } from "vitest/config";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import path from "node:path";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "server",
          include: ["test/server/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/setup/global.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          pool: "forks",
        },
      },
      {
        plugins: [svelte()],
        resolve: {
          conditions: ["browser"],
          alias: { $lib: path.resolve("web/src/lib"), $shared: path.resolve("server/src/shared") },
        },
        test: {
          name: "web",
          include: ["web/src/**/*.test.ts"],
          environment: "jsdom",
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/setup/global.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        // Fault injection with real server processes (test/chaos/): one file at a
        // time, after the other projects (it kills and starves what it starts).
        test: {
          name: "chaos",
          include: ["test/chaos/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/chaos/harness/global.ts"],
          testTimeout: 900_000,
          hookTimeout: 300_000,
          pool: "forks",
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});

// The one-command start: `npm start`'s server on an empty data directory with
// nothing configured comes up (embedded PostgreSQL, local redis-server, demo org),
// `npm run org:create` works beside it on the same embedded database, and
// SIGTERM stops everything it started.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { freePort } from "../../server/src/infra/embedded";
import { TEST_ENCRYPTION_KEY, TEST_JWT_SECRET } from "../helpers/app";

const root = path.resolve(import.meta.dirname, "../..");
const tsx = path.join(root, "node_modules/.bin/tsx");
const dataDir = mkdtempSync(path.join(tmpdir(), "pipelines-start-"));
let server: ChildProcess | undefined;

function cleanEnv(port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: "warn" };
  for (const k of ["DATABASE_URL", "REDIS_URL", "JWT_SECRET", "ENCRYPTION_KEY", "DEMO", "NODE_ENV"]) delete env[k];
  return env;
}

async function waitReady(url: string, child: ChildProcess, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const ok = await fetch(`${url}/readyz`).then((r) => r.status === 200).catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("server did not become ready");
}

afterAll(() => {
  server?.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

describe("npm start on an empty directory", () => {
  it("comes up ready with the demo org, serves org:create beside it, and stops cleanly", async () => {
    const port = await freePort();
    let out = "";
    server = spawn(tsx, ["server/src/main.ts"], { cwd: root, env: cleanEnv(port), stdio: ["ignore", "pipe", "pipe"] });
    server.stdout!.on("data", (d) => (out += d));
    server.stderr!.on("data", (d) => (out += d));
    const url = `http://127.0.0.1:${port}`;
    await waitReady(url, server);
    expect(out).toContain("admin@demo.test");
    expect(out).toContain("Embedded PostgreSQL");

    const login = await fetch(`${url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "admin@demo.test", password: "pipelines-demo" }),
    });
    expect(login.status).toBe(200);

    const cli = spawnSync(tsx, ["server/src/cli/org-create.ts", "--name", "Acme", "--owner-email", "owner@acme.test"], {
      cwd: root,
      env: cleanEnv(port),
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(cli.stderr + cli.stdout).toContain('Organization "Acme" created.');
    const password = /password:\s+(\S+)/.exec(cli.stdout)?.[1];
    expect(password).toBeTruthy();
    const acme = await fetch(`${url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "owner@acme.test", password }),
    });
    expect(acme.status).toBe(200);

    const bad = spawnSync(tsx, ["server/src/cli/org-create.ts", "--name", "NoOwner"], { cwd: root, env: cleanEnv(port), encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("usage: npm run org:create");

    const exited = new Promise<number | null>((r) => server!.once("exit", (code) => r(code)));
    server.kill("SIGTERM");
    expect(await exited).toBe(0);
    // Everything it started is gone: nothing answers on the port any more.
    expect(await fetch(`${url}/healthz`).then(() => "up").catch(() => "down")).toBe("down");
    expect(spawnSync("pgrep", ["-f", path.join(dataDir, "pg")]).status, "embedded PostgreSQL still running").toBe(1);
    expect(redisGone(out), "local redis-server still running").toBe(true);
  }, 120_000);

  it("with a configured DATABASE_URL, exits 0 on SIGTERM after its own ordered shutdown", async () => {
    const port = await freePort();
    let out = "";
    // The suite's database: other tests wrote its key canary with the test key.
    const env = { ...cleanEnv(port), DATABASE_URL: inject("databaseUrl"), ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, JWT_SECRET: TEST_JWT_SECRET };
    const child = spawn(tsx, ["server/src/main.ts"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (out += d));
    try {
      await waitReady(`http://127.0.0.1:${port}`, child).catch((err: Error) => {
        throw new Error(`${err.message}\n${out}`);
      });
      expect(out).not.toContain("Embedded PostgreSQL");
      const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(redisGone(out), "local redis-server still running").toBe(true);
    } finally {
      child.kill("SIGKILL");
    }
  }, 120_000);
});

/** The redis-server the server said it started no longer runs. */
function redisGone(out: string): boolean {
  const port = /Local redis-server at redis:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1];
  expect(port, "the server names the redis-server it started").toBeTruthy();
  return spawnSync("pgrep", ["-f", `redis-server 127.0.0.1:${port}`]).status === 1;
}

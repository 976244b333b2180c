// The one-command start: `npm start`'s server on an empty data directory with
// nothing configured comes up (embedded PostgreSQL, local redis-server, demo org),
// `npm run org:create` works beside it on the same embedded database, a second
// server on the same directory is refused with a clear message, a restart after a
// crash reuses the data, and Ctrl-C or SIGTERM (to `npm start` itself) stops
// everything it started.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
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
  for (const p of leftovers) spawnSync("pkill", ["-f", p]);
  rmSync(dataDir, { recursive: true, force: true });
});
const leftovers: string[] = [];

function signIn(url: string, email: string, password: string) {
  return fetch(`${url}/api/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password }) });
}

/** Started in a process group of its own, as a terminal runs a command: Ctrl-C signals the whole group. */
function startInGroup(port: number, command: string, args: string[], env: NodeJS.ProcessEnv = cleanEnv(port)) {
  const child = spawn(command, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const log = { out: "" };
  child.stdout!.on("data", (d) => (log.out += d));
  child.stderr!.on("data", (d) => (log.out += d));
  return { child, log };
}

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 30_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) if (await check()) return;
  throw new Error(`still not: ${what}`);
}
const down = (url: string) => fetch(`${url}/healthz`).then(() => false, () => true);

describe("npm start on an empty directory", () => {
  it("comes up ready with the demo org, serves org:create beside it, and stops cleanly", async () => {
    const port = await freePort();
    let out = "";
    // Node itself (no tsx wrapper process): killing it kills the server.
    server = spawn(process.execPath, ["--import", "tsx", "server/src/main.ts"], { cwd: root, env: cleanEnv(port), stdio: ["ignore", "pipe", "pipe"] });
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
    // The demo shows the product at once: Bob (Safety Reviewer) has a review node with work,
    // and the dashboard has a past (test/server/demo.test.ts checks it whole).
    const get = (token: string, p: string) => fetch(`${url}${p}`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json());
    const bob = (await (await signIn(url, "bob@demo.test", "pipelines-demo")).json()).token as string;
    const [project] = (await get(bob, "/api/me")).projects;
    const queue = await get(bob, `/api/projects/${project.id}/queue`);
    expect(queue.items).toEqual([expect.objectContaining({ key: "safety", kind: "review", canClaim: true })]);
    expect(queue.items[0].available).toBeGreaterThan(0);
    const dashboard = await get((await login.json()).token, `/api/projects/${project.id}/dashboard?timeframe=7d`);
    expect(dashboard.widgets.activity.submissions.value).toBeGreaterThan(0);
    expect(dashboard.widgets.firstReviewPassRate.value).toBeGreaterThan(0);

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
    // The same owner for a second org: the account keeps its password, and says so.
    const secondOrg = spawnSync(tsx, ["server/src/cli/org-create.ts", "--name", "Acme 2", "--owner-email", "owner@acme.test", "--owner-password", "something-new"], {
      cwd: root,
      env: cleanEnv(port),
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(secondOrg.stdout).toContain('Organization "Acme 2" created.');
    expect(secondOrg.stdout).toContain("--owner-password was not applied");

    const bad = spawnSync(tsx, ["server/src/cli/org-create.ts", "--name", "NoOwner"], { cwd: root, env: cleanEnv(port), encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("usage: npm run org:create");

    // A second server on the same directory would share its PostgreSQL with a Redis of its own
    // (two claim engines over one database): it is refused, plainly, and the first keeps serving.
    const second = spawnSync(tsx, ["server/src/main.ts"], { cwd: root, env: cleanEnv(await freePort()), encoding: "utf8", timeout: 60_000 });
    expect(second.status).toBe(1);
    expect(second.stderr).toContain(`Pipelines could not start: Another Pipelines server (pid ${server.pid}) is already running on ${dataDir}.`);
    expect(second.stderr).not.toMatch(/^\s+at /m);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    // Killed outright, it leaves its PostgreSQL behind: the next start takes the directory over.
    const killed = new Promise((r) => server!.once("exit", r));
    server.kill("SIGKILL");
    await killed;
    leftovers.push(`redis-server 127.0.0.1:${/Local redis-server at redis:\/\/127\.0\.0\.1:(\d+)/.exec(out)![1]}`);
    const again = startInGroup(port, process.execPath, ["--import", "tsx", "server/src/main.ts"]);
    server = again.child;
    await waitReady(url, server).catch((err: Error) => {
      throw new Error(`${err.message}\n${again.log.out}`);
    });
    // Ready before its banner is out (the restart reads the database first): wait for the banner.
    await until("the banner is printed", () => again.log.out.includes("API document:"));
    expect(again.log.out, "the demo org is seeded once").not.toContain("Demo organization created");
    expect(again.log.out, "and its sign-in is still shown").toContain("Demo organization: sign in as admin@demo.test");
    expect((await signIn(url, "owner@acme.test", password!)).status, "the data is kept").toBe(200);

    // Ctrl-C in a terminal signals the whole process group: the server alone stops what it started, in order.
    const exited = new Promise<number | null>((r) => server!.once("exit", (code) => r(code)));
    process.kill(-server.pid!, "SIGINT");
    expect(await exited).toBe(0);
    expect(again.log.out).not.toContain("shutdown step failed");
    expect(again.log.out).not.toContain("Connection is closed");
    // Everything it started is gone: nothing answers on the port any more.
    expect(await down(url)).toBe(true);
    expect(spawnSync("pgrep", ["-f", path.join(dataDir, "pg")]).status, "embedded PostgreSQL still running").toBe(1);
    expect(redisGone(again.log.out), "local redis-server still running").toBe(true);
  }, 180_000);

  it("without a redis-server on PATH, says so in one line and leaves nothing running", async () => {
    const bin = mkdtempSync(path.join(tmpdir(), "pipelines-path-"));
    symlinkSync("/bin/sh", path.join(bin, "sh")); // to look redis-server up; nothing else is on PATH
    const env = { ...cleanEnv(await freePort()), DATABASE_URL: inject("databaseUrl"), ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, JWT_SECRET: TEST_JWT_SECRET, PATH: bin };
    const r = spawnSync(process.execPath, ["--import", "tsx", "server/src/main.ts"], { cwd: root, env, encoding: "utf8", timeout: 60_000 });
    rmSync(bin, { recursive: true, force: true });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("Pipelines could not start: No REDIS_URL is set and no redis-server was found on PATH");
    expect(r.stderr).not.toMatch(/^\s+at /m);
  }, 60_000);

  it("`npm start` stops when only npm is signalled (a supervisor's SIGTERM)", async () => {
    const port = await freePort();
    const env = { ...cleanEnv(port), DATABASE_URL: inject("databaseUrl"), ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, JWT_SECRET: TEST_JWT_SECRET };
    const { child, log } = startInGroup(port, "npm", ["start"], env);
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitReady(url, child, 150_000).catch((err: Error) => {
        throw new Error(`${err.message}\n${log.out}`);
      });
      child.kill("SIGTERM"); // npm alone, not its process group
      await until("the server stopped", () => down(url));
      await until("the local redis-server stopped", () => redisGone(log.out));
      expect(log.out).not.toContain("shutdown step failed");
    } finally {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }, 200_000);

  it("stops on SIGTERM while a start step hangs (a database that accepts and never answers)", async () => {
    let connected = 0;
    const silent = createServer(() => void connected++); // takes connections, says nothing
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const db = `postgresql://postgres@127.0.0.1:${(silent.address() as AddressInfo).port}/x`;
    const env = { ...cleanEnv(await freePort()), DATABASE_URL: db, REDIS_URL: inject("redisUrl"), ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, JWT_SECRET: TEST_JWT_SECRET };
    const child = spawn(process.execPath, ["--import", "tsx", "server/src/main.ts"], { cwd: root, env, stdio: "ignore" });
    try {
      await until("the server is connecting to the silent database", () => connected > 0);
      const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
      child.kill("SIGTERM");
      // It waits a bounded time for the hung step, then stops what started; before, it never exited.
      const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r("still running"), 40_000))]);
      expect(code).toBe(0);
    } finally {
      child.kill("SIGKILL");
      silent.close();
    }
  }, 60_000);

  it("with a configured DATABASE_URL, exits 0 on SIGTERM after its own ordered shutdown", async () => {
    const port = await freePort();
    let out = "";
    // The suite's database: other tests wrote its key canary with the test key.
    const env = { ...cleanEnv(port), DATABASE_URL: inject("databaseUrl"), ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, JWT_SECRET: TEST_JWT_SECRET };
    // As `npm start` runs it: node itself gets the signal. (The tsx CLI relays signals and
    // SIGKILLs a child that has not acknowledged one within ~60 ms: a busy server was killed
    // mid-shutdown, exit code 143, its embedded services left running.)
    const child = spawn(process.execPath, ["--import", "tsx", "server/src/main.ts"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
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

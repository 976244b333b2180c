// The server's embedded services run in process groups of their own (a
// terminal's Ctrl-C reaches only the server, which stops them after draining),
// and stopping one that already died returns at once: it used to
// wait for an exit that had already happened, so a shutdown after the local
// redis-server was killed never reached PostgreSQL, left running with no owner.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { servesDir, startEmbeddedPostgres, startRedisServer } from "../../server/src/infra/embedded";

const groupOf = (pid: number) => Number(spawnSync("ps", ["-o", "pgid=", "-p", String(pid)], { encoding: "utf8" }).stdout.trim());
const ourGroup = groupOf(process.pid);

async function exited(pid: number): Promise<void> {
  while (spawnSync("kill", ["-0", String(pid)]).status === 0) await new Promise((r) => setTimeout(r, 50));
}

it("a local redis-server runs in its own process group, and stopping it after it was killed returns", async () => {
  const r = await startRedisServer({ ownGroup: true });
  const port = new URL(r.url).port;
  const pid = Number(spawnSync("pgrep", ["-f", `redis-server 127.0.0.1:${port}`], { encoding: "utf8" }).stdout.trim());
  expect(pid).toBeGreaterThan(0);
  expect(groupOf(pid)).not.toBe(ourGroup);
  process.kill(pid, "SIGKILL");
  await exited(pid);
  await r.stop();
});

it("an embedded PostgreSQL runs in its own process group, and stopping it after it stopped on its own returns", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "pipelines-embedded-"));
  try {
    const pg = await startEmbeddedPostgres(dir, { persistent: false, ownGroup: true });
    const pid = Number(readFileSync(path.join(dir, "pg", "postmaster.pid"), "utf8").split("\n")[0]);
    expect(groupOf(pid)).not.toBe(ourGroup);
    process.kill(pid, "SIGINT"); // what a terminal's Ctrl-C did to it
    await exited(pid);
    await pg.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

it("a pid file naming some other live process is stale: that process is left alone and PostgreSQL starts", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "pipelines-embedded-"));
  // After a reboot or a crash, the pid in postmaster.pid may belong to anything.
  const bystander = spawn("sleep", ["60"], { stdio: "ignore" });
  try {
    const first = await startEmbeddedPostgres(dir, { persistent: true, ownGroup: true });
    const pidFile = path.join(dir, "pg", "postmaster.pid");
    const lines = readFileSync(pidFile, "utf8").split("\n");
    expect(servesDir(Number(lines[0]), path.join(dir, "pg"))).toBe(true);
    await first.stop();
    lines[0] = String(bystander.pid);
    writeFileSync(pidFile, lines.join("\n"));
    expect(servesDir(bystander.pid!, path.join(dir, "pg"))).toBe(false);

    const again = await startEmbeddedPostgres(dir, { persistent: true, exclusive: true, ownGroup: true });
    expect(spawnSync("kill", ["-0", String(bystander.pid)]).status, "the bystander still runs").toBe(0);
    await again.stop();
  } finally {
    bystander.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
}, 90_000);

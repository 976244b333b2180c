// The server's embedded services run in process groups of their own (a
// terminal's Ctrl-C reaches only the server, which stops them after draining),
// and stopping one that already died returns at once: it used to
// wait for an exit that had already happened, so a shutdown after the local
// redis-server was killed never reached PostgreSQL, left running with no owner.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { startEmbeddedPostgres, startRedisServer } from "../../server/src/infra/embedded";

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

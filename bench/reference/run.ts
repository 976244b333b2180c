// `npm run bench:reference`: the two reference lines alone, several rounds.
// (P1 and P2 run them again beside the engine and the peers, in the same run.)
import pg from "pg";
import { createRedis, redisReady } from "../../server/src/infra/redis";
import { isMain, progress, runAsScript, type ScenarioResult } from "../lib/report";
import { startServices } from "../lib/services";
import { median } from "../lib/stats";
import { prepareDurableLine, runLine } from "./lines";

export async function referenceScenario(): Promise<Omit<ScenarioResult, "seconds">> {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const items = Number(process.env.BENCH_ITEMS ?? 50_000);
  const durableItems = Number(process.env.BENCH_DURABLE_ITEMS ?? 20_000);
  const svc = await startServices({ label: "reference", migrate: false });
  const redis = createRedis(svc.redisUrl, { enableOfflineQueue: true });
  const pool = new pg.Pool({ connectionString: svc.databaseUrl, max: 10 });
  try {
    await redisReady(redis);
    await prepareDurableLine(pool);
    const lua: number[] = [];
    const durable: number[] = [];
    for (let r = 0; r < rounds; r++) {
      progress(`round ${r + 1}/${rounds}`);
      lua.push((await runLine({ redis, items })).perSecond);
      durable.push((await runLine({ redis, items: durableItems, pool })).perSecond);
    }
    return {
      id: "reference",
      title: "Reference lines (this machine, our key shape)",
      rows: [
        { line: "minimal Lua claim+complete", value: median(lua), unit: "items/s", rounds: lua, detail: `${items} items, 100 loops, 1 connection` },
        { line: "durable minimal (+1 INSERT, +1 UPDATE)", value: median(durable), unit: "items/s", rounds: durable, detail: `${durableItems} items, pool 10` },
      ],
      ratios: [],
      notes: [],
    };
  } finally {
    redis.disconnect();
    await pool.end();
    await svc.stop();
  }
}

if (isMain(import.meta.url)) void runAsScript(referenceScenario);

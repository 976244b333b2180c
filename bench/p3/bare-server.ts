// P3's reference line: a bare Socket.IO server (no auth, no adapter, no rooms
// beyond one) broadcasting a small message 10 times a second to every socket,
// in its own process. What Socket.IO itself costs on this machine for the same
// number of sockets. Answers "stats" / "stats-reset" like server-child.ts.
import { createServer } from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Server } from "socket.io";
import type { ServerStats } from "../lib/server-child";
import { wallMs } from "../lib/stats";

const RATE = Number(process.env.BARE_RATE ?? 10);

const http = createServer();
const io = new Server(http, { serveClient: false });
io.on("connection", (s) => void s.join("all"));
http.listen(0, "127.0.0.1", () => {
  const { port } = http.address() as { port: number };
  process.send!({ type: "ready", port });
});

let seq = 0;
let ticking: NodeJS.Timeout | null = null;
const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();
let rssSeries: number[] = [];
let heapSeries: number[] = [];
const mb = (n: number) => Math.round((n / 1048576) * 10) / 10;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  rssSeries.push(mb(m.rss));
  heapSeries.push(mb(m.heapUsed));
}, 1000);

process.on("message", (msg: { type: string }) => {
  if (msg.type === "start") {
    ticking = setInterval(() => io.to("all").emit("tick", { seq: seq++, t: wallMs(), count: seq }), 1000 / RATE);
    process.send!({ type: "start" });
  } else if (msg.type === "stats-reset") {
    lag.reset();
    rssSeries = [];
    heapSeries = [];
    process.send!({ type: "stats-reset" });
  } else if (msg.type === "stats") {
    const m = process.memoryUsage();
    const ms = (ns: number) => Math.round(ns / 1e4) / 100;
    const stats: ServerStats = {
      lagP50: ms(lag.percentile(50)),
      lagP99: ms(lag.percentile(99)),
      lagMax: ms(lag.max),
      rssMb: mb(m.rss),
      heapUsedMb: mb(m.heapUsed),
      rssSeries,
      heapSeries,
    };
    process.send!({ type: "stats", stats });
  } else if (msg.type === "stop") {
    if (ticking) clearInterval(ticking);
    clearInterval(sampler);
    io.close();
    process.exit(0);
  }
});

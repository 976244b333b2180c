// P3's reference line: a bare Socket.IO server (no auth, no adapter, no rooms
// beyond one) broadcasting a small message 10 times a second to every socket,
// in its own process. What Socket.IO itself costs on this machine for the same
// number of sockets. Answers "stats" / "stats-reset" like server-child.ts.
import { createServer } from "node:http";
import { Server } from "socket.io";
import { startProbe } from "../lib/probe";
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
const probe = startProbe();

process.on("message", (msg: { type: string }) => {
  if (msg.type === "start") {
    ticking = setInterval(() => io.to("all").emit("tick", { seq: seq++, t: wallMs(), count: seq }), 1000 / RATE);
    process.send!({ type: "start" });
  } else if (msg.type === "stats-reset") {
    probe.reset();
    process.send!({ type: "stats-reset" });
  } else if (msg.type === "stats") {
    process.send!({ type: "stats", stats: probe.stats() });
  } else if (msg.type === "stop") {
    if (ticking) clearInterval(ticking);
    probe.stop();
    io.close();
    process.exit(0);
  }
});
